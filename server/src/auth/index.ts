/**
 * Auth: who is asking (`Auth`, resolved from presented keys by `CredentialResolver`, the one key check every
 * door uses), the master-key rules (`requireMaster`), and the one permission engine every front end uses
 * through core: the caller's ACL group, class-level permissions with pointer permissions, the default
 * object ACL, protectedFields, and role resolution with its cache (object ACLs themselves are tested in one
 * place, the `acl` condition of `query/match.ts`, which core's `ReadPolicy` builds). Everything here is pure or takes its I/O as an
 * interface (`RoleSource`); it reads Parse's credential headers (`readWireCredentials`) but serves no HTTP
 * and touches no storage. Session tokens are resolved to users by core (`core.authenticate`).
 */
export type { Auth } from './auth.js';
export { MASTER, PUBLIC, isMasterLike } from './auth.js';
export { assertMayWrite, isMaster, requireMaster, writesAsMaster } from './master-key.js';
export type { MasterRequirement } from './master-key.js';
export { CredentialResolver } from './credentials.js';
export type { Credentials, KeyConfig, PresentedCredentials } from './credentials.js';
export { readWireCredentials, hasHeaderCredentials, parseContext } from './credential-wire.js';
export type { WireCredentials, WireHeaders } from './credential-wire.js';
export { IpAllowList } from './ip-allow-list.js';
export { createPasswordHasher } from './password.js';
export type { PasswordHasher } from './password.js';
export { newSessionToken, isRevocableToken } from './session-token.js';
export type { PermissionCaller } from './caller.js';
export { callerEntities } from './caller.js';
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
