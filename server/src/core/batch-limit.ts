import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { CoreDeps } from './deps.js';

/** Sub-requests one `/batch` may hold for a non-master caller when no `batchMaxRequests` is configured. */
export const DEFAULT_BATCH_MAX_REQUESTS = 1000;

/**
 * Admits a `/batch` of `count` sub-requests, before any runs: a non-master caller may send at most
 * `batchMaxRequests` (one request must not turn into an unbounded number of queries: a 20 MB body holds some
 * 400,000, all run at once and held in memory until the last answers). The master key is exempt, as it is from
 * the query limits.
 */
export function admitBatch(deps: CoreDeps, request: { auth: Auth; count: number }): void {
  const max = deps.options.batchMaxRequests ?? DEFAULT_BATCH_MAX_REQUESTS;
  if (request.count <= max || isMasterLike(request.auth)) return;
  throw new ParseError(ErrorCode.INVALID_JSON, {
    message: `Too many requests in one batch: ${request.count} (at most ${max} allowed).`,
  });
}
