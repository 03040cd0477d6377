/**
 * Rules of the system classes, plugged into the generic operations through `ClassRules` hooks: `_User`
 * (sign-up checks, hashed passwords, sessions on sign-up and password change), `_Session` (own sessions
 * only), `_Role` (name and ACL required), plus the user and session operations (log-in, me, log-out...)
 * and the session store with its cache; `_Installation` (own installation only, upsert and token de-duplication).
 */
import { installationRules } from './installation.js';
import { roleRules } from './role.js';
import type { ClassRules } from './rules.js';
import { sessionRules } from './session.js';
import { userRules } from './user.js';

export type { ClassRules, WriteContext } from './rules.js';
export { isReadById, withClassRestriction, writeDeniedError } from './restrict.js';
export { SESSION_EVICTION_CLASSES, SessionCache, sessionEvictionOf } from './session-cache.js';
export type { CachedSession, SessionEviction, SessionCacheOptions } from './session-cache.js';
export type { UserServices } from './user-services.js';
export { resolveSession } from './session-store.js';
export { currentSession, upgradeToRevocableSession } from './session-ops.js';
export { logIn, logInAs, logOut, me, verifyPassword } from './user-login.js';
export type { LoggedIn, PasswordCredentials } from './user-login.js';

const NO_RULES: ClassRules = {};

const RULES: ReadonlyMap<string, ClassRules> = new Map([
  ['_User', userRules],
  ['_Session', sessionRules],
  ['_Role', roleRules],
  ['_Installation', installationRules],
]);

export function classRules(className: string): ClassRules {
  return RULES.get(className) ?? NO_RULES;
}
