import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMemoryRateLimiter, createRedisRateLimiter } from './rate-limiter.js';
import type { RateLimiter, RateLimiterOptions } from './rate-limiter.js';

type Factory = (options: RateLimiterOptions) => Promise<RateLimiter>;

function conformance(name: string, make: Factory, skip: string | false): void {
  describe(name, { skip }, () => {
    it('allows max hits per key and window, then refuses; other keys are independent', async () => {
      let time = 1_000_000;
      const limiter = await make({ max: 2, windowMs: 60_000, now: () => time });
      try {
        assert.deepEqual(await limiter.hit('ip:1'), { allowed: true, count: 1 });
        assert.deepEqual(await limiter.hit('ip:1'), { allowed: true, count: 2 });
        assert.deepEqual(await limiter.hit('ip:1'), { allowed: false, count: 3 });
        assert.deepEqual(await limiter.hit('ip:2'), { allowed: true, count: 1 });
        time += 60_000;
        assert.deepEqual(await limiter.hit('ip:1'), { allowed: true, count: 1 }, 'a new window starts over');
      } finally {
        await limiter.close();
      }
    });
  });
}

conformance('memory rate limiter', (o) => Promise.resolve(createMemoryRateLimiter(o)), false);

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const redisSkip =
  redisURL === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (redisSkip !== false) console.log(`redis rate limiter suite skipped: ${redisSkip}`);
conformance(
  'redis rate limiter',
  (o) => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    return createRedisRateLimiter({
      ...o,
      url: redisURL,
      prefix: `strata_test_${randomBytes(6).toString('hex')}`,
    });
  },
  redisSkip,
);
