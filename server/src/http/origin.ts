import type { RequestOrigin } from '../core/index.js';
import type { ApiRequest } from './api-types.js';
import type { EncodingContext } from './encoding-context.js';

/**
 * What cloud code learns about a request besides who sent it (spec/cloud.md §3): the client context
 * (`X-Parse-Cloud-Context` / `_context`, shared by a batch's sub-requests), the IP, the raw headers, the
 * request's logger and how file URLs are written.
 */
export function originOf(request: ApiRequest, encoding?: EncodingContext): RequestOrigin {
  return {
    context: request.context,
    ...(request.headers === undefined ? {} : { headers: request.headers }),
    ...(encoding === undefined ? {} : { encode: encoding.forRequest(request) }),
    ...(request.ip === undefined ? {} : { ip: request.ip }),
    ...(request.log === undefined ? {} : { log: request.log }),
  };
}
