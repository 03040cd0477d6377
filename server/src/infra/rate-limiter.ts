/**
 * Fixed-window rate limiting: at most `max` hits per key per window. Windows are numbered from the
 * injected clock (`floor(now / windowMs)`), so tests move time instead of sleeping, and several app
 * servers sharing Redis count into the same window.
 */
import { connectRedis } from './redis-connect.js';

export interface RateLimiter {
  /** Counts one hit for `key`; `allowed` is false once the key went over its limit in this window. */
  hit(key: string): Promise<{ allowed: boolean; count: number }>;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  readonly max: number;
  readonly windowMs: number;
  readonly now?: () => number;
}

/** One process's counters. Old windows are dropped as time moves on. */
export function createMemoryRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const counts = new Map<string, number>();
  let currentWindow = -1;
  return {
    hit(key) {
      const window = Math.floor(now() / options.windowMs);
      if (window !== currentWindow) {
        // A new window starts every counter at zero; nothing older is needed.
        counts.clear();
        currentWindow = window;
      }
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return Promise.resolve({ allowed: count <= options.max, count });
    },
    close() {
      counts.clear();
      return Promise.resolve();
    },
  };
}

/** Counters in Redis (INCR + PEXPIRE per key and window), shared by every app server. */
export async function createRedisRateLimiter(
  options: RateLimiterOptions & { url: string; prefix: string },
): Promise<RateLimiter> {
  const now = options.now ?? Date.now;
  const redis = await connectRedis({ url: options.url, maxRetriesPerRequest: 3 });
  return {
    async hit(key) {
      const window = Math.floor(now() / options.windowMs);
      const name = `${options.prefix}:${key}:${window}`;
      const [[, count]] = (await redis
        .multi()
        .incr(name)
        .pexpire(name, options.windowMs * 2)
        .exec()) as [[unknown, number], [unknown, unknown]];
      return { allowed: count <= options.max, count };
    },
    async close() {
      await redis.quit();
    },
  };
}
