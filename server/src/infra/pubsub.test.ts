import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMemoryPubSub } from './pubsub.js';
import { createRedisPubSub } from './redis-pubsub.js';
import type { PubSub } from './pubsub.js';

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';

function nextMessage(pubsub: PubSub, channel: string): Promise<string> {
  return new Promise((resolve) => {
    void pubsub.subscribe(channel, resolve);
  });
}

describe('memory pub/sub', () => {
  it('delivers to every subscriber of the channel, and not after unsubscribing', async () => {
    const pubsub = createMemoryPubSub();
    const received: string[] = [];
    const off = await pubsub.subscribe('schema', (m) => received.push(`a:${m}`));
    await pubsub.subscribe('schema', (m) => received.push(`b:${m}`));
    await pubsub.subscribe('other', (m) => received.push(`c:${m}`));
    await pubsub.publish('schema', 'Post');
    await new Promise((r) => setImmediate(r));
    off();
    await pubsub.publish('schema', 'Again');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(received, ['a:Post', 'b:Post', 'b:Again']);
  });
});

if (redisURL === undefined && !requireServices) {
  console.log('# skipping Redis pub/sub tests: STRATA_TEST_REDIS_URL is not set');
}

describe(
  'Redis pub/sub',
  { skip: redisURL === undefined && !requireServices ? 'STRATA_TEST_REDIS_URL is not set' : false },
  () => {
    it('a message published by one server reaches another', async () => {
      assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
      const prefix = `strata-test-${randomBytes(4).toString('hex')}`;
      const serverA = await createRedisPubSub({ url: redisURL, prefix });
      const serverB = await createRedisPubSub({ url: redisURL, prefix });
      try {
        const arrived = nextMessage(serverB, 'schema');
        // Give the SUBSCRIBE a moment to reach Redis before publishing.
        await new Promise((r) => setTimeout(r, 50));
        await serverA.publish('schema', 'GameScore');
        assert.equal(await arrived, 'GameScore');
      } finally {
        await serverA.close();
        await serverB.close();
      }
    });
  },
);
