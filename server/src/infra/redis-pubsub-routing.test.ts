import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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
