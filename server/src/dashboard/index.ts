/**
 * The admin dashboard's server side, a front end beside `http/`: it serves the built web app at
 * `/dashboard`, signs dashboard users in (bcrypt passwords, optional TOTP, rate-limited) with an HttpOnly
 * SameSite cookie and a CSRF token, and forwards their API calls to each app's own REST API with that app's
 * master key or read-only master key. It has no permission rules of its own and never touches storage:
 * what a dashboard user may do is exactly what that key may do through REST and core. Keys never reach
 * the browser.
 */
export { createDashboardHandler } from './handler.js';
export type { DashboardHandler, DashboardOptions } from './handler.js';
export type { DashboardApp, PublicAppInfo } from './apps.js';
export { DEFAULT_IMPORT_LIMITS } from './import.js';
export type { ImportLimits } from './import.js';
export { locateDashboardAssets } from './static-files.js';
export { checkDashboardUsername, parseDashboardUsers, serializeDashboardUsers, upsertDashboardUser } from './users.js';
export type { DashboardUser } from './users.js';
export { newTotpSecret, totpCode, totpUri, verifyTotp } from './totp.js';
