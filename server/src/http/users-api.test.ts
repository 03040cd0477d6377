import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { CallOptions, TestServer } from '../testing/test-server.test-util.js';

/** Users, sessions, roles and key rules over real HTTP (rest.md §6-8, security.md §2-3, §6). */

type Json = Record<string, unknown>;
const READ_ONLY_KEY = 'test-read-only-master-key';
const MAINTENANCE_KEY = 'test-maintenance-key';
const q = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

function suite(backend: 'sqlite' | 'mongodb', skip: string | false): void {
  describe(`users and sessions over HTTP (${backend})`, { skip }, () => {
    let server: TestServer;
    let time = Date.parse('2030-01-01T00:00:00.000Z');
    const call = (options: CallOptions & { token?: string }) =>
      server.call({
        ...options,
        headers: {
          ...options.headers,
          ...(options.token === undefined ? {} : { 'X-Parse-Session-Token': options.token }),
        },
      });
    const signUp = async (username: string, extra: Json = {}): Promise<{ id: string; token: string }> => {
      const r = await call({
        method: 'POST',
        path: '/users',
        body: { username, password: `pw-${username}`, ...extra },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const body = r.body as Json;
      return { id: body['objectId'] as string, token: body['sessionToken'] as string };
    };
    const error = (r: { status: number; body: unknown }) => ({ status: r.status, body: r.body });

    before(async () => {
      server = await startTestServer({
        backend,
        passwordHashCost: 4,
        sessionLength: 3600,
        readOnlyMasterKey: READ_ONLY_KEY,
        maintenanceKey: MAINTENANCE_KEY,
        authRateLimit: 0,
        authRateLimitAccount: 0,
        now: () => new Date(time),
      });
    });
    after(() => server.close());

    it('sign-up: 201 with token and Location; private ACL; only a hash stored', async () => {
      const r = await call({
        method: 'POST',
        path: '/users',
        body: { username: 'alice', password: 'pw-alice', email: 'a@x.io' },
      });
      assert.equal(r.status, 201);
      const body = r.body as Json;
      assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'objectId', 'sessionToken']);
      assert.match(body['sessionToken'] as string, /^r:[0-9a-f]{32}$/);
      assert.equal(r.headers.get('location'), `${server.mountURL}/users/${String(body['objectId'])}`);
      const stored = await call({ path: `/users/${String(body['objectId'])}`, master: true });
      assert.deepEqual(stored.body, {
        objectId: body['objectId'],
        createdAt: body['createdAt'],
        updatedAt: body['createdAt'],
        ACL: { [body['objectId'] as string]: { read: true, write: true } },
        username: 'alice',
        email: 'a@x.io',
      });
    });

    it('sign-up errors: 200, 201, 202 and 203 ignoring case, 125, 119 for emailVerified', async () => {
      const cases: Array<[Json, number, number]> = [
        [{ password: 'p' }, 200, 400],
        [{ username: '', password: 'p' }, 200, 400],
        [{ username: 'nopw' }, 201, 400],
        [{ username: 'ALICE', password: 'p' }, 202, 400],
        [{ username: 'other', password: 'p', email: 'A@X.IO' }, 203, 400],
        [{ username: 'bad', password: 'p', email: 'not-an-email' }, 125, 400],
        [{ username: 'verified', password: 'p', emailVerified: true }, 119, 400],
      ];
      for (const [body, code, status] of cases) {
        const r = await call({ method: 'POST', path: '/users', body });
        assert.equal(r.status, status, JSON.stringify(body));
        assert.equal((r.body as Json)['code'], code, JSON.stringify(body));
      }
    });

    it('log-in by GET query or POST body, by username or email; 101 alike for unknown user and wrong password', async () => {
      const bob = await signUp('bob', { email: 'bob@x.io' });
      const viaQuery = await call({ path: `/login?username=bob&password=pw-bob` });
      assert.equal(viaQuery.status, 200);
      const user = viaQuery.body as Json;
      assert.equal(user['objectId'], bob.id);
      assert.equal(user['email'], 'bob@x.io', 'the user reads its own email');
      assert.match(user['sessionToken'] as string, /^r:[0-9a-f]{32}$/);
      assert.equal(user['password'], undefined);
      const viaBody = await call({
        method: 'POST',
        path: '/login',
        body: { username: 'bob@x.io', password: 'pw-bob' },
      });
      assert.equal((viaBody.body as Json)['objectId'], bob.id);
      const wrong = await call({ method: 'POST', path: '/login', body: { username: 'bob', password: 'nope' } });
      const unknown = await call({ method: 'POST', path: '/login', body: { username: 'nobody', password: 'nope' } });
      const expected = { status: 404, body: { code: 101, error: 'Invalid username/password.' } };
      assert.deepEqual(error(wrong), expected);
      assert.deepEqual(error(unknown), expected);
      assert.deepEqual(
        error(await call({ method: 'POST', path: '/login', body: { username: 'bob', password: 7 } })),
        expected,
      );
      assert.deepEqual(error(await call({ method: 'POST', path: '/login', body: { password: 'x' } })), {
        status: 400,
        body: { code: 200, error: 'username/email is required.' },
      });
      assert.deepEqual(error(await call({ method: 'POST', path: '/login', body: { username: 'bob' } })), {
        status: 400,
        body: { code: 201, error: 'password is required.' },
      });
      // A token sent along with a log-in is ignored, even an invalid one.
      const ignored = await call({
        method: 'POST',
        path: '/login',
        body: { username: 'bob', password: 'pw-bob' },
        token: 'r:bogus',
      });
      assert.equal(ignored.status, 200);
    });

    it('me, log-out, and 209 for unknown tokens on any route', async () => {
      const carol = await signUp('carol');
      const me = await call({ path: '/users/me', token: carol.token });
      assert.equal(me.status, 200);
      assert.equal((me.body as Json)['username'], 'carol');
      assert.equal((me.body as Json)['sessionToken'], carol.token);
      assert.deepEqual(error(await call({ path: '/users/me' })), {
        status: 400,
        body: { code: 209, error: 'Invalid session token' },
      });
      assert.deepEqual((await call({ method: 'POST', path: '/logout', token: carol.token })).body, {});
      const after = await call({ path: '/classes/Anything', token: carol.token });
      assert.deepEqual(error(after), { status: 400, body: { code: 209, error: 'Invalid session token' } });
      assert.deepEqual((await call({ method: 'POST', path: '/logout' })).body, {}, 'log-out without a token');
      // The master key ignores a token entirely.
      assert.equal((await call({ path: '/users', master: true, token: 'r:bogus' })).status, 200);
    });

    it('users see only themselves; own get carries the token; others answer 101 / 206', async () => {
      const dave = await signUp('dave');
      const erin = await signUp('erin');
      const found = await call({ path: '/users', token: dave.token });
      assert.deepEqual(
        (found.body as { results: Json[] }).results.map((u) => u['username']),
        ['dave'],
      );
      const own = await call({ path: `/users/${dave.id}`, token: dave.token });
      assert.equal((own.body as Json)['sessionToken'], dave.token);
      assert.equal((await call({ path: `/users/${erin.id}`, token: dave.token })).status, 404);
      const foreignUpdate = await call({ method: 'PUT', path: `/users/${erin.id}`, body: { x: 1 }, token: dave.token });
      assert.deepEqual(error(foreignUpdate), { status: 400, body: { code: 206, error: 'Insufficient auth.' } });
      const anonymousDelete = await call({ method: 'DELETE', path: `/users/${erin.id}` });
      assert.equal((anonymousDelete.body as Json)['code'], 206);
      const ownUpdate = await call({
        method: 'PUT',
        path: `/users/${dave.id}`,
        body: { x: 1, ACL: { '*': { read: true } } },
        token: dave.token,
      });
      assert.equal(ownUpdate.status, 200);
      const acl = ((await call({ path: `/users/${dave.id}`, master: true })).body as Json)['ACL'];
      assert.deepEqual(
        acl,
        { '*': { read: true }, [dave.id]: { read: true, write: true } },
        'the user keeps rw on itself',
      );
    });

    it('a password change revokes every session and answers a fresh token', async () => {
      const fay = await signUp('fay');
      const second = ((await call({ path: '/login?username=fay&password=pw-fay' })).body as Json)[
        'sessionToken'
      ] as string;
      const changed = await call({
        method: 'PUT',
        path: `/users/${fay.id}`,
        body: { password: 'new-pw' },
        token: fay.token,
      });
      assert.equal(changed.status, 200);
      const fresh = (changed.body as Json)['sessionToken'] as string;
      assert.match(fresh, /^r:[0-9a-f]{32}$/);
      for (const old of [fay.token, second]) {
        assert.equal(((await call({ path: '/users/me', token: old })).body as Json)['code'], 209);
      }
      assert.equal((await call({ path: '/users/me', token: fresh })).status, 200);
      assert.equal((await call({ path: '/login?username=fay&password=new-pw' })).status, 200);
      assert.equal((await call({ path: '/login?username=fay&password=pw-fay' })).status, 404);
    });

    it('deleting a user deletes its sessions', async () => {
      const gus = await signUp('gus');
      assert.deepEqual((await call({ method: 'DELETE', path: `/users/${gus.id}`, token: gus.token })).body, {});
      assert.equal(((await call({ path: '/classes/X', token: gus.token })).body as Json)['code'], 209);
    });

    it('sessions: own only, /sessions/me, restricted create, server-owned fields, delete revokes', async () => {
      const hal = await signUp('hal');
      const ivy = await signUp('ivy');
      const mine = await call({ path: '/sessions', token: hal.token });
      const sessions = (mine.body as { results: Json[] }).results;
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0]?.['sessionToken'], hal.token);
      assert.deepEqual(sessions[0]?.['user'], { __type: 'Pointer', className: '_User', objectId: hal.id });
      assert.deepEqual(sessions[0]?.['createdWith'], { action: 'signup', authProvider: 'password' });
      assert.deepEqual(sessions[0]?.['expiresAt'], { __type: 'Date', iso: new Date(time + 3600_000).toISOString() });
      assert.deepEqual(error(await call({ path: '/sessions' })), {
        status: 400,
        body: { code: 209, error: 'Session token required.' },
      });
      const me = await call({ path: '/sessions/me', token: hal.token });
      assert.equal((me.body as Json)['objectId'], sessions[0]?.['objectId']);
      assert.deepEqual(error(await call({ path: '/sessions/me', token: 'r:unknown' })), {
        status: 400,
        body: { code: 209, error: 'Session token not found.' },
      });
      const ivySession = ((await call({ path: '/sessions', token: ivy.token })).body as { results: Json[] }).results[0];
      const ivyId = ivySession?.['objectId'] as string;
      assert.equal((await call({ path: `/sessions/${ivyId}`, token: hal.token })).status, 404);
      assert.equal((await call({ method: 'DELETE', path: `/sessions/${ivyId}`, token: hal.token })).status, 404);
      const renamed = await call({
        method: 'PUT',
        path: `/sessions/${ivyId}`,
        body: { sessionToken: 'r:x' },
        token: ivy.token,
      });
      assert.deepEqual(error(renamed), { status: 400, body: { code: 105, error: 'Invalid key name: sessionToken' } });
      const created = await call({
        method: 'POST',
        path: '/sessions',
        body: { note: 'cli', user: 'x' },
        token: hal.token,
      });
      assert.equal(created.status, 201);
      const restricted = created.body as Json;
      assert.deepEqual(restricted['createdWith'], { action: 'create' });
      assert.deepEqual(restricted['user'], { __type: 'Pointer', className: '_User', objectId: hal.id });
      assert.match(restricted['sessionToken'] as string, /^r:[0-9a-f]{32}$/);
      const acl = await call({ method: 'POST', path: '/sessions', body: { ACL: {} }, token: hal.token });
      assert.equal((acl.body as Json)['code'], 105);
      assert.deepEqual((await call({ method: 'DELETE', path: `/sessions/${ivyId}`, token: ivy.token })).body, {});
      assert.equal(((await call({ path: '/users/me', token: ivy.token })).body as Json)['code'], 209);
    });

    it('log-in from the same installation replaces that installation’s session only', async () => {
      await signUp('jay');
      const login = async (installation: string) =>
        (
          (
            await call({
              path: '/login?username=jay&password=pw-jay',
              headers: { 'X-Parse-Installation-Id': installation },
            })
          ).body as Json
        )['sessionToken'] as string;
      const first = await login('device-1');
      const other = await login('device-2');
      const again = await login('device-1');
      assert.equal(((await call({ path: '/users/me', token: first })).body as Json)['code'], 209);
      assert.equal((await call({ path: '/users/me', token: other })).status, 200);
      assert.equal((await call({ path: '/users/me', token: again })).status, 200);
    });

    it('an expired session answers 209 "Session token is expired." (injected clock)', async () => {
      const kim = await signUp('kim');
      assert.equal((await call({ path: '/users/me', token: kim.token })).status, 200);
      time += 3600_000;
      try {
        assert.deepEqual(error(await call({ path: '/users/me', token: kim.token })), {
          status: 400,
          body: { code: 209, error: 'Session token is expired.' },
        });
      } finally {
        time -= 3600_000;
      }
    });

    it('verifyPassword and loginAs', async () => {
      const lea = await signUp('lea');
      const verified = await call({ path: '/verifyPassword?username=lea&password=pw-lea' });
      assert.equal((verified.body as Json)['objectId'], lea.id);
      assert.equal((verified.body as Json)['sessionToken'], undefined);
      assert.equal(
        (await call({ method: 'POST', path: '/verifyPassword', body: { username: 'lea', password: 'x' } })).status,
        404,
      );
      const as = await call({ method: 'POST', path: '/loginAs', body: { userId: lea.id }, master: true });
      assert.equal((as.body as Json)['username'], 'lea');
      const token = (as.body as Json)['sessionToken'] as string;
      const session = ((await call({ path: '/sessions/me', token })).body as Json)['createdWith'];
      assert.deepEqual(session, { action: 'login', authProvider: 'masterkey' });
      assert.deepEqual(error(await call({ method: 'POST', path: '/loginAs', body: { userId: lea.id } })), {
        status: 403,
        body: { error: 'Permission denied' },
      });
      const readOnly = await call({
        method: 'POST',
        path: '/loginAs',
        body: { userId: lea.id },
        headers: { 'X-Parse-Master-Key': READ_ONLY_KEY, 'X-Parse-REST-API-Key': '' },
      });
      assert.equal((readOnly.body as Json)['code'], 119);
      assert.equal(
        ((await call({ method: 'POST', path: '/loginAs', body: {}, master: true })).body as Json)['code'],
        162,
      );
      assert.deepEqual(
        error(await call({ method: 'POST', path: '/loginAs', body: { userId: 'nope' }, master: true })),
        {
          status: 404,
          body: { code: 101, error: 'user not found' },
        },
      );
    });

    it('roles: name and ACL required (111), unique name (137)', async () => {
      const noName = await call({ method: 'POST', path: '/roles', body: { ACL: {} } });
      assert.deepEqual(error(noName), { status: 400, body: { code: 111, error: 'name is required.' } });
      const noAcl = await call({ method: 'POST', path: '/roles', body: { name: 'Admins' } });
      assert.deepEqual(error(noAcl), { status: 400, body: { code: 111, error: 'ACL is required.' } });
      const acl = { '*': { read: true } };
      assert.equal(
        (await call({ method: 'POST', path: '/roles', body: { name: 'Admins', ACL: acl }, master: true })).status,
        201,
      );
      const dup = await call({ method: 'POST', path: '/roles', body: { name: 'Admins', ACL: acl }, master: true });
      assert.equal((dup.body as Json)['code'], 137);
    });

    it('read-only master reads everything and writes nothing (119); maintenance bypasses ACLs but not master-only routes', async () => {
      const max = await signUp('max');
      const readOnly = { 'X-Parse-Master-Key': READ_ONLY_KEY, 'X-Parse-REST-API-Key': '' };
      const maintenance = { 'X-Parse-Maintenance-Key': MAINTENANCE_KEY, 'X-Parse-REST-API-Key': '' };
      assert.equal(((await call({ path: `/users/${max.id}`, headers: readOnly })).body as Json)['username'], 'max');
      assert.equal((await call({ path: '/schemas', headers: readOnly })).status, 200);
      for (const write of [
        { method: 'POST', path: '/classes/Thing', body: { a: 1 } },
        { method: 'PUT', path: `/users/${max.id}`, body: { a: 1 } },
        { method: 'DELETE', path: `/users/${max.id}` },
        { method: 'POST', path: '/schemas/Other', body: {} },
        { method: 'POST', path: '/users', body: { username: 'ro', password: 'p' } },
      ]) {
        const r = await call({ ...write, headers: readOnly });
        assert.deepEqual(error(r), { status: 400, body: { code: 119, error: 'Permission denied' } }, write.path);
      }
      assert.equal(((await call({ path: `/users/${max.id}`, headers: maintenance })).body as Json)['username'], 'max');
      const updated = await call({
        method: 'PUT',
        path: `/users/${max.id}`,
        body: { note: 'm' },
        headers: maintenance,
      });
      assert.equal(updated.status, 200);
      assert.deepEqual(error(await call({ path: '/schemas', headers: maintenance })), {
        status: 403,
        body: { error: 'Permission denied' },
      });
      void MASTER_KEY;
    });

    it('the password hash never leaves the server, not even through include', async () => {
      const ned = await signUp('ned');
      await call({
        method: 'POST',
        path: '/classes/Post',
        body: { author: { __type: 'Pointer', className: '_User', objectId: ned.id } },
        master: true,
      });
      const r = await call({ path: `/classes/Post?include=author&where=${q({})}`, master: true });
      const author = ((r.body as { results: Json[] }).results[0] as Json)['author'] as Json;
      assert.equal(author['username'], 'ned');
      assert.equal(author['password'], undefined);
      assert.equal(author['_hashed_password'], undefined);
      assert.equal(JSON.stringify(r.body).includes('$2'), false);
    });
  });
}

suite('sqlite', false);
const mongo = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip =
  mongo === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_MONGODB_URI is not set' : false;
if (mongoSkip !== false) console.log(`users and sessions over HTTP (mongodb) skipped: ${mongoSkip}`);
suite('mongodb', mongoSkip);
