import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createRedisQueue } from './queue-redis.js';
import type { JobQueue } from './queue.js';

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const skip = redisURL === undefined && !requireServices;
if (skip) console.log('# skipping BullMQ queue tests: STRATA_TEST_REDIS_URL is not set');

/** Every queue of this run lives under one prefix, deleted at the end. */
const prefix = `strata-test-queue-${randomBytes(4).toString('hex')}`;
let counter = 0;

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function open<T>(): Promise<JobQueue<T>> {
  assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
  return createRedisQueue<T>({
    url: redisURL,
    prefix,
    name: `q${++counter}`,
    lockDurationMs: 5000,
    stalledIntervalMs: 5000,
  });
}

describe('BullMQ queue', { skip: skip ? 'STRATA_TEST_REDIS_URL is not set' : false }, () => {
  after(async () => {
    if (redisURL === undefined) return;
    const { Redis } = await import('ioredis');
    const redis = new Redis(redisURL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('a job enqueued on one server runs on another, once per id', async () => {
    const producer = await open<{ n: number }>();
    const name = `q${counter}`;
    assert.ok(redisURL);
    const consumer = await createRedisQueue<{ n: number }>({
      url: redisURL,
      prefix,
      name,
      lockDurationMs: 5000,
      stalledIntervalMs: 5000,
    });
    const seen: string[] = [];
    try {
      await producer.enqueue({ id: 'one', data: { n: 1 } });
      await producer.enqueue({ id: 'one', data: { n: 2 } });
      await producer.enqueue({ id: 'two', data: { n: 3 } });
      await consumer.process({
        processor: (job) => {
          seen.push(`${job.id}:${job.data.n}:${job.attempt}/${job.attempts}`);
          return Promise.resolve();
        },
        concurrency: 2,
      });
      await until('both jobs', () => seen.length >= 2);
      assert.deepEqual(seen.sort(), ['one:1:1/1', 'two:3:1/1']);
    } finally {
      await producer.close();
      await consumer.close();
    }
  });

  it('retries a failing job with exponential backoff until an attempt succeeds, or gives up', async () => {
    const queue = await open<{ succeedOn: number }>();
    const calls: string[] = [];
    try {
      await queue.process({
        processor: (job) => {
          calls.push(`${job.id}#${job.attempt}/${job.attempts}`);
          return job.attempt >= job.data.succeedOn ? Promise.resolve() : Promise.reject(new Error('not yet'));
        },
        concurrency: 1,
      });
      await queue.enqueue({ id: 'flaky', data: { succeedOn: 3 }, attempts: 5, backoffMs: 10 });
      await queue.enqueue({ id: 'broken', data: { succeedOn: 99 }, attempts: 2, backoffMs: 10 });
      await until('all attempts', () => calls.length >= 5);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(
        calls.filter((c) => c.startsWith('flaky')),
        ['flaky#1/5', 'flaky#2/5', 'flaky#3/5'],
      );
      assert.deepEqual(
        calls.filter((c) => c.startsWith('broken')),
        ['broken#1/2', 'broken#2/2'],
      );
    } finally {
      await queue.close();
    }
  });

  it('fires a cron schedule from Redis, and setSchedules([]) removes it', async () => {
    const queue = await open<{ from: string }>();
    const runs: string[] = [];
    try {
      await queue.process({
        processor: (job) => {
          runs.push(job.data.from);
          return Promise.resolve();
        },
        concurrency: 1,
      });
      await queue.setSchedules([{ key: 'every-second', cron: '* * * * * *', data: { from: 'schedule' } }]);
      await until('a scheduled run', () => runs.length >= 1);
      assert.equal(runs[0], 'schedule');
      await queue.setSchedules([]);
      const { Redis } = await import('ioredis');
      const redis = new Redis(redisURL as string);
      const schedulers = await redis.zcard(`${prefix}:q${counter}:repeat`);
      redis.disconnect();
      assert.equal(schedulers, 0, 'no job scheduler left in Redis');
    } finally {
      await queue.close();
    }
  });
});

describe('BullMQ queue without a reachable Redis', () => {
  it('enqueue fails with an error instead of hanging', async () => {
    const errors: unknown[] = [];
    // Port 1 on loopback: nothing listens there, every connection attempt is refused at once.
    const queue = await createRedisQueue<object>({
      url: 'redis://127.0.0.1:1',
      prefix: 'strata-test-unreachable',
      name: 'q',
      lockDurationMs: 1000,
      stalledIntervalMs: 1000,
      onError: (err) => errors.push(err),
      enqueueTimeoutMs: 300,
    });
    try {
      await assert.rejects(queue.enqueue({ id: 'x', data: {} }), /Redis did not answer within 300 ms/);
      assert.ok(errors.length > 0, 'the connection errors reach onError');
    } finally {
      await queue.close();
    }
  });
});
