import { requireMaster } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { LogEntry, LogQuery } from '../infra/index.js';
import type { CoreDeps } from './deps.js';

/**
 * What an admin reads about this server itself rather than the app's data: its recent log lines (`GET
 * /scriptlog`) and what it serves (`GET /serverInfo`). Master key or read-only master key; not the maintenance
 * key (security.md §2: not accepted where the master key is required). The front ends decode the parameters and
 * encode the answers; the key check is made here, once.
 */

export interface ServerStatusRequest {
  readonly auth: Auth;
}

/** What this server serves, for the front end's description of itself (`/serverInfo`'s feature flags). */
export interface ServedFeatures {
  /** `GET /scriptlog`: this server keeps its recent log lines. */
  readonly logs: boolean;
}

export function servedFeatures(deps: CoreDeps, request: ServerStatusRequest): ServedFeatures {
  requireMaster(request.auth, { access: 'read' });
  return { logs: deps.logs !== undefined };
}

/** This server's recent log lines matching `query` (none when it keeps none). */
export function readLogs(deps: CoreDeps, request: ServerStatusRequest & { query: LogQuery }): LogEntry[] {
  requireMaster(request.auth, { access: 'read' });
  return deps.logs?.query(request.query) ?? [];
}
