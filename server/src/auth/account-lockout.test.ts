import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { assertNotLocked, isAccountLocked, lockAfterFailure } from './account-lockout.js';

const policy = { duration: 5, threshold: 3, unlockOnPasswordReset: false };
const now = new Date('2025-01-01T12:00:00.000Z');
const minutes = (n: number): Date => new Date(now.getTime() + n * 60_000);

describe('account lockout', () => {
  it('locks at the threshold for `duration` minutes', () => {
    assert.equal(lockAfterFailure({ policy, failedLoginCount: 1, now }), undefined);
    assert.equal(lockAfterFailure({ policy, failedLoginCount: 2, now }), undefined);
    assert.deepEqual(lockAfterFailure({ policy, failedLoginCount: 3, now }), minutes(5));
    // after an expired lock the count stays high, so the next failure locks again at once
    assert.deepEqual(lockAfterFailure({ policy, failedLoginCount: 4, now }), minutes(5));
  });

  const cases = [
    { name: 'below threshold', count: 2, expires: minutes(5), locked: false },
    { name: 'at threshold, lock running', count: 3, expires: minutes(1), locked: true },
    { name: 'at threshold, lock expired', count: 3, expires: minutes(-1), locked: false },
    { name: 'expiring exactly now', count: 3, expires: now, locked: false },
    { name: 'no expiry stored', count: 9, expires: undefined, locked: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const state = { failedLoginCount: c.count, lockoutExpiresAt: c.expires };
      assert.equal(isAccountLocked({ policy, state, now }), c.locked);
    });
  }

  it('answers 101 with the lockout message while locked', () => {
    assert.throws(
      () => assertNotLocked({ policy, state: { failedLoginCount: 3, lockoutExpiresAt: minutes(2) }, now }),
      (err: unknown) =>
        err instanceof ParseError &&
        err.code === 101 &&
        err.message ===
          'Your account is locked due to multiple failed login attempts. Please try again after 5 minute(s)',
    );
  });
});
