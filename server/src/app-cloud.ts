/**
 * Cloud code's runner as the composition root builds it: the `--cloud-timeout`, and the validators'
 * `rateLimit` counters in memory, or in Redis so every server shares them. Part of the composition root (only
 * `app.ts` imports it).
 */
import { createRateLimiter } from './app-rate-limits.js';
import { CloudRunner } from './cloud/index.js';
import type { CloudRegistry, HookServerConfig } from './cloud/index.js';
import type { Config } from './config/index.js';
import type { HookSample, Logger } from './infra/index.js';

/**
 * The runner of cloud code's functions and triggers: the `--cloud-timeout`, and the validators' `rateLimit`
 * counters in memory, or in Redis so every server shares them.
 */
export function createCloudRunner(options: {
  config: Config;
  registry: CloudRegistry;
  logger: Logger;
  now: () => Date;
  serverConfig: () => HookServerConfig;
  observe: (sample: HookSample) => void;
}): CloudRunner {
  const { config } = options;
  const now = (): number => options.now().getTime();
  return new CloudRunner({
    registry: options.registry,
    timeoutMs: config.cloudTimeout,
    logger: options.logger,
    serverConfig: options.serverConfig,
    observe: options.observe,
    rateLimiter: ({ rule, scope }) =>
      createRateLimiter({
        config,
        max: rule.requestCount,
        windowMs: rule.requestTimeWindow,
        now,
        scope: `cloud:${scope}`,
      }),
  });
}
