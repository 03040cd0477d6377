import type { Redis } from 'ioredis';
import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * Opens an ioredis connection and waits until it is ready. When Redis cannot be reached, it fails with what
 * went wrong (`cannot reach Redis at 127.0.0.1:6379: connect ECONNREFUSED ...`) instead of ioredis's
 * "Connection is closed." with the reason printed apart as an "Unhandled error event"; the URL's password is
 * never part of the message.
 *
 * @example
 * const redis = await connectRedis({ url: 'redis://127.0.0.1:6379', maxRetriesPerRequest: 3 });
 */
export async function connectRedis(options: { url: string; maxRetriesPerRequest: number | null }): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient(options.url, {
    lazyConnect: true,
    maxRetriesPerRequest: options.maxRetriesPerRequest,
  });
  let lastError: Error | undefined;
  const record = (err: Error): void => {
    lastError = err;
  };
  redis.on('error', record);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new ParseError(ErrorCode.CONNECTION_FAILED, {
      message: `cannot reach Redis at ${hostOf(options.url)}: ${(lastError ?? (err as Error)).message}`,
      cause: lastError ?? err,
    });
  } finally {
    // Later connection trouble is ioredis's to report and retry, as before.
    redis.off('error', record);
  }
  return redis;
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host || url.split(':', 1)[0] || 'redis';
  } catch {
    return 'the configured URL';
  }
}
