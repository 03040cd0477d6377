import { fileURLBuilder } from '../core/index.js';
import type { EncodeOptions } from '../schema/index.js';
import type { ApiRequest } from './api-types.js';

/** What encoding a response needs beyond the values: where files live, and decode limits. */
export interface EncodingContext {
  readonly maxDepth: number;
  forRequest(request: ApiRequest): EncodeOptions;
}

export function createEncodingContext(options: {
  appId: string;
  publicServerURL: string | undefined;
  maxDepth: number;
  /** With expiring signed file URLs on: the token each file URL carries. */
  fileToken?: (name: string) => string;
}): EncodingContext {
  const url = fileURLBuilder(options);
  const fixed: EncodeOptions | undefined =
    options.publicServerURL === undefined ? undefined : { fileURL: (name) => url(options.publicServerURL, name) };
  return {
    maxDepth: options.maxDepth,
    forRequest(request) {
      return fixed ?? { fileURL: (name) => url(request.mountURL, name) };
    },
  };
}
