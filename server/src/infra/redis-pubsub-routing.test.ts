import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRedisPubSub } from './redis-pubsub.js';
import type { PubSub, PubSubInterest, Topics } from './pubsub.js';

// Interest routing over Redis (the three-tier deployment: api servers publish changes, live servers subscribe): a
// message with a topic reaches only the servers that declared it, and a declaration loses nothing published after
// it resolved, nor delivers a message twice while a topic's channel and the all-topics pattern overlap.

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const skip =
  redisURL === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (skip !== false) console.log(`# skipping Redis interest routing: ${skip}`);

const MARKER = 'marker';

/** Collects what one server's handler of `changes` gets, and waits for a marker published after everything else. */
class Received {
  readonly messages: string[] = [];
  #waiting: { readonly text: string; readonly resolve: () => void } | undefined;

  static async on(pubsub: PubSub): Promise<Received> {
    const received = new Received();
    await pubsub.subscribe('changes', (message) => received.messages.push(message));
    await pubsub.subscribe(MARKER, (message) => {
      if (message === received.#waiting?.text) received.#waiting.resolve();
    });
    return received;
  }

  /**
   * Publishes a marker from `publisher` after its messages: one connection sends in order and Redis answers in
   * order, so once the marker is here every message published before it that was routed here is here too.
   */
  async settle(publisher: PubSub): Promise<void> {
    const text = randomBytes(4).toString('hex');
    const arrived = new Promise<void>((resolve) => (this.#waiting = { text, resolve }));
    await publisher.publish(MARKER, text);
    await arrived;
  }
}

/**
 * A TCP relay to Redis that can hold what its clients send (as a slow link would): a command written while it is
 * held reaches Redis only at `release`.
 */
class HoldingRelay {
  #held = false;
  readonly #queue: Array<{ readonly to: Socket; readonly data: Buffer }> = [];
  readonly #sockets = new Set<Socket>();

  private constructor(readonly server: Server) {}

  static async start(redis: URL): Promise<HoldingRelay> {
    const server = createServer();
    const relay = new HoldingRelay(server);
    server.on('connection', (client) => {
      const upstream = connect(Number(redis.port || 6379), redis.hostname);
      relay.#sockets.add(client).add(upstream);
      client.on('data', (data) => {
        if (relay.#held) relay.#queue.push({ to: upstream, data });
        else upstream.write(data);
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  url(redis: URL): string {
    const address = this.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return `redis://${redis.username ? `${redis.username}:${redis.password}@` : ''}127.0.0.1:${port}${redis.pathname}`;
  }

  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    for (const { to, data } of this.#queue.splice(0)) to.write(data);
  }

  /**
   * Lets one held command through, once one is held (the relay stays held); the held bytes come from one client
   * here.
   */
  async releaseOne(): Promise<void> {
    while (this.#queue.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const first = this.#queue[0] as { readonly to: Socket; readonly data: Buffer };
    const data = Buffer.concat(this.#queue.splice(0).map((entry) => entry.data));
    const end = endOfCommand(data);
    first.to.write(data.subarray(0, end));
    if (end < data.length) this.#queue.push({ to: first.to, data: data.subarray(end) });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Where the first RESP command of `data` ends (an array of bulk strings, as clients send them). */
function endOfCommand(data: Buffer): number {
  const line = (from: number): { text: string; next: number } => {
    const end = data.indexOf('\r\n', from);
    return { text: data.toString('latin1', from, end), next: end + 2 };
  };
  const head = line(0);
  let at = head.next;
  for (let i = 0; i < Number(head.text.slice(1)); i++) {
    const size = line(at);
    at = size.next + Number(size.text.slice(1)) + 2;
  }
  return at;
}

describe('Redis pub/sub routes messages with a topic by interest', { skip }, () => {
  let prefix: string;
  const opened: PubSub[] = [];
  const open = async (): Promise<PubSub & { interest: PubSubInterest }> => {
    const pubsub = await createRedisPubSub({ url: redisURL as string, prefix });
    opened.push(pubsub);
    assert.ok(pubsub.interest !== undefined, 'the Redis pub/sub routes by topic');
    return pubsub as PubSub & { interest: PubSubInterest };
  };

  before(() => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
  });
  // Each test its own app (channel prefix): no other test's servers listen.
  beforeEach(() => {
    prefix = `strata-test-routing-${randomBytes(4).toString('hex')}`;
  });
  after(async () => {
    await Promise.all(opened.map((pubsub) => pubsub.close()));
  });

  it('a server without interest in a class receives none of its changes; Redis sends them nowhere', async () => {
    const api = await open();
    const cachesOnly = await open();
    const watching = await open();
    const toCaches = await Received.on(cachesOnly);
    const toWatching = await Received.on(watching);
    await cachesOnly.interest.declare('changes', ['_Role', '_Session', '_User']);
    await watching.interest.declare('changes', ['GameScore', '_Session']);

    const reached: number[] = [];
    for (let i = 0; i < 50; i++)
      reached.push((await api.publish('changes', `GameScore ${i}`, { topic: 'Other' })) ?? -1);
    for (let i = 0; i < 50; i++) await api.publish('changes', `GameScore ${i}`, { topic: 'GameScore' });
    for (let i = 0; i < 5; i++) await api.publish('changes', `_Session ${i}`, { topic: '_Session' });
    // A message without a topic (an older server's) still goes to every subscriber of the channel.
    await api.publish('changes', 'no topic');
    await toCaches.settle(api);
    await toWatching.settle(api);

    assert.deepEqual(reached, new Array<number>(50).fill(0), 'a class nobody declared reaches no server');
    assert.deepEqual(toCaches.messages, [
      '_Session 0',
      '_Session 1',
      '_Session 2',
      '_Session 3',
      '_Session 4',
      'no topic',
    ]);
    assert.equal(toWatching.messages.length, 56);
    assert.equal(toWatching.messages.filter((m) => m.startsWith('GameScore')).length, 50);
  });

  it('a declaration of every topic (*) receives them all, and the channel without a handler stops all of it', async () => {
    const api = await open();
    const everything = await open();
    const received: string[] = [];
    let both = (): void => {};
    const arrived = new Promise<void>((resolve) => (both = resolve));
    const off = await everything.subscribe('changes', (message) => {
      if (received.push(message) === 2) both();
    });
    await everything.interest.declare('changes', '*');
    assert.equal(await api.publish('changes', 'A 1', { topic: 'A' }), 1);
    assert.equal(await api.publish('changes', 'B 1', { topic: 'B' }), 1);
    await arrived;
    // The channel's last handler gone: its topics' subscriptions go too (ping: Redis has handled what came before).
    off();
    await everything.ping();
    assert.equal(await api.publish('changes', 'A 2', { topic: 'A' }), 0);
    assert.equal(await api.publish('changes', 'plain'), 0);
    assert.deepEqual(received, ['A 1', 'B 1']);
  });

  it('a first declaration of a class resolves only once Redis has its SUBSCRIBE: what is published after it arrives', async () => {
    const redis = new URL(redisURL as string);
    const relay = await HoldingRelay.start(redis);
    let live: PubSub | undefined;
    try {
      const api = await open();
      live = await createRedisPubSub({ url: relay.url(redis), prefix });
      const received = await Received.on(live);
      relay.hold();
      let resolved = false;
      const declared = live.interest?.declare('changes', ['GameScore']).then(() => (resolved = true));
      // Published while live's SUBSCRIBE has not reached Redis: nobody listens yet.
      for (let i = 0; i < 5; i++) assert.equal(await api.publish('changes', `early ${i}`, { topic: 'GameScore' }), 0);
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(resolved, false, 'the declaration waits for Redis to confirm its subscription');
      relay.release();
      await declared;
      for (let i = 0; i < 5; i++) await api.publish('changes', `late ${i}`, { topic: 'GameScore' });
      await received.settle(api);
      assert.deepEqual(received.messages, ['late 0', 'late 1', 'late 2', 'late 3', 'late 4']);
    } finally {
      relay.release();
      // Before the relay: a closed relay would leave it reconnecting.
      await live?.close();
      await relay.close();
    }
  });

  it('while a class channel and the all-classes pattern overlap, each message is delivered once', async () => {
    const redis = new URL(redisURL as string);
    const relay = await HoldingRelay.start(redis);
    let live: PubSub | undefined;
    try {
      const api = await open();
      live = await createRedisPubSub({ url: relay.url(redis), prefix });
      const received = await Received.on(live);
      await live.interest?.declare('changes', ['GameScore']);
      relay.hold();
      // Widening to every class sends PSUBSCRIBE, then UNSUBSCRIBE of the class: only the first reaches Redis now.
      const widened = live.interest?.declare('changes', '*');
      await relay.releaseOne();
      const sent: string[] = [];
      let overlapping = 0;
      for (let i = 0; overlapping < 5 && i < 10_000; i++) {
        const text = `overlap ${i}`;
        sent.push(text);
        // Redis counts this server twice (its class channel and the pattern) from when it has the PSUBSCRIBE.
        if ((await api.publish('changes', text, { topic: 'GameScore' })) === 2) overlapping += 1;
      }
      assert.equal(overlapping, 5, 'Redis had the PSUBSCRIBE and not yet the UNSUBSCRIBE');
      relay.release();
      await widened;
      await received.settle(api);
      assert.deepEqual(received.messages, sent);
    } finally {
      relay.release();
      await live?.close();
      await relay.close();
    }
  });

  it('across declarations that add, widen to *, narrow and drop a topic, nothing published while it was wanted is lost or doubled', async () => {
    const api = await open();
    const live = await open();
    const received = await Received.on(live);
    let next = 0;
    let publishing = true;
    // Numbered messages of one class, one at a time: at most one is on its way to Redis at any moment.
    const publisher = (async () => {
      while (publishing) await api.publish('changes', String(next++), { topic: 'GameScore' });
    })();
    /** Lets the publisher send a few more (a count of its own messages reaching Redis, not a time). */
    const publishes = async (count: number): Promise<void> => {
      const until = next + count;
      while (next < until) await new Promise((resolve) => setImmediate(resolve));
    };
    // Each round: from the moment a declaration wanting GameScore resolved (`from`) to the moment one dropping it is
    // sent (`to`, less the one publish that may still be in flight), every message must arrive once.
    const sequences: Topics[][] = [
      [['GameScore'], '*', ['GameScore', 'Other'], '*', ['GameScore']],
      ['*', ['GameScore'], '*'],
      [['Other', 'GameScore'], ['GameScore'], '*', ['_Session', 'GameScore']],
    ];
    const windows: Array<{ from: number; to: number }> = [];
    for (let round = 0; round < 6; round++) {
      for (const sequence of sequences) {
        await live.interest.declare('changes', ['Other']);
        await publishes(3);
        let from = -1;
        for (const topics of sequence) {
          await live.interest.declare('changes', topics);
          if (from === -1) from = next;
          await publishes(5);
        }
        const to = next - 1;
        await live.interest.declare('changes', []);
        windows.push({ from, to });
      }
    }
    publishing = false;
    await publisher;
    await received.settle(api);

    const numbers = received.messages.map(Number);
    assert.equal(new Set(numbers).size, numbers.length, 'no message arrived twice');
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => a - b),
      'in the order they were published',
    );
    const got = new Set(numbers);
    for (const { from, to } of windows) {
      const missing: number[] = [];
      for (let n = from; n < to; n++) if (!got.has(n)) missing.push(n);
      assert.deepEqual(missing, [], `published between ${from} and ${to} while GameScore was declared`);
    }
    assert.ok(
      windows.every(({ from, to }) => to - from >= 10),
      'every window saw publishes',
    );
  });
});
