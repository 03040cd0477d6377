/**
 * Infra: cross-cutting runtime services handed to every component by `app.ts`: the structured logger (and,
 * as they land, queue, pub/sub, cache and metrics, each with a memory and a Redis implementation). It holds
 * no business rules and no module-level state: every instance is created by the composition root.
 */
export { createLogger } from './logger.js';
export type { LogFormat, Logger, LoggerOptions } from './logger.js';
export { LogBuffer } from './log-buffer.js';
export type { LogEntry, LogQuery } from './log-buffer.js';
export { createMemoryPubSub } from './pubsub.js';
export type { PubSub, PubSubInterest, PublishOptions, MessageHandler, Topics } from './pubsub.js';
export { createRedisPubSub } from './redis-pubsub.js';
export { createIpcPubSub, isIpcInterestMessage, isIpcPubSubMessage } from './pubsub-ipc.js';
export type { IpcInterestMessage, IpcPubSubMessage } from './pubsub-ipc.js';
export { IpcRelay } from './ipc-relay.js';
export { createMemoryRateLimiter, createRedisRateLimiter } from './rate-limiter.js';
export type { RateLimiter, RateLimiterOptions } from './rate-limiter.js';
export { retryDelay, DEFAULT_BACKOFF_MS } from './queue.js';
export type { JobQueue, QueueCounts, QueuedJob, QueueProcessor, EnqueueOptions, ScheduleOptions } from './queue.js';
export { createMemoryQueue, assertCron, nextFire } from './queue-memory.js';
export { createRedisQueue } from './queue-redis.js';
export type { RedisQueueOptions } from './queue-redis.js';
export { createMetrics } from './metrics.js';
export { ClusterMetrics, MetricsGatherer, isClusterMetricsMessage } from './cluster-metrics.js';
export type { ClusterMetricsMessage } from './cluster-metrics.js';
export type {
  DatabasePoolStats,
  HookKind,
  HookSample,
  LiveQueryEvent,
  LiveQueryMetrics,
  LiveQuerySample,
  Metrics,
  QueueDepth,
} from './metrics.js';
