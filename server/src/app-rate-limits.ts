/**
 * The rate limiters the composition root builds (log-in and sign-up, cloud validators' `rateLimit`, dashboard
 * sign-in): in memory, or in Redis when `--redis-url` is set so every server shares the budget. Part of the
 * composition root (only `app*.ts` import it).
 */
import type { Config } from './config/index.js';
import { createMemoryRateLimiter, createRedisRateLimiter } from './infra/index.js';
import type { RateLimiter } from './infra/index.js';

/** One limiter: `max` hits per `windowMs`, counted in Redis under `strata:<appId>:rl:<scope>` when configured. */
export async function createRateLimiter(options: {
  config: Config;
  max: number;
  windowMs: number;
  now: () => number;
  scope: string;
}): Promise<RateLimiter> {
  const { config, max, windowMs, now } = options;
  return config.redisURL === undefined
    ? createMemoryRateLimiter({ max, windowMs, now })
    : createRedisRateLimiter({
        max,
        windowMs,
        now,
        url: config.redisURL,
        prefix: `strata:${config.appId}:rl:${options.scope}`,
      });
}

/** Log-in / sign-up / password-reset limits: in memory, or in Redis so every server shares the budget. */
export async function createAuthRateLimits(options: {
  config: Config;
  now: () => Date;
}): Promise<{ ip?: RateLimiter; account?: RateLimiter }> {
  const { config } = options;
  const windowMs = config.authRateLimitWindow * 1000;
  const now = (): number => options.now().getTime();
  const make = async (max: number, scope: string): Promise<RateLimiter | undefined> =>
    max === 0 ? undefined : createRateLimiter({ config, max, windowMs, now, scope });
  const ip = await make(config.authRateLimit, 'ip');
  const account = await make(config.authRateLimitAccount, 'account');
  return { ...(ip === undefined ? {} : { ip }), ...(account === undefined ? {} : { account }) };
}
