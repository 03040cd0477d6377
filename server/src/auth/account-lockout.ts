import { ErrorCode, ParseError } from '../errors/index.js';

/** Option `accountLockout` (security.md §7). */
export interface AccountLockoutPolicy {
  /** Minutes an account stays locked, 0 < d < 100000. */
  readonly duration: number;
  /** Failed attempts that lock the account, 1..999. */
  readonly threshold: number;
  /** A password reset through the email flow clears the lock. */
  readonly unlockOnPasswordReset: boolean;
}

/** The `_User` fields lockout reads and writes. */
export interface LockoutFields {
  readonly failedLoginCount: number;
  readonly lockoutExpiresAt: Date | undefined;
}

/** A locked account is one whose count reached the threshold and whose lock has not yet run out. */
export function isAccountLocked(options: { policy: AccountLockoutPolicy; state: LockoutFields; now: Date }): boolean {
  const { policy, state, now } = options;
  return (
    state.failedLoginCount >= policy.threshold &&
    state.lockoutExpiresAt !== undefined &&
    state.lockoutExpiresAt.getTime() > now.getTime()
  );
}

/** Parse's answer to every attempt on a locked account, even with the right password. */
export function accountLockedError(policy: AccountLockoutPolicy): ParseError {
  return new ParseError(ErrorCode.OBJECT_NOT_FOUND, {
    message: `Your account is locked due to multiple failed login attempts. Please try again after ${policy.duration} minute(s)`,
  });
}

/** Throws the locked answer when the account is locked; called before the password is even compared. */
export function assertNotLocked(options: { policy: AccountLockoutPolicy; state: LockoutFields; now: Date }): void {
  if (isAccountLocked(options)) throw accountLockedError(options.policy);
}

/**
 * The lock to store after a failed attempt, given the count *after* it was incremented (storage increments
 * atomically so concurrent attempts all count). Undefined: nothing besides the count changes. After an
 * expired lock the count is not reset, so the next failure locks again at once (observed Parse behaviour).
 */
export function lockAfterFailure(options: {
  policy: AccountLockoutPolicy;
  failedLoginCount: number;
  now: Date;
}): Date | undefined {
  const { policy, failedLoginCount, now } = options;
  if (failedLoginCount < policy.threshold) return undefined;
  return new Date(now.getTime() + policy.duration * 60_000);
}
