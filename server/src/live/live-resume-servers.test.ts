import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRedisPubSub } from '../infra/index.js';
import type { PubSub } from '../infra/index.js';
import { CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { RawLiveClient } from './live-client.test-util.js';
import type { Frame } from './live-client.test-util.js';

// Resume across live servers (issue 14 item 6): two `live` servers and one `api` server share a database and
// Redis. A client whose socket dropped on one live server resumes on the other: the holder hands over what it
// kept, the new server replays it and goes on, nothing lost or repeated. A gone holder means resync; another
// caller's subscription id gets nothing.

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const skip =
  redisURL === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (skip !== false) console.log(`# skipping LiveQuery resume across servers: ${skip}`);

type Json = Record<string, unknown>;

describe('LiveQuery resume across servers over Redis', { skip }, () => {
  let dir: string;
  let api: TestServer;
  let liveA: TestServer;
  let liveB: TestServer;
  /** Live server C's Redis pub/sub, with a gate on its hand-off asks (see the overlap test) and answers. */
  let liveC: TestServer;
  let gate: { held: Promise<void>; release: () => void; asked: () => void; waiting: Promise<void> } | undefined;
  let answerGate: { held: Promise<void>; arrived: () => void } | undefined;
  /** The shared Redis pub/sub, unprefixed channels of this app: what another api server publishes on. */
  let redis: PubSub;
  const appId = `resume-${randomBytes(6).toString('hex')}`;
  const headers = { 'X-Parse-Application-Id': appId };
  const clients: RawLiveClient[] = [];
  const users: Record<string, { token: string; id: string }> = {};

  before(async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    dir = mkdtempSync(join(tmpdir(), 'strata-live-resume-'));
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    api = await startTestServer({ databaseURI, redisURL, appId, role: 'api', passwordHashCost: 4 });
    liveA = await startTestServer({ databaseURI, redisURL, appId, role: 'live' });
    liveB = await startTestServer({ databaseURI, redisURL, appId, role: 'live' });
    // The same Redis pub/sub as the others (channels prefixed by app), but an ask it sends waits for the test's
    // go: a slow network between C and the holder, so writes fall between C subscribing and the holder answering.
    redis = await createRedisPubSub({ url: redisURL, prefix: `strata:${appId}` });
    const gated: PubSub = {
      ...redis,
      publish: async (channel, message) => {
        if (gate !== undefined && channel.startsWith('live:handoff:') && message.includes('"t":"ask"')) {
          gate.asked();
          await gate.held;
        }
        return redis.publish(channel, message);
      },
      // The holder's answer to C's ask reaches C only at the test's go (see the same-millisecond test).
      subscribe: (channel, handler) =>
        redis.subscribe(channel, (message) => {
          const held = answerGate;
          if (held === undefined || !channel.startsWith('live:handoff:') || !message.includes('"t":"give"')) {
            handler(message);
            return;
          }
          held.arrived();
          void held.held.then(() => handler(message));
        }),
    };
    liveC = await startTestServer({ databaseURI, appId, role: 'live', pubsub: gated });
    for (const name of ['ada', 'eve']) {
      const signup = await api.call({
        method: 'POST',
        path: '/users',
        headers,
        body: { username: name, password: 'pw' },
      });
      assert.equal(signup.status, 201, JSON.stringify(signup.body));
      const body = signup.body as Record<string, string>;
      users[name] = { token: body['sessionToken'] as string, id: body['objectId'] as string };
    }
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([api?.close(), liveA?.close(), liveB?.close(), liveC?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const user = (name: string): { token: string; id: string } => users[name] as { token: string; id: string };

  /** A connected raw client on `server` as `name` (a session token) or the public. */
  async function connect(server: TestServer, name?: string): Promise<RawLiveClient> {
    const c = await RawLiveClient.open(`${server.url}/parse`);
    clients.push(c);
    await c.connect({
      applicationId: appId,
      javascriptKey: CLIENT_KEY,
      ...(name === undefined ? {} : { sessionToken: user(name).token }),
    });
    return c;
  }

  /** A message readable by `owner` only, written through the api server. */
  async function write(room: string, n: number, owner = 'ada'): Promise<string> {
    const created = await api.call({
      method: 'POST',
      path: '/classes/Message',
      headers,
      body: { room, n, ACL: { [user(owner).id]: { read: true, write: true } } },
      master: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return (created.body as Record<string, string>)['objectId'] as string;
  }

  const events = (frames: Frame[], requestId: number): Frame[] =>
    frames.filter((f) => f.op === 'create' && f['requestId'] === requestId);
  const summary = (frames: Frame[]): Array<[unknown, unknown]> =>
    frames.map((f) => [f['seq'], (f['object'] as Json)['n']]);

  /** Subscribes `c` to a room as requestId 1, sees `count` events, and returns the subscription id. */
  async function subscribed(c: RawLiveClient, room: string, written: number[]): Promise<string> {
    const answer = await c.subscribe(1, { className: 'Message', where: { room } });
    assert.equal(answer.op, 'subscribed', JSON.stringify(answer));
    for (const n of written) await write(room, n);
    const last = written.length;
    if (last > 0) await c.next((f) => f.op === 'create' && f['seq'] === last);
    return answer['subscriptionId'] as string;
  }

  it('a client that drops its socket and comes back on the other live server gets every event once, in order', async () => {
    const first = await connect(liveA, 'ada');
    const subscriptionId = await subscribed(first, 'r1', [1, 2]);
    first.socket.terminate();
    // Written while the client is away: server A keeps them (it may not even have seen the drop yet).
    for (let n = 3; n <= 7; n++) await write('r1', n);
    const second = await connect(liveB, 'ada');
    const start = second.frames.length;
    // More writes race with the hand-off: they reach both servers while B buffers and A still numbers.
    const racing = [8, 9, 10].map((n) => write('r1', n));
    const answer = await second.subscribe(
      1,
      { className: 'Message', where: { room: 'r1' } },
      { resume: { subscriptionId, seq: 2 } },
    );
    assert.equal(answer.op, 'subscribed', JSON.stringify(answer));
    assert.notEqual(answer['subscriptionId'], subscriptionId, 'server B hands out an id of its own');
    await Promise.all(racing);
    await write('r1', 11);
    await second.next((f) => f.op === 'create' && (f['object'] as Json)['n'] === 11, { from: start });
    const got = events(second.frames.slice(start), 1);
    assert.ok(!second.frames.slice(start).some((f) => f.op === 'resync'), 'no resync');
    // Exactly once and numbered on from the holder's count; the racing writes may come in any order between
    // themselves (three concurrent requests), but each once and after the missed ones.
    assert.deepEqual(
      got.map((f) => f['seq']),
      [3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
    const ns = got.map((f) => (f['object'] as Json)['n'] as number);
    assert.deepEqual(ns.slice(0, 5), [3, 4, 5, 6, 7]);
    assert.deepEqual(
      [...ns.slice(5, 8)].sort((a, b) => a - b),
      [8, 9, 10],
    );
    assert.equal(ns[8], 11);

    // And again, back to A with B's id: the hand-off works both ways and numbering goes on.
    const resumedId = answer['subscriptionId'] as string;
    second.socket.terminate();
    await write('r1', 12);
    const third = await connect(liveA, 'ada');
    const from = third.frames.length;
    const back = await third.subscribe(
      4,
      { className: 'Message', where: { room: 'r1' } },
      { resume: { subscriptionId: resumedId, seq: 11 } },
    );
    assert.equal(back.op, 'subscribed', JSON.stringify(back));
    await write('r1', 13);
    await third.next((f) => f.op === 'create' && f['seq'] === 13, { from });
    assert.deepEqual(summary(events(third.frames.slice(from), 4)), [
      [12, 12],
      [13, 13],
    ]);
  });

  it('events written while the hand-off is under way reach the client once: the holder numbers them, the new server drops its copies', async () => {
    const first = await connect(liveA, 'ada');
    const subscriptionId = await subscribed(first, 'r5', [1]);
    first.socket.terminate();
    await write('r5', 2);
    let release = (): void => {};
    let asked = (): void => {};
    const waiting = new Promise<void>((resolve) => (asked = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    gate = { held, release, asked, waiting };
    try {
      const second = await connect(liveC, 'ada');
      const start = second.frames.length;
      second.send({
        op: 'subscribe',
        requestId: 1,
        query: { className: 'Message', where: { room: 'r5' } },
        resume: { subscriptionId, seq: 1 },
      });
      // C has subscribed and buffers; its ask has not left yet. These reach A (which still holds and numbers
      // them) and C (which buffered them): each must arrive once. (A server that answers without asking fails
      // here rather than hanging.)
      const answered = second.op('subscribed', 1, { from: start, ms: 30_000 }).then(
        () => 'answered without asking',
        () => 'no answer',
      );
      assert.equal(await Promise.race([waiting.then(() => 'asked'), answered]), 'asked');
      for (let n = 3; n <= 5; n++) await write('r5', n);
      // Both servers have them before the ask goes (the write's change is on Redis before the response).
      await write('r5', 6, 'eve');
      release();
      const answer = await second.op('subscribed', 1, { from: start });
      assert.notEqual(answer['subscriptionId'], subscriptionId);
      await write('r5', 7);
      await second.next((f) => f.op === 'create' && (f['object'] as Json)['n'] === 7, { from: start });
      assert.ok(!second.frames.slice(start).some((f) => f.op === 'resync'), 'no resync');
      assert.deepEqual(summary(events(second.frames.slice(start), 1)), [
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 5],
        [6, 7],
      ]);
    } finally {
      gate = undefined;
      release();
    }
  });

  it('two updates of one object in the same millisecond across a hand-off both arrive: events are told apart by change id', async () => {
    const first = await connect(liveA, 'ada');
    const subscriptionId = await subscribed(first, 'r7', [1]);
    const created = first.frames.find((f) => f.op === 'create' && (f['object'] as Json)['n'] === 1) as Frame;
    const objectId = (created['object'] as Json)['objectId'] as string;
    first.socket.terminate();
    // Two updates of that object committed in one millisecond by another api server, as it publishes them
    // (the change feed's wire form): the same op, object and updatedAt, two change ids.
    const T = '2026-12-07T21:00:00.000Z';
    const stored = (n: number): Json => ({
      objectId,
      createdAt: T,
      updatedAt: T,
      ACL: { [user('ada').id]: { read: true, write: true } },
      fields: { room: 'r7', n },
    });
    const change = (n: number): string =>
      JSON.stringify({
        v: 1,
        server: 'another-api-server',
        className: 'Message',
        op: 'update',
        objectId,
        id: randomBytes(12).toString('hex'),
        at: T,
        before: stored(n - 1),
        after: stored(n),
      });
    const second = await connect(liveC, 'ada');
    const start = second.frames.length;
    // A second subscription to the room on C's socket: when it has an update, C's hub has handed that change to
    // every subscription of C, the resuming one included.
    assert.equal((await second.subscribe(2, { className: 'Message', where: { room: 'r7' } })).op, 'subscribed');
    // The first update reaches A (which still holds the subscription and numbers it) before C asks for it.
    await redis.publish('changes', change(2));
    await second.next((f) => f.op === 'update' && f['requestId'] === 2 && (f['object'] as Json)['n'] === 2);
    let release = (): void => {};
    let arrived = (): void => {};
    const answered = new Promise<void>((resolve) => (arrived = resolve));
    answerGate = { held: new Promise<void>((resolve) => (release = resolve)), arrived };
    try {
      second.send({
        op: 'subscribe',
        requestId: 1,
        query: { className: 'Message', where: { room: 'r7' } },
        resume: { subscriptionId, seq: 1 },
      });
      // A has answered (it stopped its subscription with the first update numbered); C has not read the answer
      // yet and buffers. The second update reaches C only: the holder's keys name the first, never this one.
      await answered;
      await redis.publish('changes', change(3));
      await second.next((f) => f.op === 'update' && f['requestId'] === 2 && (f['object'] as Json)['n'] === 3);
      release();
      const answer = await second.op('subscribed', 1, { from: start });
      assert.notEqual(answer['subscriptionId'], subscriptionId);
      await write('r7', 4);
      await second.next((f) => f.op === 'create' && f['requestId'] === 1, { from: start });
      const frames = second.frames.slice(start).filter((f) => f['requestId'] === 1);
      assert.ok(!frames.some((f) => f.op === 'resync'), 'no resync');
      assert.deepEqual(
        frames
          .filter((f) => f.op === 'update' || f.op === 'create')
          .map((f) => [f.op, f['seq'], (f['object'] as Json)['n']]),
        [
          ['update', 2, 2],
          ['update', 3, 3],
          ['create', 4, 4],
        ],
      );
    } finally {
      answerGate = undefined;
      release();
    }
  });

  it("another caller cannot take over a subscription by its id: refused, nothing leaks, the owner's stays", async () => {
    const owner = await connect(liveA, 'ada');
    const subscriptionId = await subscribed(owner, 'r2', [1]);
    owner.socket.terminate();
    await write('r2', 2);
    // eve (another user's session) and the public (no token), each on the other server and on the same one.
    for (const [server, name] of [
      [liveB, 'eve'],
      [liveB, undefined],
      [liveA, 'eve'],
    ] as const) {
      const attacker = await connect(server, name);
      const from = attacker.frames.length;
      const answer = await attacker.subscribe(
        1,
        { className: 'Message', where: { room: 'r2' } },
        { resume: { subscriptionId, seq: 0 } },
      );
      assert.equal(answer.op, 'subscribed');
      assert.notEqual(answer['subscriptionId'], subscriptionId);
      assert.ok(attacker.frames.slice(from).some((f) => f.op === 'resync' && f['requestId'] === 1));
      assert.deepEqual(events(attacker.frames.slice(from), 1), [], 'no kept event of ada reaches another caller');
      await attacker.close();
    }
    // The owner still resumes it (on B), with both events: the refused attempts did not end or drain it.
    const back = await connect(liveB, 'ada');
    const from = back.frames.length;
    const answer = await back.subscribe(
      1,
      { className: 'Message', where: { room: 'r2' } },
      { resume: { subscriptionId, seq: 0 } },
    );
    assert.equal(answer.op, 'subscribed', JSON.stringify(back.frames.slice(from)));
    assert.deepEqual(summary(events(back.frames.slice(from), 1)), [
      [1, 1],
      [2, 2],
    ]);
  });

  it('a seq the subscription never reached, or a malformed id, is told to resync; the server keeps serving', async () => {
    const owner = await connect(liveA, 'ada');
    const subscriptionId = await subscribed(owner, 'r3', [1, 2]);
    owner.socket.terminate();
    const c = await connect(liveB, 'ada');
    for (const [requestId, resume] of [
      [1, { subscriptionId, seq: 99 }],
      [2, { subscriptionId: `${'f'.repeat(24)}.${'x'.repeat(36)}`, seq: 1 }],
      [3, { subscriptionId: 'no-dot', seq: 1 }],
      [4, { subscriptionId: '.', seq: 1 }],
    ] as const) {
      const from = c.frames.length;
      const answer = await c.subscribe(requestId, { className: 'Message', where: { room: 'r3' } }, { resume });
      assert.equal(answer.op, 'subscribed', JSON.stringify(answer));
      assert.ok(c.frames.slice(from).some((f) => f.op === 'resync' && f['requestId'] === requestId));
    }
    // A negative or fractional seq is a bad frame (code 1), not a crash.
    const from = c.frames.length;
    c.send({
      op: 'subscribe',
      requestId: 9,
      query: { className: 'Message', where: { room: 'r3' } },
      resume: { subscriptionId, seq: 1.5 },
    });
    const error = await c.op('error', 9, { from });
    assert.equal(error['code'], 1);
    // Still serving: a new write reaches every fresh subscription of this connection.
    const before = c.frames.length;
    await write('r3', 3);
    for (const requestId of [1, 2, 3, 4]) {
      const event = await c.next((f) => f.op === 'create' && f['requestId'] === requestId, { from: before });
      assert.equal(event['seq'], 1, 'fresh subscriptions count from 1');
    }
  });

  it('a live server stopping with a hand-off grace lets its clients resume on another one (rolling restart)', async () => {
    const stopping = await startTestServer({
      databaseURI: `sqlite:${join(dir, 'shared.db')}`,
      redisURL,
      appId,
      role: 'live',
      liveQueryHandoffGrace: 30,
    });
    let closing: Promise<void> | undefined;
    try {
      const first = await connect(stopping, 'ada');
      const subscriptionId = await subscribed(first, 'r6', [1, 2]);
      const dropped = new Promise<void>((resolve) => first.socket.once('close', () => resolve()));
      closing = stopping.close();
      await dropped;
      assert.equal(first.closed?.code, 1001, 'told the server is going away');
      // The server is stopping but still holds the subscription and numbers what is written meanwhile.
      for (let n = 3; n <= 5; n++) await write('r6', n);
      const second = await connect(liveB, 'ada');
      const from = second.frames.length;
      const answer = await second.subscribe(
        1,
        { className: 'Message', where: { room: 'r6' } },
        { resume: { subscriptionId, seq: 2 } },
      );
      assert.equal(answer.op, 'subscribed', JSON.stringify(second.frames.slice(from)));
      assert.ok(!second.frames.slice(from).some((f) => f.op === 'resync'), 'no resync');
      // Taken over: the stopping server finishes its close (well before its grace) and events go on on B.
      await closing;
      await write('r6', 6);
      await second.next((f) => f.op === 'create' && f['seq'] === 6, { from });
      assert.deepEqual(summary(events(second.frames.slice(from), 1)), [
        [3, 3],
        [4, 4],
        [5, 5],
        [6, 6],
      ]);
    } finally {
      await (closing ?? stopping.close());
    }
  });

  it('when the holding server is gone, the client is told to resync and gets the new events', async () => {
    const owner = await connect(liveA, 'ada');
    const subscriptionId = await subscribed(owner, 'r4', [1]);
    owner.socket.terminate();
    await write('r4', 2);
    await liveA.close();
    const c = await connect(liveB, 'ada');
    const from = c.frames.length;
    const answer = await c.subscribe(
      1,
      { className: 'Message', where: { room: 'r4' } },
      { resume: { subscriptionId, seq: 1 } },
    );
    assert.equal(answer.op, 'subscribed');
    const frames = c.frames.slice(from);
    const resync = frames.findIndex((f) => f.op === 'resync' && f['requestId'] === 1);
    assert.ok(resync !== -1, 'resync');
    assert.ok(resync < frames.indexOf(answer), 'resync comes before subscribed');
    assert.deepEqual(events(frames, 1), [], 'nothing from the gone holder');
    await write('r4', 3);
    const event = await c.op('create', 1, { from });
    assert.deepEqual([event['seq'], (event['object'] as Json)['n']], [1, 3]);
  });
});
