/**
 * A work queue: producers enqueue JSON payloads, worker processes consume them with retries and exponential
 * backoff, and cron schedules enqueue on their own. Two implementations behind this one interface: the
 * in-process queue (`createMemoryQueue`, embedded mode) and BullMQ on Redis (`createRedisQueue`, several
 * servers). Queue payloads are plain JSON so they survive Redis.
 */

/** One delivery of a queued job to the processor. */
export interface QueuedJob<T> {
  /** The id given at enqueue (scheduled runs get one from the scheduler, stable across their retries). */
  readonly id: string;
  readonly data: T;
  /** 1 for the first attempt. A run interrupted by a crash and picked up again is not a new attempt. */
  readonly attempt: number;
  /** Attempts allowed in all. */
  readonly attempts: number;
}

/**
 * Runs one delivery. Resolving completes the job; rejecting fails the attempt, which is retried after
 * `backoffMs * 2^(attempt-1)` while attempts remain.
 */
export type QueueProcessor<T> = (job: QueuedJob<T>) => Promise<void>;

export interface EnqueueOptions<T> {
  /** Unique per job: enqueueing an id that is already waiting or running does nothing. */
  readonly id: string;
  readonly data: T;
  /** Attempts in all (default 1: no retry). */
  readonly attempts?: number;
  /** Delay before the first retry (default 1000 ms); doubles with each retry. */
  readonly backoffMs?: number;
  /**
   * Runs no earlier than this many ms from now (a scheduled push). On Redis the delay is BullMQ's, kept
   * in Redis; in process it is a timer, so the owner's durable record must re-enqueue it after a restart.
   */
  readonly delayMs?: number;
}

export interface ScheduleOptions<T> {
  /** Names the schedule; installing the same key again replaces it. */
  readonly key: string;
  /** Cron expression, 5 fields (minute precision) or 6 (with seconds). */
  readonly cron: string;
  readonly data: T;
  readonly attempts?: number;
  readonly backoffMs?: number;
}

/** How many jobs a queue holds in each state (metrics; `failed`: kept failed jobs, Redis only). */
export interface QueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
}

export interface JobQueue<T> {
  readonly kind: 'memory' | 'redis';
  /** The queue's depth; on Redis also the readiness probe (it fails when Redis does not answer). */
  counts(): Promise<QueueCounts>;
  enqueue(options: EnqueueOptions<T>): Promise<void>;
  /**
   * Starts consuming with at most `concurrency` jobs at once (worker roles only; an API-only server just
   * enqueues). Call once.
   */
  process(options: { processor: QueueProcessor<T>; concurrency: number }): Promise<void>;
  /**
   * Makes `schedules` the complete set of cron schedules: new keys are installed, changed ones replaced,
   * and keys no longer listed removed. On Redis a schedule fires once per tick however many servers run.
   */
  setSchedules(schedules: readonly ScheduleOptions<T>[]): Promise<void>;
  /**
   * Stops taking work and drops the connections without waiting for running jobs: a job cut off here is
   * run again (the in-process queue's owner re-enqueues it at the next start; Redis hands it to another
   * worker once its lock expires).
   */
  close(): Promise<void>;
}

export const DEFAULT_BACKOFF_MS = 1000;

/** The delay before retrying after failed attempt number `attempt` (1-based): backoff, 2×, 4×, ... */
export function retryDelay(options: { attempt: number; backoffMs?: number }): number {
  const base = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  return base * 2 ** Math.max(0, options.attempt - 1);
}
