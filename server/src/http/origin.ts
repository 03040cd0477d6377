import type { RequestOrigin } from '../core/index.js';
import type { ApiRequest } from './api-types.js';
import type { EncodingContext } from './encoding-context.js';

/**
 * What cloud code learns about a request besides who sent it (spec/cloud.md §3): the client context
 * (`X-Parse-Cloud-Context` / `_context`, shared by a batch's sub-requests), the IP, the raw headers, the
 * request's logger and how file URLs are written.
 */
export function originOf(request: ApiRequest, encoding?: EncodingContext): RequestOrigin {
  // Built for every object request: optional fields set only when present, without a spread for each.
  const origin: { -readonly [K in keyof RequestOrigin]: RequestOrigin[K] } = { context: request.context };
  if (request.headers !== undefined) origin.headers = request.headers;
  if (encoding !== undefined) origin.encode = encoding.forRequest(request);
  if (request.ip !== undefined) origin.ip = request.ip;
  if (request.log !== undefined) origin.log = request.log;
  return origin;
}
