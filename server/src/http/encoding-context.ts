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
}): EncodingContext {
  const appSegment = encodeURIComponent(options.appId);
  const fixed: EncodeOptions | undefined =
    options.publicServerURL === undefined
      ? undefined
      : { fileURL: (name) => `${options.publicServerURL}/files/${appSegment}/${encodeFileName(name)}` };
  return {
    maxDepth: options.maxDepth,
    forRequest(request) {
      return fixed ?? { fileURL: (name) => `${request.mountURL}/files/${appSegment}/${encodeFileName(name)}` };
    },
  };
}

/** Names may hold `/` (directories); each segment is URL-encoded on its own. */
function encodeFileName(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}
