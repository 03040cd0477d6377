/**
 * @strata/sdk/admin: a typed admin client for one Strata (or Parse) app (schemas, objects, config, jobs,
 * hooks, push, files, logs, metrics, usage, slow queries) over a pluggable transport: the master key for
 * scripts, or the dashboard's session cookie in the browser. It does not cache, retry or hold state.
 */
export { createAdminClient } from './client.js';
export type { AdminBatchOp, AdminClient } from './client.js';
export { dashboardTransport, masterKeyTransport, queryString } from './transport.js';
export type { AdminMethod, AdminRequest, AdminResponse, AdminTransport } from './transport.js';
export type * from './types.js';
