import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountLockoutKind, authProvidersKind, passwordPolicyKind } from './user-policy-kinds.js';

describe('user policy option kinds', () => {
  it('parses accountLockout from a JSON string or an object', () => {
    assert.deepEqual(accountLockoutKind().parse('{"duration":5,"threshold":3}'), {
      ok: true,
      value: { duration: 5, threshold: 3, unlockOnPasswordReset: false },
    });
    assert.deepEqual(accountLockoutKind().parse({ duration: 1, threshold: 1, unlockOnPasswordReset: true }), {
      ok: true,
      value: { duration: 1, threshold: 1, unlockOnPasswordReset: true },
    });
    const bad: Array<[unknown, string]> = [
      ['nope', 'expected a JSON object'],
      [{ duration: 0, threshold: 3 }, 'duration must be a number of minutes greater than 0 and less than 100000'],
      [{ duration: 5, threshold: 1000 }, 'threshold must be an integer from 1 to 999'],
      [{ duration: 5, threshold: 3, lock: true }, 'unknown key "lock"'],
    ];
    for (const [raw, problem] of bad) {
      assert.deepEqual(accountLockoutKind().parse(raw as object), { ok: false, problem });
    }
  });

  it('validates passwordPolicy', () => {
    assert.deepEqual(passwordPolicyKind().parse('{"validatorPattern":"^.{8,}$","maxPasswordHistory":5}'), {
      ok: true,
      value: { validatorPattern: '^.{8,}$', maxPasswordHistory: 5 },
    });
    assert.deepEqual(passwordPolicyKind().parse({ validatorPattern: '(' }), {
      ok: false,
      problem: 'validatorPattern is not a valid regular expression',
    });
    assert.deepEqual(passwordPolicyKind().parse({ maxPasswordHistory: 21 }), {
      ok: false,
      problem: 'maxPasswordHistory must be an integer from 0 to 20',
    });
  });

  it('validates authProviders', () => {
    assert.equal(authProvidersKind().parse('{"google":{"clientId":"g"},"facebook":{"enabled":false}}').ok, true);
    assert.deepEqual(authProvidersKind().parse({ apple: {} }), { ok: false, problem: 'apple.clientId is required' });
    assert.deepEqual(authProvidersKind().parse({ corp: { clientId: 'x', jwksUri: 'ftp://x' } }), {
      ok: false,
      problem: 'corp.jwksUri must be an http(s) URL',
    });
    assert.deepEqual(authProvidersKind().parse({ corp: { clientId: 'x', algorithms: ['HS256'] } }), {
      ok: false,
      problem: 'corp.algorithms may list RS256 and ES256',
    });
  });
});
