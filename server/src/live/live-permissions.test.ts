import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import type { RawLiveClient } from './live-client.test-util.js';
import { LiveTestKit } from './live-kit.test-util.js';

// What reaches whom through LiveQuery: ACLs (leave with the last readable state, enter without original),
// roles gained after subscribing, protected fields by the subscription's own token, CLPs (119 even for the
// master key), _Session (209 without a valid session), sessions that end, pointer permissions.

type Json = Record<string, unknown>;

describe('LiveQuery permissions', () => {
  let server: TestServer;
  const kit = new LiveTestKit(() => server);
  const { client } = kit;
  const users: Record<string, { id: string; token: string }> = {};
  const call = async (options: Parameters<TestServer['call']>[0], status = 200): Promise<Json> => {
    const res = await server.call(options);
    assert.ok(res.status === status || (status === 200 && res.status === 201), JSON.stringify(res.body));
    return res.body as Json;
  };
  const create = async (className: string, body: Json): Promise<string> =>
    (await call({ method: 'POST', path: `/classes/${className}`, body, master: true }))['objectId'] as string;
  const update = (className: string, id: string, body: Json): Promise<Json> =>
    call({ method: 'PUT', path: `/classes/${className}/${id}`, body, master: true });
  /** A write every subscriber of Beacon sees: events are sent in order, so what did not come before it never will. */
  const beacon = async (...subscribers: RawLiveClient[]): Promise<void> => {
    const id = await create('Beacon', {});
    await Promise.all(subscribers.map((s) => s.next((f) => f.op === 'create' && obj(f)['objectId'] === id)));
  };
  const watchBeacon = async (c: RawLiveClient): Promise<void> => {
    assert.equal((await c.subscribe(99, { className: 'Beacon', where: {} })).op, 'subscribed');
  };

  before(async () => {
    server = await startTestServer({ allowClientClassCreation: false });
    for (const name of ['alice', 'bob', 'carol']) {
      const body = await call({
        method: 'POST',
        path: '/users',
        body: { username: name, password: `pw-${name}`, email: `${name}@example.com` },
      });
      users[name] = { id: body['objectId'] as string, token: body['sessionToken'] as string };
    }
    for (const className of ['Beacon', 'Doc', 'Shared', 'Closed', 'Owned']) {
      await call({ method: 'POST', path: `/schemas/${className}`, master: true, body: { className } });
    }
  });
  after(async () => {
    await kit.closeAll();
    await server.close();
  });

  it('ACL: leave carries the last readable state, enter after a grant has no original', async () => {
    const alice = users['alice'] as { id: string; token: string };
    const c = await client({ sessionToken: alice.token });
    await watchBeacon(c);
    await c.subscribe(1, { className: 'Doc', where: {} });
    const from = c.frames.length;
    const id = await create('Doc', { text: 'mine', ACL: { [alice.id]: { read: true, write: true } } });
    await c.op('create', 1, { from });
    await update('Doc', id, { text: 'taken away', ACL: {} });
    const left = await c.op('leave', 1, { from });
    assert.equal(obj(left)['text'], 'mine', 'the state alice could read, not the one she cannot');
    assert.equal(obj(left, 'original')['text'], 'mine');
    await update('Doc', id, { text: 'invisible edit' });
    await update('Doc', id, { text: 'given back', ACL: { '*': { read: true } } });
    const entered = await c.op('enter', 1, { from });
    assert.equal(obj(entered)['text'], 'given back');
    assert.equal(entered['original'], undefined, 'the state before the grant was not hers to read');
    await beacon(c);
    const ops = c.frames
      .slice(from)
      .filter((f) => f['requestId'] === 1)
      .map((f) => f.op);
    assert.deepEqual(ops, ['create', 'leave', 'enter'], 'the invisible edit sent nothing');
  });

  it('an anonymous subscriber gets nothing of a private object, not even a delete', async () => {
    const c = await client();
    await watchBeacon(c);
    await c.subscribe(1, { className: 'Doc', where: {} });
    const from = c.frames.length;
    const id = await create('Doc', { text: 'private', ACL: {} });
    await update('Doc', id, { text: 'still private' });
    await call({ method: 'DELETE', path: `/classes/Doc/${id}`, master: true });
    await beacon(c);
    assert.deepEqual(
      c.frames.slice(from).filter((f) => f['requestId'] === 1),
      [],
    );
  });

  it('a role granted after subscribing opens the next event (roles re-checked)', async () => {
    const bob = users['bob'] as { id: string; token: string };
    const c = await client({ sessionToken: bob.token });
    await watchBeacon(c);
    await c.subscribe(1, { className: 'Shared', where: {} });
    const from = c.frames.length;
    const id = await create('Shared', { n: 1, ACL: { 'role:Editors': { read: true } } });
    await create('_Role', {
      name: 'Editors',
      ACL: { '*': { read: true } },
      users: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_User', objectId: bob.id }] },
    });
    await update('Shared', id, { n: 2 });
    // Both states are judged with bob's roles at the time of the write (as Parse does): he now reads both.
    const updated = await c.op('update', 1, { from });
    assert.equal(obj(updated)['n'], 2);
    assert.equal(obj(updated, 'original')['n'], 1);
    assert.equal(c.frames.slice(from).filter((f) => f.op === 'create' && f['requestId'] === 1).length, 0);
  });

  it('protected fields follow the subscription token: _User.email to its owner only', async () => {
    const alice = users['alice'] as { id: string; token: string };
    const bob = users['bob'] as { id: string; token: string };
    const own = await client({ sessionToken: alice.token });
    const other = await client({ sessionToken: bob.token });
    // The connection is bob's, but this subscription carries alice's token: it sees what alice sees.
    const perSubscription = await client({ sessionToken: bob.token });
    const publicRead = { '*': { read: true }, [alice.id]: { read: true, write: true } };
    await call({ method: 'PUT', path: `/users/${alice.id}`, body: { ACL: publicRead }, master: true });
    await own.subscribe(1, { className: '_User', where: { objectId: alice.id } });
    await other.subscribe(1, { className: '_User', where: { objectId: alice.id } });
    await perSubscription.subscribe(
      1,
      { className: '_User', where: { objectId: alice.id } },
      { sessionToken: alice.token },
    );
    const froms = [own, other, perSubscription].map((c) => c.frames.length);
    await call({ method: 'PUT', path: `/users/${alice.id}`, body: { nickname: 'al' }, master: true });
    const seenByOwner = await own.op('update', 1, { from: froms[0] });
    const seenByOther = await other.op('update', 1, { from: froms[1] });
    const seenWithToken = await perSubscription.op('update', 1, { from: froms[2] });
    assert.equal(obj(seenByOwner)['email'], 'alice@example.com');
    assert.equal(obj(seenWithToken)['email'], 'alice@example.com');
    assert.equal(obj(seenByOther)['nickname'], 'al');
    assert.equal('email' in obj(seenByOther), false);
    assert.equal('email' in obj(seenByOther, 'original'), false);
    for (const frame of [seenByOwner, seenByOther, seenWithToken]) {
      for (const hidden of ['password', '_hashed_password', 'sessionToken', 'authData']) {
        assert.equal(hidden in obj(frame), false, hidden);
      }
    }
  });

  it('a hidden field can be neither queried nor watched (119): no oracle on its value', async () => {
    const bob = users['bob'] as { id: string; token: string };
    const c = await client({ sessionToken: bob.token });
    const probes: Json[] = [
      { email: 'alice@example.com' },
      { email: { $regex: '^a' } },
      { $or: [{ username: 'x' }, { email: { $exists: true } }] },
      { authData: { $exists: true } },
    ];
    for (const [i, where] of probes.entries()) {
      const answer = await c.subscribe(10 + i, { className: '_User', where });
      assert.equal(answer.op, 'error', JSON.stringify(where));
      assert.equal(answer['code'], 119, JSON.stringify(answer));
      assert.equal(answer['reconnect'], false);
    }
    const watch = await c.subscribe(20, { className: '_User', where: {}, watch: ['email'] });
    assert.equal(watch['code'], 119);
    // Internal fields cannot be named at all (and `password` is never stored, so it matches nothing).
    for (const where of [{ _hashed_password: { $exists: true } }, { _rperm: '*' }, { _session_token: 'x' }]) {
      const answer = await c.subscribe(30, { className: '_User', where });
      assert.equal(answer.op, 'error', JSON.stringify(where));
    }
  });

  it('a CLP denying find refuses the subscription with 119, also for the master key', async () => {
    await call({
      method: 'PUT',
      path: '/schemas/Closed',
      master: true,
      body: {
        classLevelPermissions: {
          find: {},
          get: { '*': true },
          count: {},
          create: {},
          update: {},
          delete: {},
          addField: {},
        },
      },
    });
    for (const fields of [{}, { masterKey: MASTER_KEY }]) {
      const c = await client(fields);
      const answer = await c.subscribe(1, { className: 'Closed', where: {} });
      assert.equal(answer.op, 'error');
      assert.equal(answer['code'], 119);
      // objectId-only queries are gets, which this CLP allows.
      assert.equal((await c.subscribe(2, { className: 'Closed', where: { objectId: 'abc' } })).op, 'subscribed');
    }
  });

  it('_Session: 209 without a valid session; with one, only its own sessions', async () => {
    const anon = await client({ sessionToken: 'r:not-a-token' });
    const refused = await anon.subscribe(1, { className: '_Session', where: {} });
    assert.equal(refused['code'], 209);
    const carol = users['carol'] as { id: string; token: string };
    const c = await client({ sessionToken: carol.token });
    assert.equal((await c.subscribe(1, { className: '_Session', where: {} })).op, 'subscribed');
    const from = c.frames.length;
    // Another user's log-in creates a session carol must not see; her own log-in creates one she sees.
    await call({ method: 'POST', path: '/login', body: { username: 'bob', password: 'pw-bob' } });
    const login = await call({ method: 'POST', path: '/login', body: { username: 'carol', password: 'pw-carol' } });
    const created = await c.op('create', 1, { from });
    assert.equal(obj(created)['sessionToken'], login['sessionToken']);
    assert.equal(c.frames.slice(from).filter((f) => f.op === 'create').length, 1);
  });

  it('a session that ends makes its subscriptions anonymous', async () => {
    const login = await call({ method: 'POST', path: '/login', body: { username: 'alice', password: 'pw-alice' } });
    const alice = users['alice'] as { id: string; token: string };
    const c = await client({ sessionToken: login['sessionToken'] });
    await watchBeacon(c);
    await c.subscribe(1, { className: 'Doc', where: {} });
    const from = c.frames.length;
    const id = await create('Doc', { text: 'a', ACL: { [alice.id]: { read: true } } });
    await c.op('create', 1, { from });
    await call({
      method: 'POST',
      path: '/logout',
      headers: { 'X-Parse-Session-Token': login['sessionToken'] as string },
    });
    await update('Doc', id, { text: 'b' });
    await beacon(c);
    assert.deepEqual(
      c.frames
        .slice(from)
        .filter((f) => f['requestId'] === 1)
        .map((f) => f.op),
      ['create'],
    );
  });

  it('pointer permissions (readUserFields): only the user the object points to', async () => {
    await call({
      method: 'PUT',
      path: '/schemas/Owned',
      master: true,
      body: {
        fields: { owner: { type: 'Pointer', targetClass: '_User' } },
        classLevelPermissions: {
          find: {},
          get: {},
          count: {},
          create: { '*': true },
          update: {},
          delete: {},
          addField: {},
          readUserFields: ['owner'],
        },
      },
    });
    const alice = users['alice'] as { id: string; token: string };
    const bob = users['bob'] as { id: string; token: string };
    const owner = await client({ sessionToken: alice.token });
    const stranger = await client({ sessionToken: bob.token });
    for (const c of [owner, stranger]) {
      await watchBeacon(c);
      assert.equal((await c.subscribe(1, { className: 'Owned', where: {} })).op, 'subscribed');
    }
    const from = [owner, stranger].map((c) => c.frames.length);
    await create('Owned', { owner: { __type: 'Pointer', className: '_User', objectId: alice.id } });
    await owner.op('create', 1, { from: from[0] });
    await beacon(owner, stranger);
    assert.equal(stranger.frames.slice(from[1]).filter((f) => f['requestId'] === 1).length, 0);
  });
});

function obj(frame: Json, key = 'object'): Json {
  return frame[key] as Json;
}
