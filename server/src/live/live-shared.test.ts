import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { LiveTestKit } from './live-kit.test-util.js';
import type { Frame, RawLiveClient } from './live-client.test-util.js';

// Equal subscriptions share one entry of the hub (one match, one policy decision, one shape per event) and one
// read policy per subscriber: each subscription still gets its own events, under its own requestId and seq,
// and nothing is shared between subscribers who may read differently (users, sessions, keys).

type Json = Record<string, unknown>;

describe('LiveQuery: equal subscriptions share the hub entry, never the subscriber', () => {
  let server: TestServer;
  const kit = new LiveTestKit(() => server);
  const { client } = kit;
  const users: Record<string, { id: string; token: string }> = {};
  const call = async (options: Parameters<TestServer['call']>[0]): Promise<Json> => {
    const res = await server.call(options);
    assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.body));
    return res.body as Json;
  };
  const create = async (body: Json): Promise<string> =>
    (await call({ method: 'POST', path: '/classes/Room', body, master: true }))['objectId'] as string;
  const subscribed = async (c: RawLiveClient, requestId: number, query: Json): Promise<void> => {
    const answer = await c.subscribe(requestId, { className: 'Room', ...query });
    assert.equal(answer.op, 'subscribed', JSON.stringify(answer));
  };
  /** The events of one requestId since `from`, as [op, n]. */
  const seen = (c: RawLiveClient, requestId: number, from: number): [string, unknown][] =>
    c.frames
      .slice(from)
      .filter((f) => f['requestId'] === requestId && f.op !== 'subscribed' && f.op !== 'unsubscribed')
      .map((f) => [f.op, (f['object'] as Json)['n']]);
  /** A public write in `room` its subscribers all see; events are in order, so it closes a step. */
  const beacon = async (room: string, ...waiting: [RawLiveClient, number][]): Promise<void> => {
    const id = await create({ room, beacon: true, ACL: { '*': { read: true } } });
    await Promise.all(
      waiting.map(([c, requestId]) =>
        c.next((f) => f['requestId'] === requestId && (f['object'] as Json | undefined)?.['objectId'] === id),
      ),
    );
  };

  before(async () => {
    server = await startTestServer();
    for (const name of ['alice', 'bob']) {
      const body = await call({
        method: 'POST',
        path: '/users',
        body: { username: name, password: `pw-${name}`, email: `${name}@example.com` },
      });
      users[name] = { id: body['objectId'] as string, token: body['sessionToken'] as string };
    }
    await call({ method: 'POST', path: '/schemas/Room', master: true, body: { className: 'Room' } });
  });
  after(async () => {
    await kit.closeAll();
    await server.close();
  });

  it('one query on many sockets and twice on one socket: every subscription gets each event, in order', async () => {
    const where = { room: 'lobby' };
    const [a, b, c] = [await client(), await client(), await client()];
    await subscribed(a, 1, { where });
    await subscribed(a, 2, { where });
    await subscribed(b, 1, { where });
    await subscribed(c, 7, { where });
    const from = [a, b, c].map((s) => s.frames.length);
    for (let n = 1; n <= 3; n++) await create({ room: 'lobby', n, ACL: { '*': { read: true } } });
    await beacon('lobby', [a, 1], [a, 2], [b, 1], [c, 7]);
    const three = [
      ['create', 1],
      ['create', 2],
      ['create', 3],
      ['create', undefined],
    ];
    assert.deepEqual(seen(a, 1, from[0] as number), three);
    assert.deepEqual(seen(a, 2, from[0] as number), three);
    assert.deepEqual(seen(b, 1, from[1] as number), three);
    assert.deepEqual(seen(c, 7, from[2] as number), three);
    // Each subscription numbers its own events.
    const seqs = a.frames.slice(from[0]).filter((f) => f['requestId'] === 2 && f.op === 'create');
    assert.deepEqual(
      seqs.map((f) => f['seq']),
      [1, 2, 3, 4],
    );

    // One leaves (unsubscribe), one socket closes: the others keep receiving.
    a.send({ op: 'unsubscribe', requestId: 1 });
    await a.op('unsubscribed', 1);
    await c.close();
    const again = [a, b].map((s) => s.frames.length);
    await create({ room: 'lobby', n: 4, ACL: { '*': { read: true } } });
    await beacon('lobby', [a, 2], [b, 1]);
    assert.deepEqual(seen(a, 1, again[0] as number), []);
    assert.deepEqual(seen(a, 2, again[0] as number), [
      ['create', 4],
      ['create', undefined],
    ]);
    assert.deepEqual(seen(b, 1, again[1] as number), [
      ['create', 4],
      ['create', undefined],
    ]);
  });

  it('update moves one subscription to another query; the others keep the old one', async () => {
    const where = { room: 'red' };
    const [a, b] = [await client(), await client()];
    await subscribed(a, 1, { where });
    await subscribed(b, 1, { where });
    const mark = a.frames.length;
    a.send({ op: 'update', requestId: 1, query: { className: 'Room', where: { room: 'blue' } } });
    await a.op('subscribed', 1, { from: mark });
    const from = [a, b].map((s) => s.frames.length);
    await create({ room: 'red', n: 1, ACL: { '*': { read: true } } });
    await create({ room: 'blue', n: 2, ACL: { '*': { read: true } } });
    await beacon('blue', [a, 1]);
    await beacon('red', [b, 1]);
    assert.deepEqual(seen(a, 1, from[0] as number), [
      ['create', 2],
      ['create', undefined],
    ]);
    assert.deepEqual(seen(b, 1, from[1] as number), [
      ['create', 1],
      ['create', undefined],
    ]);
  });

  it('the same query by two users: each gets what its own ACLs and protected fields allow', async () => {
    const alice = users['alice'] as { id: string; token: string };
    const bob = users['bob'] as { id: string; token: string };
    const where = { room: 'private' };
    const [ca, cb] = [await client({ sessionToken: alice.token }), await client({ sessionToken: bob.token })];
    await subscribed(ca, 1, { where });
    await subscribed(cb, 1, { where });
    const from = [ca, cb].map((s) => s.frames.length);
    await create({ room: 'private', n: 1, ACL: { [alice.id]: { read: true } } });
    await create({ room: 'private', n: 2, ACL: { [bob.id]: { read: true } } });
    await beacon('private', [ca, 1], [cb, 1]);
    assert.deepEqual(seen(ca, 1, from[0] as number), [
      ['create', 1],
      ['create', undefined],
    ]);
    assert.deepEqual(seen(cb, 1, from[1] as number), [
      ['create', 2],
      ['create', undefined],
    ]);

    // _User.email is protected: the same subscription on alice's user shows it to alice only.
    await call({
      method: 'PUT',
      path: `/users/${alice.id}`,
      body: { ACL: { '*': { read: true }, [alice.id]: { read: true, write: true } } },
      master: true,
    });
    const userWhere = { objectId: alice.id };
    for (const c of [ca, cb]) {
      const answer = await c.subscribe(2, { className: '_User', where: userWhere });
      assert.equal(answer.op, 'subscribed');
    }
    const marks = [ca, cb].map((s) => s.frames.length);
    await call({ method: 'PUT', path: `/users/${alice.id}`, body: { nickname: 'al' }, master: true });
    const own = await ca.op('update', 2, { from: marks[0] });
    const other = await cb.op('update', 2, { from: marks[1] });
    assert.equal((own['object'] as Json)['email'], 'alice@example.com');
    assert.equal('email' in (other['object'] as Json), false);
    assert.equal((other['object'] as Json)['nickname'], 'al');
  });

  it('one user on two sessions: logging one out makes only its subscriptions anonymous', async () => {
    const alice = users['alice'] as { id: string; token: string };
    const login = async (): Promise<string> =>
      (await call({ method: 'POST', path: '/login', body: { username: 'alice', password: 'pw-alice' } }))[
        'sessionToken'
      ] as string;
    const [first, second] = [await login(), await login()];
    const where = { room: 'sessions' };
    const [c1, c2] = [await client({ sessionToken: first }), await client({ sessionToken: second })];
    await subscribed(c1, 1, { where });
    await subscribed(c2, 1, { where });
    await call({ method: 'POST', path: '/logout', headers: { 'X-Parse-Session-Token': first } });
    const from = [c1, c2].map((s) => s.frames.length);
    await create({ room: 'sessions', n: 1, ACL: { [alice.id]: { read: true } } });
    await beacon('sessions', [c1, 1], [c2, 1]);
    assert.deepEqual(seen(c1, 1, from[0] as number), [['create', undefined]], 'the ended session reads as the public');
    assert.deepEqual(seen(c2, 1, from[1] as number), [
      ['create', 1],
      ['create', undefined],
    ]);
  });

  it('the same where with other keys: each subscription gets its own selection', async () => {
    const where = { room: 'keys' };
    const c = await client();
    await subscribed(c, 1, { where, keys: ['n'] });
    await subscribed(c, 2, { where, keys: ['room'] });
    await subscribed(c, 3, { where });
    const from = c.frames.length;
    await create({ room: 'keys', n: 5, secret: 's', ACL: { '*': { read: true } } });
    const frames = await Promise.all([1, 2, 3].map((requestId) => c.op('create', requestId, { from })));
    const fields = (frame: Frame): string[] =>
      Object.keys(frame['object'] as Json)
        .filter((k) => ['n', 'room', 'secret'].includes(k))
        .sort();
    assert.deepEqual(frames.map(fields), [['n'], ['room'], ['n', 'room', 'secret']]);
  });
});
