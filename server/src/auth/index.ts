/**
 * Auth: who is asking (`Auth`), and later passwords, sessions and the ACL / class-level permission /
 * role checks as pure functions. It does not talk HTTP.
 */
export type { Auth } from './auth.js';
export { MASTER, PUBLIC, isMasterLike } from './auth.js';
export { createPasswordHasher } from './password.js';
export type { PasswordHasher } from './password.js';
export { newSessionToken, isRevocableToken } from './session-token.js';
