import type { Auth } from '../auth/index.js';
import { requireMaster } from '../auth/index.js';
import type { CoreDeps } from './deps.js';
import type { SlowQueryRecord } from './slow-queries.js';

/** `GET /slowQueries` (master key; the read-only master key may read). */
export function listSlowQueries(deps: CoreDeps, request: { auth: Auth }): { results: SlowQueryRecord[] } {
  requireMaster(request.auth, { access: 'read' });
  return { results: deps.slowQueries?.list() ?? [] };
}

/** `DELETE /slowQueries`: forgets what was recorded (after an index was added, to measure again). */
export function clearSlowQueries(deps: CoreDeps, request: { auth: Auth }): Record<string, never> {
  requireMaster(request.auth, { access: 'write' });
  deps.slowQueries?.clear();
  return {};
}
