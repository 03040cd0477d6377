/**
 * Cloud jobs and push as the composition root wires them: each on its queue (BullMQ on Redis when
 * `--redis-url` is set, the in-process queue otherwise) with its durable record in storage, and the worker
 * roles consuming. Part of the composition root (only `app.ts` imports it).
 */
import { receiveRelayedJobs, relayJobs } from './app-job-relay.js';
import { JobRunner } from './cloud/index.js';
import type { CloudRegistry, HookServerConfig, JobQueueData } from './cloud/index.js';
import type { Config } from './config/index.js';
import { createStorageJobScheduleSource, createStorageJobStatusStore } from './core/index.js';
import type { ChangeBus, Core } from './core/index.js';
import { createMemoryQueue, createRedisQueue } from './infra/index.js';
import type { HookSample, JobQueue, Logger, PubSub } from './infra/index.js';
import { createLogProvider, pushProvidersFromConfig, PushService } from './push/index.js';
import type { PushHooks, PushJobData } from './push/index.js';
import type { SchemaRegistry } from './schema/index.js';
import type { StorageAdapter } from './storage/index.js';

/**
 * Cloud jobs: BullMQ on Redis when `--redis-url` is set (every server enqueues, workers consume), the
 * in-process queue otherwise, whose durable record is `_JobStatus`. Worker roles start consuming here.
 */
export async function createJobRunner(options: {
  config: Config;
  storage: StorageAdapter;
  schemas: SchemaRegistry;
  changes: ChangeBus;
  registry: CloudRegistry;
  logger: Logger;
  now: () => Date;
  serverConfig: () => HookServerConfig;
  observe: (sample: HookSample) => void;
  consume: boolean;
  /** The cluster's pub/sub, when this process is one of several workers without Redis. */
  relay: PubSub | undefined;
}): Promise<{ runner: JobRunner; queue: JobQueue<JobQueueData> }> {
  const { config, logger } = options;
  const onError = (err: unknown): void => logger.warn({ err }, 'job queue error');
  let queue: JobQueue<JobQueueData>;
  if (config.redisURL === undefined) {
    const memory = createMemoryQueue<JobQueueData>({ now: options.now });
    // Several workers without Redis: the first consumes, the others hand their jobs to it (app-job-relay.ts).
    if (options.relay === undefined || options.consume) queue = memory;
    else queue = relayJobs({ queue: memory, pubsub: options.relay });
    if (options.relay !== undefined && options.consume)
      await receiveRelayedJobs({ queue: memory, pubsub: options.relay });
  } else {
    queue = await createRedisQueue({
      url: config.redisURL,
      prefix: `strata:${config.appId}`,
      name: 'jobs',
      lockDurationMs: config.jobLockDuration,
      stalledIntervalMs: config.jobStalledInterval,
      onError,
    });
  }
  const runner = new JobRunner({
    registry: options.registry,
    queue,
    statuses: createStorageJobStatusStore({
      storage: options.storage,
      schemas: options.schemas,
      changes: options.changes,
      now: options.now,
    }),
    schedules: createStorageJobScheduleSource({ storage: options.storage, schemas: options.schemas }),
    logger,
    timeoutMs: config.jobTimeout,
    concurrency: config.jobConcurrency,
    now: options.now,
    serverConfig: options.serverConfig,
    observe: options.observe,
  });
  if ((config.role === 'worker' || config.role === 'all') && options.consume) await runner.startWorker();
  else if (config.redisURL === undefined && options.relay !== undefined) {
    // Not the consuming worker: jobs accepted here run on the first worker (relayJobs).
  } else if (config.redisURL === undefined && options.registry.list().jobs.length > 0) {
    logger.warn(
      'role api without --redis-url: accepted jobs wait in _JobStatus until a worker or all process starts on this database',
    );
  }
  return { runner, queue };
}

/**
 * Push: the providers the config names (the log provider when none is), the push queue (BullMQ on Redis, the
 * in-process queue otherwise, whose durable record is `_PushStatus`), and the worker on worker roles.
 */
export async function createPushService(options: {
  config: Config;
  core: Core;
  logger: Logger;
  now: () => Date;
  hooks: PushHooks | undefined;
}): Promise<{ service: PushService; queue: JobQueue<PushJobData> }> {
  const { config, logger } = options;
  const providers = await pushProvidersFromConfig(config);
  const queue: JobQueue<PushJobData> =
    config.redisURL === undefined
      ? createMemoryQueue({ now: options.now })
      : await createRedisQueue({
          url: config.redisURL,
          prefix: `strata:${config.appId}`,
          name: 'push',
          lockDurationMs: config.jobLockDuration,
          stalledIntervalMs: config.jobStalledInterval,
          onError: (err) => logger.warn({ err }, 'push queue error'),
        });
  const service = new PushService({
    core: options.core,
    queue,
    providers,
    ...(providers.size === 0 ? { fallback: createLogProvider({ logger }) } : {}),
    logger,
    now: options.now,
    pageSize: config.pushPageSize,
    rateLimit: config.pushRateLimit,
    concurrency: config.pushConcurrency,
    maxNestingDepth: config.maxNestingDepth,
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  });
  if (config.role === 'worker' || config.role === 'all') await service.startWorker();
  return { service, queue };
}
