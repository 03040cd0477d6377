/**
 * Auth: who is asking (`Auth`), and later passwords, sessions and the ACL / class-level permission /
 * role checks as pure functions. It does not talk HTTP.
 */
export type { Auth } from './auth.js';
export { MASTER, PUBLIC, isMasterLike } from './auth.js';
export { createPasswordHasher } from './password.js';
export type { PasswordHasher } from './password.js';
export { newSessionToken, isRevocableToken } from './session-token.js';
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
