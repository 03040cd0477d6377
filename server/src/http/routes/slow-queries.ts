import type { RouteDefinition } from '../api-types.js';

/**
 * `GET /slowQueries` (master key; the read-only master key may read) and `DELETE /slowQueries` (master
 * key): the finds this server saw run slower than `--slow-query-ms`, by shape, with their query plans and
 * the index that would serve each (core/slow-queries.ts). Strata's own route, read by the dashboard.
 */
export function slowQueryRoutes(): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: '/slowQueries',
      handler: (r) => Promise.resolve({ body: r.core.listSlowQueries({ auth: r.auth }) }),
    },
    {
      method: 'DELETE',
      path: '/slowQueries',
      handler: (r) => Promise.resolve({ body: r.core.clearSlowQueries({ auth: r.auth }) }),
    },
  ];
}
