import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { originOf } from '../origin.js';

/**
 * Strata's own admin reads, used by the dashboard (master key; the read-only master key may read):
 * `GET /classCounts?exactBelow=` (each class's object count, estimated for classes of `exactBelow` or more
 * objects, default 10,000) and
 * `GET /fileList?limit=&after=&orphans=1` (a page of the stored files, or of the orphans among them).
 */
export function adminRoutes(encoding: EncodingContext): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: '/classCounts',
      handler: async (r) => {
        const { exactBelow } = r.query;
        if (exactBelow !== undefined && typeof exactBelow !== 'number') {
          throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'exactBelow must be a number.' });
        }
        return {
          body: await r.core.classCounts({ auth: r.auth, ...(exactBelow === undefined ? {} : { exactBelow }) }),
        };
      },
    },
    { method: 'GET', path: '/fileList', handler: (r) => fileList(encoding, r) },
  ];
}

async function fileList(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const { limit, after, orphans } = request.query;
  if (limit !== undefined && typeof limit !== 'number') {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'limit must be a number.' });
  }
  // The query string JSON-parses what it can, so a numeric file name arrives as a number.
  if (after !== undefined && typeof after !== 'string' && typeof after !== 'number') {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'after must be a file name.' });
  }
  const body = await request.core.listFiles({
    auth: request.auth,
    ...(limit === undefined ? {} : { limit }),
    ...(after === undefined || after === '' ? {} : { after: String(after) }),
    orphans: orphans === true || orphans === 1 || orphans === '1' || orphans === 'true',
    origin: originOf(request, encoding),
  });
  return { body };
}
