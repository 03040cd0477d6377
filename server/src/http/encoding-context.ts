import { fileURLBuilder } from '../core/index.js';
import type { EncodeOptions } from '../schema/index.js';
import type { ApiRequest } from './api-types.js';

/** What encoding a response needs beyond the values: where files live, and decode limits. */
export interface EncodingContext {
  readonly maxDepth: number;
  forRequest(request: Pick<ApiRequest, 'mountURL'>): EncodeOptions;
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
  // Without a public URL, file URLs follow the request's mount URL (its Host): the last one's options are kept, as
  // nearly every request of a server names the same host (one object, not a closure per request).
  let last: { mountURL: string; options: EncodeOptions } | undefined;
  return {
    maxDepth: options.maxDepth,
    forRequest(request) {
      if (fixed !== undefined) return fixed;
      const { mountURL } = request;
      if (last?.mountURL !== mountURL) last = { mountURL, options: { fileURL: (name) => url(mountURL, name) } };
      return last.options;
    },
  };
}
