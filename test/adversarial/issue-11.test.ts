/**
 * Regression tests for the attacks of issue 11 that this suite owns: ReDoS through `$regex` (item 2), a user
 * writing its own `sessionToken` (item 6), clients reading every `_Installation` (item 7), and the total
 * query cost limit. Each runs with only the client key (plus a session), on SQLite and on MongoDB
 * (FerretDB here) when STRATA_TEST_MONGODB_URI is set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CloudRegistry } from '../../server/src/cloud/index.js';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { describeWithMongo } from '../../server/src/testing/mongo.test-util.js';
import { jsonCall } from './json-call.js';
import type { Json, JsonRequest } from './json-call.js';

const q = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

function registerHooks(registry: CloudRegistry): void {
  // A beforeSave that does what a client may not: it must not get through either.
  registry.defineTrigger({
    triggerName: 'beforeSave',
    className: '_User',
    source: 'strata',
    handler: (request) => {
      const object = request.object as Json;
      if (object['nickname'] === 'mint-token') return Promise.resolve({ changes: { sessionToken: 'hook-token' } });
      if (object['nickname'] === 'internal') return Promise.resolve({ changes: { _hashed_password: 'x' } });
      return Promise.resolve(undefined);
    },
  });
}

function issue11Tests(backend: 'sqlite' | 'mongodb'): void {
  let server: TestServer;
  let user: { id: string; token: string };

  const call = (request: JsonRequest): Promise<{ status: number; body: Json }> => jsonCall(server, request);

  async function expectError(
    request: Parameters<typeof call>[0],
    expected: { status?: number; code: number; message?: RegExp },
  ): Promise<Json> {
    const { status, body } = await call(request);
    assert.equal(status, expected.status ?? 400, JSON.stringify(body));
    assert.equal(body['code'], expected.code, JSON.stringify(body));
    if (expected.message !== undefined) assert.match(String(body['error']), expected.message);
    return body;
  }

  async function signUp(username: string, extra: Json = {}): Promise<{ id: string; token: string }> {
    const { status, body } = await call({
      method: 'POST',
      path: '/users',
      body: { username, password: 'pw', ...extra },
    });
    assert.equal(status, 201, JSON.stringify(body));
    return { id: String(body['objectId']), token: String(body['sessionToken']) };
  }

  before(async () => {
    server = await startTestServer({ backend, cloudSetup: registerHooks });
    user = await signUp('alice');
  });
  after(() => server.close());

  describe('item 2: $regex runs on a linear-time engine', () => {
    before(async () => {
      for (const name of ['a'.repeat(3000) + '!', 'Hello\nWorld', 'abc']) {
        const { status } = await call({
          method: 'POST',
          path: '/classes/Text',
          body: { name, tags: [name] },
          master: true,
        });
        assert.equal(status, 201);
      }
    });

    async function names(where: Json): Promise<string[]> {
      const { status, body } = await call({ path: `/classes/Text?where=${q(where)}` });
      assert.equal(status, 200, JSON.stringify(body));
      return (body['results'] as Json[]).map((r) => String(r['name']).slice(0, 12)).sort();
    }

    it(
      'answers a catastrophic-backtracking pattern at once, correctly',
      { skip: mongoEvaluates(backend) },
      async () => {
        // On a backtracking engine each of these runs for longer than the universe has existed: a regression
        // is a test that never ends.
        assert.deepEqual(await names({ name: { $regex: '(a+)+$' } }), []);
        assert.deepEqual(await names({ name: { $regex: '^(a|aa)+$' } }), []);
        assert.deepEqual(await names({ tags: { $all: [{ $regex: '(a+)+$' }] } }), []);
        assert.deepEqual(await names({ name: { $regex: '(a+)+!' } }), ['aaaaaaaaaaaa']);
        // The server still answers everyone else.
        assert.deepEqual(await names({ name: 'abc' }), ['abc']);
      },
    );

    it('maps the options i, m, s, x', async () => {
      assert.deepEqual(await names({ name: { $regex: '^hello', $options: 'i' } }), ['Hello\nWorld']);
      assert.deepEqual(await names({ name: { $regex: '^World', $options: 'm' } }), ['Hello\nWorld']);
      assert.deepEqual(await names({ name: { $regex: '^World' } }), []);
      assert.deepEqual(await names({ name: { $regex: 'Hello.World', $options: 's' } }), ['Hello\nWorld']);
      assert.deepEqual(await names({ name: { $regex: ' a b c # the letters', $options: 'x' } }), ['abc']);
      assert.deepEqual(await names({ name: { $regex: '^\\Qab\\E' } }), ['abc']);
    });

    it('refuses what RE2 cannot run with 102 and says why', async () => {
      const cases: Array<[string, string]> = [
        ['(a)\\1', 'a backreference'],
        ['a(?=b)', 'a lookahead'],
        ['(?<!a)b', 'a lookbehind'],
        ['(?>a+)b', 'an atomic group'],
        ['a++', 'a possessive quantifier'],
      ];
      for (const [pattern, construct] of cases) {
        await expectError(
          { path: `/classes/Text?where=${q({ name: { $regex: pattern } })}` },
          {
            code: 102,
            message: new RegExp(`^\\$regex uses ${construct}, which the linear-time regex engine \\(RE2\\)`),
          },
        );
      }
      await expectError(
        { path: `/classes/Text?where=${q({ name: { $regex: 'a{5000}' } })}` },
        { code: 102, message: /invalid repeat count/ },
      );
    });
  });

  describe('item 6: internal user fields are never client-writable', () => {
    it('a user cannot write its own sessionToken, in any form', async () => {
      for (const body of [{ sessionToken: 'r:x' }, { sessionToken: 'legacy-token' }, { 'sessionToken.a': 1 }]) {
        await expectError(
          { method: 'PUT', path: `/users/${user.id}`, body, token: user.token },
          { code: 105, message: /sessionToken/ },
        );
        await expectError(
          { method: 'PUT', path: `/classes/_User/${user.id}`, body, token: user.token },
          { code: 105, message: /sessionToken/ },
        );
      }
      // Not at sign-up, not in a batch, and not with the master key either: tokens come from log-ins.
      await expectError(
        { method: 'POST', path: '/users', body: { username: 'eve', password: 'pw', sessionToken: 'legacy-token' } },
        { code: 105 },
      );
      const batch = await call({
        method: 'POST',
        path: '/batch',
        token: user.token,
        body: {
          requests: [{ method: 'PUT', path: `/parse/users/${user.id}`, body: { sessionToken: 'legacy-token' } }],
        },
      });
      assert.equal(batch.status, 200);
      assert.equal(
        ((batch.body as unknown as Json[])[0] as Json)['error'] !== undefined,
        true,
        JSON.stringify(batch.body),
      );
      await expectError(
        { method: 'PUT', path: `/users/${user.id}`, body: { sessionToken: 'legacy-token' }, master: true },
        { code: 105 },
      );
      // Nothing was stored: the would-be legacy token does not log anyone in (on MongoDB `sessionToken`
      // is stored as `_session_token`, which the legacy log-in reads).
      for (const token of ['legacy-token', 'r:x']) {
        await expectError({ path: '/users/me', token }, { code: 209 });
      }
      const me = await call({ path: `/users/${user.id}`, master: true });
      assert.equal(me.status, 200);
      assert.equal(me.body['sessionToken'], undefined, JSON.stringify(me.body));
    });

    it('a beforeSave of a client request cannot set it either', async () => {
      await expectError(
        { method: 'PUT', path: `/users/${user.id}`, body: { nickname: 'mint-token' }, token: user.token },
        { code: 105, message: /sessionToken/ },
      );
      await expectError({ path: '/users/me', token: 'hook-token' }, { code: 209 });
      // Internal `_` fields cannot even be named, by a client or a trigger.
      for (const body of [{ _hashed_password: 'x' }, { _session_token: 'x' }, { _email_verify_token: 'x' }]) {
        await expectError({ method: 'PUT', path: `/users/${user.id}`, body, token: user.token }, { code: 105 });
      }
      const viaHook = await call({
        method: 'PUT',
        path: `/users/${user.id}`,
        body: { nickname: 'internal' },
        token: user.token,
      });
      assert.equal(viaHook.status, 400, JSON.stringify(viaHook.body));
      // The password still works: nothing was overwritten.
      const login = await call({ method: 'POST', path: '/login', body: { username: 'alice', password: 'pw' } });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      assert.equal(typeof login.body['sessionToken'], 'string');
    });

    it('emailVerified stays master-only, also through a dot path', async () => {
      for (const body of [{ emailVerified: true }, { 'emailVerified.x': true }]) {
        const { status } = await call({ method: 'PUT', path: `/users/${user.id}`, body, token: user.token });
        assert.equal(status, 400);
      }
    });
  });

  describe('item 7: clients cannot query _Installation', () => {
    let installationId: string;
    before(async () => {
      const { status, body } = await call({
        method: 'POST',
        path: '/classes/_Installation',
        master: true,
        body: { installationId: 'inst-1', deviceType: 'ios', deviceToken: 'secret-device-token' },
      });
      assert.equal(status, 201, JSON.stringify(body));
      installationId = String(body['objectId']);
    });

    it('find, count, /installations and sub-queries answer 119; the master key still finds', async () => {
      const attempts = [
        '/classes/_Installation',
        `/classes/_Installation?count=1&limit=0`,
        `/classes/_Installation?where=${q({ deviceToken: 'secret-device-token' })}`,
        `/classes/Text?where=${q({ name: { $select: { query: { className: '_Installation' }, key: 'deviceToken' } } })}`,
        `/classes/Text?where=${q({ p: { $inQuery: { className: '_Installation', where: { deviceType: 'ios' } } } })}`,
      ];
      for (const path of attempts) {
        for (const token of [undefined, user.token]) {
          const body = await expectError({ path, ...(token === undefined ? {} : { token }) }, { code: 119 });
          assert.doesNotMatch(JSON.stringify(body), /secret-device-token/);
        }
      }
      const master = await call({ path: '/classes/_Installation', master: true });
      assert.equal(master.status, 200);
      assert.equal((master.body['results'] as Json[]).length, 1);
    });

    it('a client reads and writes only its own installation (by its installation id); deletes are master-only', async () => {
      const path = `/classes/_Installation/${installationId}`;
      // Knowing the objectId is not enough: another device (or none) neither reads nor rewrites it.
      await expectError({ path }, { status: 404, code: 101 });
      await expectError({ method: 'PUT', path, body: { badge: 1 } }, { status: 404, code: 101 });
      const own = await server.call({ method: 'GET', path, headers: { 'X-Parse-Installation-Id': 'inst-1' } });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal((own.body as Json)['installationId'], 'inst-1');
      await expectError({ method: 'DELETE', path }, { code: 119 });
    });
  });

  describe('the total cost of a query is limited', () => {
    it('many parts each under its own limit add up to 102; the master key is exempt', async () => {
      const branch = { p: { $inQuery: { className: 'Text', where: { name: { $in: Array(150).fill('x') } } } } };
      const where = { $or: Array.from({ length: 80 }, () => branch) };
      // Sent in the body (method override, as the JS SDK does): the URL would be too long.
      const find = { method: 'POST', path: '/classes/Text', body: { _method: 'GET', where, limit: 1 } };
      await expectError(find, { code: 102, message: /^Query is too complex: its cost is over 20000/ });
      const master = await call({ ...find, master: true });
      assert.equal(master.status, 200, JSON.stringify(master.body).slice(0, 300));
    });

    it('four $in lists of 10,000 values under one $or answer 102, not 500', async () => {
      const values = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
      const where = { $or: [0, 1, 2, 3].map(() => ({ name: { $in: values } })) };
      await expectError(
        { method: 'POST', path: '/classes/Text', body: { _method: 'GET', where } },
        { code: 102, message: /^Query is too complex/ },
      );
    });

    it('a regex costs by its compiled program: a short pattern with a big repeat is refused', async () => {
      await expectError(
        { path: `/classes/Text?where=${q({ name: { $regex: '(\\w|\\d|\\s){900}$', $options: 'i' } })}` },
        { code: 102, message: /^Query is too complex/ },
      );
    });
  });
}

function mongoEvaluates(backend: 'sqlite' | 'mongodb'): string | false {
  return backend === 'mongodb'
    ? 'MongoDB evaluates $regex itself (its own engine; see the README); the linear-time engine is tested on SQLite'
    : false;
}

describe('issue 11 regressions (SQLite)', () => issue11Tests('sqlite'));
describeWithMongo('issue 11 regressions (MongoDB)', () => issue11Tests('mongodb'));
