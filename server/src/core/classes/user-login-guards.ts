import { assertNotLocked, assertPasswordNotExpired, lockAfterFailure, writesAsMaster } from '../../auth/index.js';
import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { StoredObject } from '../../storage/index.js';
import type { CoreDeps } from '../deps.js';
import { updateObject } from '../object-writes.js';
import { setInternal } from './user-email.js';

/**
 * The checks log-in and verifyPassword add around the password comparison (security.md §7–9): account
 * lockout before it, the failure counter after a wrong password, and after a right one the email
 * verification gate and the password's maximum age. Without `deps.accounts` they do nothing.
 */

function lockoutState(user: StoredObject): { failedLoginCount: number; lockoutExpiresAt: Date | undefined } {
  const count = user.fields['_failed_login_count'];
  const expires = user.fields['_account_lockout_expires_at'];
  return {
    failedLoginCount: typeof count === 'number' ? count : 0,
    lockoutExpiresAt: expires instanceof Date ? expires : undefined,
  };
}

/** Before comparing the password: a locked account answers the lockout message whatever the password. */
export function assertLoginAllowed(deps: CoreDeps, user: StoredObject | undefined): void {
  const accounts = deps.accounts;
  if (accounts?.accountLockout === undefined || user === undefined) return;
  assertNotLocked({ policy: accounts.accountLockout, state: lockoutState(user), now: accounts.now() });
}

/** After a wrong password for an existing user: count it (atomically) and lock at the threshold. */
export async function recordFailedLogin(deps: CoreDeps, user: StoredObject): Promise<void> {
  const accounts = deps.accounts;
  const policy = accounts?.accountLockout;
  if (accounts === undefined || policy === undefined) return;
  const schema = await deps.schemas.get('_User');
  if (schema === undefined) return;
  const updated = await updateObject(deps, {
    schema,
    objectId: user.objectId,
    where: { kind: 'eq', path: ['objectId'], value: user.objectId },
    update: { fields: { _failed_login_count: { op: 'increment', amount: 1 } }, updatedAt: accounts.now() },
  });
  const count = updated?.stored.fields['_failed_login_count'];
  const lockUntil = lockAfterFailure({
    policy,
    failedLoginCount: typeof count === 'number' ? count : 0,
    now: accounts.now(),
  });
  if (lockUntil !== undefined) {
    await setInternal(deps, {
      userId: user.objectId,
      fields: { _account_lockout_expires_at: { op: 'set', value: lockUntil } },
    });
  }
}

/**
 * After the right password: resets the failure counter, then refuses an unverified email (205, unless
 * the master or maintenance key asks `ignoreEmailVerification`) and an expired password (101).
 */
export async function checkAfterPassword(
  deps: CoreDeps,
  options: { user: StoredObject; auth: Auth; ignoreEmailVerification?: unknown },
): Promise<void> {
  const accounts = deps.accounts;
  if (accounts === undefined) return;
  const { user, auth } = options;
  if (accounts.accountLockout !== undefined && lockoutState(user).failedLoginCount > 0) {
    await setInternal(deps, { userId: user.objectId, fields: { _failed_login_count: { op: 'set', value: 0 } } });
  }
  const gated = accounts.verifyUserEmails && accounts.preventLoginWithUnverifiedEmail;
  const bypass = writesAsMaster(auth) && options.ignoreEmailVerification === true;
  if (gated && !bypass && user.fields['emailVerified'] !== true) {
    throw new ParseError(ErrorCode.EMAIL_NOT_FOUND, { message: 'User email is not verified.' });
  }
  const changedAt = user.fields['_password_changed_at'];
  assertPasswordNotExpired({
    policy: accounts.passwordPolicy,
    passwordChangedAt: changedAt instanceof Date ? changedAt : undefined,
    now: accounts.now(),
  });
}
