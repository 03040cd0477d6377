/**
 * Auth: who is asking (`Auth`) and the one permission engine every front end uses (REST through core,
 * later LiveQuery and GraphQL): object ACLs, class-level permissions with pointer permissions, the default
 * object ACL, protectedFields, and role resolution with its cache. Everything here is pure or takes its
 * I/O as an interface (`RoleSource`); it does not talk HTTP or storage.
 */
export type { Auth } from './auth.js';
export { MASTER, PUBLIC, isMasterLike } from './auth.js';
export { createPasswordHasher } from './password.js';
export type { PasswordHasher } from './password.js';
export { newSessionToken, isRevocableToken } from './session-token.js';
export type { PermissionCaller } from './caller.js';
export { canRead, canWrite, callerEntities } from './acl.js';
export { evaluateClassPermission } from './class-permissions.js';
export type { ClpDecision } from './class-permissions.js';
export { defaultObjectAcl } from './default-acl.js';
export {
  DEFAULT_PROTECTED_FIELDS,
  protectedFieldRules,
  planProtectedFields,
  hiddenFields,
  fieldsNeededForPlan,
  assertFieldsQueryable,
  pointsAt,
} from './protected-fields.js';
export type { ProtectedFieldsOption, ProtectedFieldRules, ProtectedFieldsPlan } from './protected-fields.js';
export { resolveRoleNames } from './roles.js';
export type { RoleRef, RoleSource } from './roles.js';
export { RoleCache } from './role-cache.js';
export type { RoleCacheOptions } from './role-cache.js';
export { assertNotLocked, isAccountLocked, lockAfterFailure, accountLockedError } from './account-lockout.js';
export type { AccountLockoutPolicy, LockoutFields } from './account-lockout.js';
export {
  assertPasswordAllowed,
  assertNotInHistory,
  nextPasswordHistory,
  assertPasswordNotExpired,
} from './password-policy.js';
export type { PasswordPolicy } from './password-policy.js';
export { mintEmailToken, isEmailTokenValid, looksLikeEmailToken, EMAIL_TOKEN_LENGTH } from './email-token.js';
export type { EmailToken } from './email-token.js';
export { anonymousProvider, createOidcProvider, createAuthProviders, OIDC_PRESETS } from './providers/index.js';
export type { AuthProvider, AuthProviders, AuthProviderSettings, OidcOptions } from './providers/index.js';
