import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthProvider } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { startAccountsApp } from '../testing/accounts-harness.test-util.js';
import type { Harness } from '../testing/accounts-harness.test-util.js';

/**
 * Third-party log-in through REST (rest.md §6.10) on a real SQLite app: anonymous users, a custom provider
 * written in code (accepts `token === "ok-" + id`), linking, unlinking, uniqueness and visibility. The
 * OpenID provider's signature checks are covered against a local JWKS server in auth/providers.
 */

const codeProvider: AuthProvider = {
  validateAuthData({ authData }) {
    if (authData['token'] === `ok-${String(authData['id'])}`) return Promise.resolve();
    return Promise.reject(new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: 'Bad token.' }));
  },
};

describe('authData sign-up, log-in and linking', () => {
  let h: Harness;
  before(async () => {
    h = await startAccountsApp(
      { authProviders: { disabled: { enabled: false } } },
      { authProviders: { code: codeProvider } },
    );
  });
  after(() => h.close());

  it('signs up an anonymous user (201, random username) and logs it in again (200)', async () => {
    const first = await h.call({ path: '/users', body: { authData: { anonymous: { id: 'anon-1' } } } });
    assert.equal(first.status, 201);
    assert.match(first.body['username'] as string, /^[A-Za-z0-9]{25}$/);
    assert.match(first.body['sessionToken'] as string, /^r:/);
    const again = await h.call({ path: '/users', body: { authData: { anonymous: { id: 'anon-1' } } } });
    assert.equal(again.status, 200);
    assert.equal(again.body['objectId'], first.body['objectId']);
    assert.equal(again.body['username'], first.body['username']);
    assert.deepEqual(again.body['authData'], { anonymous: { id: 'anon-1' } });
    assert.notEqual(again.body['sessionToken'], first.body['sessionToken']);
    const me = await h.call({ method: 'GET', path: '/users/me', token: again.body['sessionToken'] as string });
    assert.equal(me.body['objectId'], first.body['objectId']);
  });

  it('answers 252 for unknown, disabled or malformed providers and the provider error for bad data', async () => {
    const unsupported = { status: 400, body: { code: 252, error: 'This authentication method is unsupported.' } };
    assert.deepEqual(await h.call({ path: '/users', body: { authData: { facebook: { id: '1' } } } }), unsupported);
    assert.deepEqual(await h.call({ path: '/users', body: { authData: { disabled: { id: '1' } } } }), unsupported);
    assert.deepEqual(await h.call({ path: '/users', body: { authData: null } }), unsupported);
    assert.deepEqual(await h.call({ path: '/users', body: { authData: { code: { id: '7', token: 'nope' } } } }), {
      status: 404,
      body: { code: 101, error: 'Bad token.' },
    });
  });

  it('links a second provider, refuses an id linked elsewhere (208), unlinks, and hides authData from others', async () => {
    const ann = await h.call({ path: '/users', body: { username: 'ann', password: 'pw' } });
    const annId = ann.body['objectId'] as string;
    const annToken = ann.body['sessionToken'] as string;
    const link = await h.call({
      method: 'PUT',
      path: `/users/${annId}`,
      body: { authData: { code: { id: 'c-1', token: 'ok-c-1' } } },
      token: annToken,
    });
    assert.equal(link.status, 200);
    assert.equal(link.body['sessionToken'], undefined);
    await h.call({
      method: 'PUT',
      path: `/users/${annId}`,
      body: { authData: { anonymous: { id: 'anon-ann' } } },
      token: annToken,
    });
    let own = await h.call({ method: 'GET', path: `/users/${annId}`, token: annToken });
    assert.deepEqual(own.body['authData'], { code: { id: 'c-1', token: 'ok-c-1' }, anonymous: { id: 'anon-ann' } });

    const viaProvider = await h.call({ path: '/users', body: { authData: { code: { id: 'c-1', token: 'ok-c-1' } } } });
    assert.equal(viaProvider.status, 200);
    assert.equal(viaProvider.body['objectId'], annId);

    const bob = await h.call({
      path: '/users',
      body: { username: 'bob', password: 'pw', ACL: { '*': { read: true } } },
    });
    const bobToken = bob.body['sessionToken'] as string;
    assert.deepEqual(
      await h.call({
        method: 'PUT',
        path: `/users/${bob.body['objectId'] as string}`,
        body: { authData: { code: { id: 'c-1', token: 'ok-c-1' } } },
        token: bobToken,
      }),
      { status: 400, body: { code: 208, error: 'this auth is already used' } },
    );

    const unlink = await h.call({
      method: 'PUT',
      path: `/users/${annId}`,
      body: { authData: { code: null } },
      token: annToken,
    });
    assert.equal(unlink.status, 200);
    own = await h.call({ method: 'GET', path: `/users/${annId}`, token: annToken });
    assert.deepEqual(own.body['authData'], { anonymous: { id: 'anon-ann' } });
    // the unlinked id now signs up a new user
    const fresh = await h.call({ path: '/users', body: { authData: { code: { id: 'c-1', token: 'ok-c-1' } } } });
    assert.equal(fresh.status, 201);

    const seenByAnn = await h.call({
      method: 'GET',
      path: `/users/${bob.body['objectId'] as string}`,
      token: annToken,
    });
    assert.equal(seenByAnn.status, 200);
    await h.call({
      method: 'PUT',
      path: `/users/${bob.body['objectId'] as string}`,
      body: { authData: { anonymous: { id: 'anon-bob' } } },
      token: bobToken,
    });
    const again = await h.call({ method: 'GET', path: `/users/${bob.body['objectId'] as string}`, token: annToken });
    assert.equal(again.body['authData'], undefined);
  });

  it('refuses anonymous users when enableAnonymousUsers is off', async () => {
    const off = await startAccountsApp({ enableAnonymousUsers: false });
    try {
      assert.equal(
        (await off.call({ path: '/users', body: { authData: { anonymous: { id: 'x' } } } })).body['code'],
        252,
      );
    } finally {
      await off.close();
    }
  });
});
