import { retryDelay } from './queue.js';
import type { JobQueue, QueueProcessor, ScheduleOptions } from './queue.js';

export interface RedisQueueOptions {
  readonly url: string;
  /** Key prefix, e.g. `strata:<appId>`: several apps (and test runs) share one Redis. */
  readonly prefix: string;
  /** The queue's name under the prefix, e.g. `jobs`. */
  readonly name: string;
  /**
   * How long a worker's lock on a running job lasts without renewal (renewed every half of it while the
   * job runs). A worker that dies mid-job leaves its lock to expire; then the job is handed out again.
   */
  readonly lockDurationMs: number;
  /** How often each worker looks for jobs whose lock expired (stalled) and puts them back in the queue. */
  readonly stalledIntervalMs: number;
  /** Queue errors that have nowhere else to go (connection trouble, a failed lock renewal). */
  readonly onError?: (err: unknown) => void;
  /** How long `enqueue` waits for Redis before it fails (default 10 s): BullMQ itself waits forever. */
  readonly enqueueTimeoutMs?: number;
}

const DEFAULT_ENQUEUE_TIMEOUT_MS = 10_000;
/** Finished jobs kept in Redis for inspection; the durable record of a run is the caller's, not these. */
const KEEP_COMPLETED = { count: 1000 };
const KEEP_FAILED = { count: 5000 };
/**
 * A stalled job (its worker died) goes back to the queue this many times before BullMQ gives up on it;
 * more than BullMQ's default of 1 so a rolling restart that kills a worker twice still runs the job.
 */
const MAX_STALLED = 3;

/**
 * The queue on Redis, with BullMQ (imported on demand so embedded starts never load it). Every server may
 * enqueue; servers that `process` run a BullMQ Worker whose lock and stalled-job check hand the job of a
 * killed worker to another (or to the same one restarted) after `lockDurationMs` + up to two
 * `stalledIntervalMs`. Cron schedules are BullMQ job schedulers, stored in Redis: one run per tick for the
 * whole cluster.
 */
export async function createRedisQueue<T>(options: RedisQueueOptions): Promise<JobQueue<T>> {
  const { Queue, Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  // BullMQ requires `maxRetriesPerRequest: null` on the connection its worker blocks on. The producer's gives
  // up after a few retries instead, so `POST /jobs` answers an error rather than hanging while Redis is down.
  const connect = (retries: number | null): InstanceType<typeof Redis> =>
    new Redis(options.url, { maxRetriesPerRequest: retries });
  const queueConnection = connect(3);
  const queue = new Queue<object, unknown, string>(options.name, {
    connection: queueConnection,
    prefix: options.prefix,
  });
  queue.on('error', (err) => options.onError?.(err));
  let worker: InstanceType<typeof Worker<object, unknown, string>> | undefined;
  let workerConnection: InstanceType<typeof Redis> | undefined;
  const schedulePrefix = 'schedule:';

  const retryOptions = (o: { attempts?: number; backoffMs?: number }): Record<string, unknown> => ({
    attempts: Math.max(1, o.attempts ?? 1),
    backoff: { type: 'exponential', delay: retryDelay({ attempt: 1, ...o }) },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  });

  return {
    kind: 'redis',
    async counts() {
      const counts = await withTimeout(
        queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
        options.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS,
      );
      const count = (state: string): number => counts[state] ?? 0;
      return {
        waiting: count('waiting') + count('prioritized'),
        active: count('active'),
        delayed: count('delayed'),
        failed: count('failed'),
      };
    },
    async enqueue(job) {
      // BullMQ ignores an add whose job id exists already: a repeat enqueue is a no-op, as in memory.
      const delay = job.delayMs !== undefined && job.delayMs > 0 ? { delay: Math.ceil(job.delayMs) } : {};
      const added = queue.add('job', job.data as object, { jobId: bullId(job.id), ...retryOptions(job), ...delay });
      await withTimeout(added, options.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS);
    },
    async process(consumer) {
      if (worker !== undefined) return;
      workerConnection = connect(null);
      const run: QueueProcessor<T> = consumer.processor;
      worker = new Worker<object, unknown, string>(
        options.name,
        async (job) => {
          const attempts = job.opts.attempts ?? 1;
          await run({
            id: fromBullId(job.id ?? ''),
            data: job.data as T,
            // `attemptsMade` counts finished (failed) attempts; a stalled run picked up again is not one.
            attempt: job.attemptsMade + 1,
            attempts,
          });
        },
        {
          connection: workerConnection,
          prefix: options.prefix,
          concurrency: Math.max(1, consumer.concurrency),
          lockDuration: options.lockDurationMs,
          stalledInterval: options.stalledIntervalMs,
          maxStalledCount: MAX_STALLED,
        },
      );
      worker.on('error', (err) => options.onError?.(err));
      await worker.waitUntilReady();
    },
    async setSchedules(list: readonly ScheduleOptions<T>[]) {
      const wanted = new Set(list.map((schedule) => schedulePrefix + schedule.key));
      for (const existing of await queue.getJobSchedulers(0, -1)) {
        if (existing.key.startsWith(schedulePrefix) && !wanted.has(existing.key)) {
          await queue.removeJobScheduler(existing.key);
        }
      }
      for (const schedule of list) {
        await queue.upsertJobScheduler(
          schedulePrefix + schedule.key,
          { pattern: schedule.cron, tz: 'UTC' },
          { name: 'job', data: schedule.data as object, opts: retryOptions(schedule) },
        );
      }
    },
    async close() {
      // Force: don't wait for running jobs. Their locks lapse and another worker (or this one, restarted)
      // takes them over, exactly as after a crash.
      await worker?.close(true);
      await queue.close();
      workerConnection?.disconnect();
      queueConnection.disconnect();
    },
  };
}

/**
 * BullMQ job ids may not contain `:` nor look like integers (it numbers its own jobs); ours are prefixed
 * and the colon swapped. Scheduler-made ids (`repeat:...`) are passed through as they are.
 */
function bullId(id: string): string {
  return `j-${id.replaceAll(':', '_')}`;
}

function fromBullId(id: string): string {
  return id.startsWith('j-') ? id.slice(2) : id;
}

/**
 * Rejects when `work` takes longer than `ms`. The work itself may still complete later (a job added once
 * Redis is back): callers record the failure first, and the job runner skips a run whose row is finished.
 */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms.`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
