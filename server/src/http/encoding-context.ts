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

/** `<mount URL>/files/<appId>/<encoded name>`, plus `?token=` when file URLs are signed (rest.md §10.1). */
export function fileURLBuilder(options: {
  appId: string;
  fileToken?: (name: string) => string;
}): (mountURL: string | undefined, name: string) => string {
  const appSegment = encodeURIComponent(options.appId);
  const { fileToken } = options;
  return (mountURL, name) => {
    const base = `${mountURL ?? ''}/files/${appSegment}/${encodeFileName(name)}`;
    return fileToken === undefined ? base : `${base}?token=${encodeURIComponent(fileToken(name))}`;
  };
}

/** Names may hold `/` (directories); each segment is URL-encoded on its own. */
function encodeFileName(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}
