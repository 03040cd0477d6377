import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { RawLiveClient } from './live-client.test-util.js';

// An attacker with the client key only, against the LiveQuery socket: malformed, binary, huge and deeply
// nested frames, catastrophic regexes, internal classes and fields, floods of subscriptions and sockets,
// and a client that stops reading. Each must get a clear answer (or a clear close) and leave the server serving.

type Json = Record<string, unknown>;

describe('LiveQuery under attack (client key only)', () => {
  let server: TestServer;
  const clients: RawLiveClient[] = [];
  const open = async (): Promise<RawLiveClient> => {
    const c = await RawLiveClient.open(`${server.url}/parse`);
    clients.push(c);
    return c;
  };
  const connected = async (): Promise<RawLiveClient> => {
    const c = await open();
    await c.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY });
    return c;
  };
  /** The server still answers a new client's connect and subscribe. */
  const stillServing = async (): Promise<void> => {
    const c = await connected();
    assert.equal((await c.subscribe(1, { className: 'Probe', where: {} })).op, 'subscribed');
    await c.close();
  };

  before(async () => {
    server = await startTestServer({
      liveQueryMaxFrame: 16 * 1024,
      liveQueryMaxSubscriptions: 5,
      liveQueryMaxConnectionsPerIp: 20,
      liveQueryMaxQueue: 64 * 1024,
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  it('a frame over --live-query-max-frame closes that socket with 1009; others are unaffected', async () => {
    const bystander = await connected();
    const c = await connected();
    c.send({ op: 'subscribe', requestId: 1, query: { className: 'Probe', where: { x: 'a'.repeat(20_000) } } });
    await c.next(() => false, { ms: 10_000 }).catch(() => undefined);
    assert.equal(c.closed?.code, 1009);
    assert.equal(bystander.closed, undefined);
    await stillServing();
  });

  it('binary, malformed and non-object frames get code 1; the socket stays usable', async () => {
    const c = await connected();
    for (const frame of [Buffer.from([0, 1, 2, 255]), '{"op":', 'null', '42', '"connect"', '{"op":{"$ne":1}}']) {
      const from = c.frames.length;
      c.socket.send(frame);
      const error = await c.op('error', undefined, { from });
      assert.equal(error['code'], 1, String(frame));
    }
    assert.equal((await c.subscribe(2, { className: 'Probe', where: {} })).op, 'subscribed');
  });

  it('bad where clauses are refused with a Parse code, never a crash', async () => {
    const c = await connected();
    let nested: Json = { a: 1 };
    for (let i = 0; i < 200; i++) nested = { $or: [nested] };
    const wheres: Json[] = [
      nested,
      { $where: 'sleep(1000)' },
      { a: { $foo: 1 } },
      { ACL: { '*': { read: true } } },
      { _rperm: { $in: ['*'] } },
      { a: { $regex: '(?<=x)' } },
    ];
    for (const [i, where] of wheres.entries()) {
      const answer = await c.subscribe(100 + i, { className: 'Probe', where });
      assert.equal(answer.op, 'error', JSON.stringify(where).slice(0, 80));
      assert.equal(typeof answer['code'], 'number');
      assert.equal(answer['reconnect'], false);
    }
    await stillServing();
  });

  it('a catastrophic regex runs in linear time (RE2): the event still comes', async () => {
    const c = await connected();
    assert.equal((await c.subscribe(1, { className: 'Probe', where: { s: { $regex: '^(a+)+$' } } })).op, 'subscribed');
    const from = c.frames.length;
    await server.call({ method: 'POST', path: '/classes/Probe', body: { s: `${'a'.repeat(5000)}!` }, master: true });
    const matching = await server.call({ method: 'POST', path: '/classes/Probe', body: { s: 'aaaa' }, master: true });
    const event = await c.op('create', 1, { from });
    assert.equal((event['object'] as Json)['objectId'], (matching.body as Json)['objectId']);
  });

  it('internal classes are refused to clients', async () => {
    const c = await connected();
    for (const className of ['_JobStatus', '_Hooks', '_PushStatus', '_Idempotency', '_SCHEMA']) {
      const answer = await c.subscribe(1, { className, where: {} });
      assert.equal(answer.op, 'error', className);
    }
  });

  it('more subscriptions than --live-query-max-subscriptions are refused with 155; re-using a requestId is not one more', async () => {
    const c = await connected();
    for (let id = 1; id <= 5; id++)
      assert.equal((await c.subscribe(id, { className: 'Probe', where: {} })).op, 'subscribed');
    assert.equal((await c.subscribe(3, { className: 'Probe', where: { a: 1 } })).op, 'subscribed');
    const refused = await c.subscribe(6, { className: 'Probe', where: {} });
    assert.equal(refused['code'], 155);
  });

  it('more sockets from one address than --live-query-max-connections-per-ip are refused with 429', async () => {
    const held: RawLiveClient[] = [];
    let refusal: unknown;
    for (let i = 0; i < 25 && refusal === undefined; i++) {
      try {
        held.push(await open());
      } catch (err) {
        refusal = err;
      }
    }
    assert.match(String(refusal), /HTTP 429/);
    await Promise.all(held.map((c) => c.close()));
    // The count goes down as sockets close: this address may connect again.
    for (let attempt = 0; ; attempt++) {
      try {
        await stillServing();
        break;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  it('a client that stops reading is closed with 1013 once its queue passes --live-query-max-queue', async () => {
    const c = await connected();
    assert.equal((await c.subscribe(1, { className: 'Flood', where: {} })).op, 'subscribed');
    const raw = (c.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 40; i++) {
      await server.call({ method: 'POST', path: '/classes/Flood', body: { big, i }, master: true });
    }
    raw.resume();
    await c.next(() => false, { ms: 20_000 }).catch(() => undefined);
    assert.equal(c.closed?.code, 1013);
    await stillServing();
  });
});
