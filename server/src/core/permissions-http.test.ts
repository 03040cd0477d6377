/**
 * Permission rules the matrix does not reach, over real HTTP on SQLite: the role cache following `_Role`
 * writes (here and, through Redis, on another server), the CLP default ACL, `addField`, `$relatedTo`
 * owners, protectedFields in `where`/`order` and through `userField:`, and `_User.email`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { CallOptions, TestServer } from '../testing/test-server.test-util.js';

type Body = Record<string, unknown>;

const pointer = (className: string, objectId: string): Body => ({ __type: 'Pointer', className, objectId });
const where = (w: Body): string => `where=${encodeURIComponent(JSON.stringify(w))}`;

interface User {
  readonly id: string;
  readonly headers: Record<string, string>;
}

async function ok(server: TestServer, options: CallOptions): Promise<Body> {
  const response = await server.call(options);
  assert.ok(response.status < 300, `${options.method ?? 'GET'} ${options.path}: ${JSON.stringify(response.body)}`);
  return response.body as Body;
}

async function signUp(server: TestServer, username: string, extra: Body = {}): Promise<User> {
  const body = await ok(server, { method: 'POST', path: '/users', body: { username, password: 'pw', ...extra } });
  return { id: body['objectId'] as string, headers: { 'X-Parse-Session-Token': body['sessionToken'] as string } };
}

async function status(server: TestServer, options: CallOptions): Promise<number | string> {
  const response = await server.call(options);
  return response.status < 300 ? 'ok' : ((response.body as Body)['code'] as number);
}

describe('permission engine over HTTP (SQLite)', () => {
  let server: TestServer;
  let alice: User;
  let bob: User;
  before(async () => {
    server = await startTestServer({ allowClientClassCreation: false });
    alice = await signUp(server, 'alice', { email: 'alice@example.com' });
    bob = await signUp(server, 'bob');
  });
  after(async () => {
    await server?.close();
  });

  it('a _Role write takes effect on the next request (role cache cleared), also through inherited roles', async () => {
    const staff = await ok(server, {
      method: 'POST',
      path: '/classes/_Role',
      master: true,
      body: {
        name: 'Staff',
        ACL: {},
        users: { __op: 'AddRelation', objects: [pointer('_User', bob.id)] },
      },
    });
    const doc = await ok(server, {
      method: 'POST',
      path: '/classes/StaffDoc',
      master: true,
      body: { title: 't', ACL: { 'role:Staff': { read: true } } },
    });
    const get = (user: User) => status(server, { path: `/classes/StaffDoc/${doc['objectId']}`, headers: user.headers });
    assert.equal(await get(bob), 'ok');
    assert.equal(await get(alice), 101);
    const staffId = staff['objectId'] as string;
    const setUsers = (op: string, id: string) =>
      ok(server, {
        method: 'PUT',
        path: `/classes/_Role/${staffId}`,
        master: true,
        body: { users: { __op: op, objects: [pointer('_User', id)] } },
      });
    await setUsers('RemoveRelation', bob.id);
    assert.equal(await get(bob), 101);
    // alice joins through a role that Staff.roles holds.
    const leads = await ok(server, {
      method: 'POST',
      path: '/classes/_Role',
      master: true,
      body: { name: 'Leads', ACL: {}, users: { __op: 'AddRelation', objects: [pointer('_User', alice.id)] } },
    });
    assert.equal(await get(alice), 101);
    await ok(server, {
      method: 'PUT',
      path: `/classes/_Role/${staffId}`,
      master: true,
      body: { roles: { __op: 'AddRelation', objects: [pointer('_Role', leads['objectId'] as string)] } },
    });
    assert.equal(await get(alice), 'ok');
    await ok(server, { method: 'DELETE', path: `/classes/_Role/${leads['objectId']}`, master: true });
    assert.equal(await get(alice), 101);
  });

  it('the CLP ACL key gives new objects a default ACL with currentUser, echoed in the response', async () => {
    await ok(server, {
      method: 'POST',
      path: '/schemas/Diary',
      master: true,
      body: {
        className: 'Diary',
        fields: { text: { type: 'String' } },
        classLevelPermissions: {
          find: { '*': true },
          get: { '*': true },
          count: { '*': true },
          create: { '*': true },
          update: { '*': true },
          delete: { '*': true },
          addField: {},
          ACL: { '*': { read: true }, currentUser: { read: true, write: true } },
        },
      },
    });
    const created = await ok(server, {
      method: 'POST',
      path: '/classes/Diary',
      body: { text: 'a' },
      headers: alice.headers,
    });
    assert.deepEqual(created['ACL'], { '*': { read: true }, [alice.id]: { read: true, write: true } });
    const id = created['objectId'] as string;
    const put = (user: User) =>
      status(server, { method: 'PUT', path: `/classes/Diary/${id}`, body: { text: 'b' }, headers: user.headers });
    assert.equal(await put(bob), 101);
    assert.equal(await put(alice), 'ok');
    const anonymous = await ok(server, { method: 'POST', path: '/classes/Diary', body: { text: 'c' } });
    assert.deepEqual(anonymous['ACL'], { '*': { read: true } });
    const explicit = await ok(server, {
      method: 'POST',
      path: '/classes/Diary',
      body: { text: 'd', ACL: { '*': { read: true, write: true } } },
    });
    assert.equal(explicit['ACL'], undefined);
    // addField is {}: a new field from a client → 119, from the master key → created.
    assert.equal(
      await status(server, { method: 'POST', path: '/classes/Diary', body: { mood: 'x' }, headers: alice.headers }),
      119,
    );
    assert.equal(
      await status(server, {
        method: 'PUT',
        path: `/classes/Diary/${id}`,
        body: { mood: 'x' },
        headers: alice.headers,
      }),
      119,
    );
    assert.equal(
      await status(server, { method: 'POST', path: '/classes/Diary', body: { mood: 'x' }, master: true }),
      'ok',
    );
  });

  it('$relatedTo lists members only for callers who can read the owner', async () => {
    const item = await ok(server, { method: 'POST', path: '/classes/Item', master: true, body: { n: 1 } });
    const list = await ok(server, {
      method: 'POST',
      path: '/classes/List',
      master: true,
      body: {
        ACL: { [alice.id]: { read: true } },
        items: { __op: 'AddRelation', objects: [pointer('Item', item['objectId'] as string)] },
      },
    });
    const query = where({ $relatedTo: { object: pointer('List', list['objectId'] as string), key: 'items' } });
    const count = async (user: User) =>
      ((await ok(server, { path: `/classes/Item?${query}`, headers: user.headers }))['results'] as Body[]).length;
    assert.equal(await count(alice), 1);
    assert.equal(await count(bob), 0);
  });

  it('protectedFields: hidden, refused in where ($or too) and order, revealed by userField:', async () => {
    await ok(server, {
      method: 'POST',
      path: '/schemas/Card',
      master: true,
      body: {
        className: 'Card',
        fields: {
          title: { type: 'String' },
          pin: { type: 'String' },
          holder: { type: 'Pointer', targetClass: '_User' },
        },
        classLevelPermissions: {
          find: { '*': true },
          get: { '*': true },
          count: { '*': true },
          create: { '*': true },
          update: { '*': true },
          delete: { '*': true },
          addField: {},
          protectedFields: { '*': ['pin'], 'userField:holder': [] },
        },
      },
    });
    const card = await ok(server, {
      method: 'POST',
      path: '/classes/Card',
      master: true,
      body: { title: 'c', pin: '1234', holder: pointer('_User', alice.id) },
    });
    const read = async (user: User, query = '') =>
      ok(server, { path: `/classes/Card/${card['objectId']}${query}`, headers: user.headers });
    assert.equal((await read(alice))['pin'], '1234');
    assert.equal((await read(bob))['pin'], undefined);
    // keys without the holder field: the rule still sees it, and it is not returned.
    const projected = await read(alice, '?keys=pin');
    assert.equal(projected['pin'], '1234');
    assert.equal(projected['holder'], undefined);
    const find = (user: User, q: string) => status(server, { path: `/classes/Card?${q}`, headers: user.headers });
    assert.equal(await find(bob, where({ $or: [{ title: 'x' }, { pin: '1234' }] })), 119);
    assert.equal(await find(bob, 'order=-pin'), 119);
    assert.equal(await find(bob, where({ title: 'c' })), 'ok');
    assert.equal(await find(bob, 'order=title'), 'ok');
  });

  it("a client-key reader (policies shared across requests) sees each change of the class's CLP at once", async () => {
    const clp = (extra: Body): Body => ({
      find: { '*': true },
      get: { '*': true },
      count: { '*': true },
      create: {},
      update: {},
      delete: {},
      addField: {},
      protectedFields: {},
      ...extra,
    });
    await ok(server, {
      method: 'POST',
      path: '/schemas/Memo',
      master: true,
      body: {
        className: 'Memo',
        fields: { text: { type: 'String' }, secret: { type: 'String' } },
        classLevelPermissions: clp({}),
      },
    });
    const memo = await ok(server, {
      method: 'POST',
      path: '/classes/Memo',
      master: true,
      body: { text: 't', secret: 's' },
    });
    const get = (): Promise<Body> => ok(server, { path: `/classes/Memo/${memo['objectId']}` });
    const setClp = (extra: Body): Promise<Body> =>
      ok(server, { method: 'PUT', path: '/schemas/Memo', master: true, body: { classLevelPermissions: clp(extra) } });
    // The same read twice (the second is served by the shared policy), then after each CLP change.
    assert.equal((await get())['secret'], 's');
    assert.equal((await get())['secret'], 's');
    await setClp({ protectedFields: { '*': ['secret'] } });
    assert.equal((await get())['secret'], undefined);
    assert.equal((await get())['text'], 't');
    await setClp({ get: {} });
    const path = `/classes/Memo/${memo['objectId']}`;
    assert.equal(await status(server, { path }), 119);
    await setClp({});
    assert.equal((await get())['secret'], 's');
  });

  it('_User.email is hidden from other users and shown to its owner', async () => {
    await ok(server, {
      method: 'PUT',
      path: `/users/${alice.id}`,
      master: true,
      body: { ACL: { '*': { read: true }, [alice.id]: { read: true, write: true } } },
    });
    const asBob = await ok(server, { path: `/users/${alice.id}`, headers: bob.headers });
    assert.equal(asBob['username'], 'alice');
    assert.equal(asBob['email'], undefined);
    const asAlice = await ok(server, { path: `/users/${alice.id}`, headers: alice.headers });
    assert.equal(asAlice['email'], 'alice@example.com');
    assert.equal(
      await status(server, { path: `/users?${where({ email: 'alice@example.com' })}`, headers: bob.headers }),
      119,
    );
  });
});

describe('the protectedFields server option', () => {
  it('replaces the default: here _User.email is public and Post.draft hidden', async () => {
    const server = await startTestServer({ protectedFields: { _User: { '*': [] }, Post: { '*': ['draft'] } } });
    try {
      const dave = await signUp(server, 'dave', { email: 'dave@example.com' });
      const erin = await signUp(server, 'erin');
      await ok(server, {
        method: 'PUT',
        path: `/users/${dave.id}`,
        master: true,
        body: { ACL: { '*': { read: true } } },
      });
      const seen = await ok(server, { path: `/users/${dave.id}`, headers: erin.headers });
      assert.equal(seen['email'], 'dave@example.com');
      const post = await ok(server, {
        method: 'POST',
        path: '/classes/Post',
        master: true,
        body: { draft: 'd', t: 1 },
      });
      const read = await ok(server, { path: `/classes/Post/${post['objectId']}`, headers: erin.headers });
      assert.deepEqual([read['draft'], read['t']], [undefined, 1]);
    } finally {
      await server.close();
    }
  });
});

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const skip = redisURL === undefined && !requireServices ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (skip !== false) console.log(`# skipping the role cache across servers: ${skip}`);

describe('role cache across two app servers sharing one database and Redis', { skip }, () => {
  it('a role change made through one server is enforced by the other', async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    const dir = mkdtempSync(join(tmpdir(), 'strata-roles-'));
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    const appId = `roles-${Date.now()}`;
    const a = await startTestServer({ databaseURI, redisURL, appId });
    const b = await startTestServer({ databaseURI, redisURL, appId });
    try {
      const app = { 'X-Parse-Application-Id': appId };
      const signed = await a.call({
        method: 'POST',
        path: '/users',
        body: { username: 'carol', password: 'pw' },
        headers: app,
      });
      const carol = signed.body as Body;
      const headers = { ...app, 'X-Parse-Session-Token': carol['sessionToken'] as string };
      const role = await a.call({
        method: 'POST',
        path: '/classes/_Role',
        master: true,
        headers: app,
        body: {
          name: 'Crew',
          ACL: {},
          users: { __op: 'AddRelation', objects: [pointer('_User', carol['objectId'] as string)] },
        },
      });
      const doc = await a.call({
        method: 'POST',
        path: '/classes/CrewDoc',
        master: true,
        headers: app,
        body: { ACL: { 'role:Crew': { read: true } } },
      });
      const path = `/classes/CrewDoc/${(doc.body as Body)['objectId']}`;
      // Server B resolves and caches carol's roles.
      assert.equal((await b.call({ path, headers })).status, 200);
      await a.call({
        method: 'PUT',
        path: `/classes/_Role/${(role.body as Body)['objectId']}`,
        master: true,
        headers: app,
        body: { users: { __op: 'RemoveRelation', objects: [pointer('_User', carol['objectId'] as string)] } },
      });
      let last = 200;
      for (let attempt = 0; attempt < 50 && last === 200; attempt++) {
        await new Promise((r) => setTimeout(r, 20));
        last = (await b.call({ path, headers })).status;
      }
      assert.equal(last, 404);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
