import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { mintEmailToken, isEmailTokenValid, looksLikeEmailToken } from './email-token.js';
import {
  assertNotInHistory,
  assertPasswordAllowed,
  assertPasswordNotExpired,
  nextPasswordHistory,
} from './password-policy.js';

const is142 =
  (message: string) =>
  (err: unknown): boolean =>
    err instanceof ParseError && err.code === 142 && err.message === message;

/** Stands in for bcrypt: a "hash" is `h:<password>`. The real hasher is tested with the users code. */
const compare = (password: string, hash: string): Promise<boolean> => Promise.resolve(hash === `h:${password}`);

describe('password policy', () => {
  it('applies the validator pattern with the default or configured message', () => {
    const policy = { validatorPattern: '^(?=.*[0-9]).{8,}$' };
    assert.doesNotThrow(() => assertPasswordAllowed({ policy, password: 'abcdefg1', username: 'ann' }));
    assert.throws(
      () => assertPasswordAllowed({ policy, password: 'short1', username: 'ann' }),
      is142('Password does not meet the Password Policy requirements.'),
    );
    assert.throws(
      () =>
        assertPasswordAllowed({
          policy: { ...policy, validationError: 'Need 8+ with a digit' },
          password: 'x',
          username: 'a',
        }),
      is142('Need 8+ with a digit'),
    );
  });

  it('refuses a password containing the username', () => {
    const policy = { doNotAllowUsername: true };
    assert.throws(
      () => assertPasswordAllowed({ policy, password: 'xxannxx', username: 'ann' }),
      is142('Password cannot contain your username.'),
    );
    assert.doesNotThrow(() => assertPasswordAllowed({ policy, password: 'bob', username: 'ann' }));
    assert.doesNotThrow(() => assertPasswordAllowed({ policy: undefined, password: 'ann', username: 'ann' }));
  });

  it('keeps max-1 previous hashes and refuses the last N passwords', async () => {
    const policy = { maxPasswordHistory: 2 };
    let history: string[] = [];
    history = nextPasswordHistory({ policy, previousHash: 'h:one', history }) ?? [];
    assert.deepEqual(history, ['h:one']);
    history = nextPasswordHistory({ policy, previousHash: 'h:two', history }) ?? [];
    assert.deepEqual(history, ['h:two']);
    // current = three, history = [two]: two and three refused, one allowed again
    for (const password of ['two', 'three']) {
      await assert.rejects(
        assertNotInHistory({ policy, password, currentHash: 'h:three', history, compare }),
        is142('New password should not be the same as last 2 passwords.'),
      );
    }
    await assertNotInHistory({ policy, password: 'one', currentHash: 'h:three', history, compare });
    assert.equal(nextPasswordHistory({ policy: {}, previousHash: 'h:x', history: [] }), undefined);
  });

  it('expires passwords after maxPasswordAge days', () => {
    const changed = new Date('2025-01-01T00:00:00.000Z');
    const policy = { maxPasswordAge: 10 };
    assert.doesNotThrow(() =>
      assertPasswordNotExpired({ policy, passwordChangedAt: changed, now: new Date('2025-01-11T00:00:00.000Z') }),
    );
    assert.throws(
      () => assertPasswordNotExpired({ policy, passwordChangedAt: changed, now: new Date('2025-01-11T00:00:00.001Z') }),
      (err: unknown) =>
        err instanceof ParseError &&
        err.code === 101 &&
        err.message === 'Your password has expired. Please reset your password.',
    );
    assert.doesNotThrow(() => assertPasswordNotExpired({ policy, passwordChangedAt: undefined, now: new Date() }));
  });
});

describe('email tokens', () => {
  it('are 25 alphanumerics and expire after the validity duration', () => {
    const now = new Date('2025-01-01T00:00:00.000Z');
    const token = mintEmailToken({ now, validitySeconds: 60 });
    assert.match(token.token, /^[A-Za-z0-9]{25}$/);
    assert.equal(looksLikeEmailToken(token.token), true);
    assert.deepEqual(token.expiresAt, new Date('2025-01-01T00:01:00.000Z'));
    assert.equal(isEmailTokenValid({ expiresAt: token.expiresAt, now: new Date('2025-01-01T00:00:59.999Z') }), true);
    assert.equal(isEmailTokenValid({ expiresAt: token.expiresAt, now: new Date('2025-01-01T00:01:00.000Z') }), false);
    assert.equal(mintEmailToken({ now, validitySeconds: undefined }).expiresAt, undefined);
    assert.equal(looksLikeEmailToken('short'), false);
    assert.equal(looksLikeEmailToken({ $ne: null }), false);
  });
});
