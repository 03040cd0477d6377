import type { CronExpressionParser as CronParser } from 'cron-parser';
import { retryDelay } from './queue.js';
import type { EnqueueOptions, JobQueue, QueueProcessor, ScheduleOptions } from './queue.js';

interface Pending<T> {
  readonly options: EnqueueOptions<T>;
  readonly attempt: number;
}

interface InstalledSchedule<T> {
  options: ScheduleOptions<T>;
  next: Date;
}

/** How often the scheduler compares the clock with the next fire times. */
const DEFAULT_TICK_MS = 1000;

/**
 * The in-process queue: jobs wait in memory and run in this process. It is not durable by itself: its
 * owner keeps a durable record of every accepted job (the cloud jobs keep `_JobStatus`) and enqueues the
 * unfinished ones again at the next start. Cron schedules are checked every `tickMs` against `now()`, so a
 * test can move an injected clock instead of waiting for minutes.
 */
export function createMemoryQueue<T>(
  options: { now?: () => Date; tickMs?: number; onError?: (err: unknown) => void } = {},
): JobQueue<T> {
  const now = options.now ?? (() => new Date());
  const waiting: Pending<T>[] = [];
  /** Ids waiting, running or between attempts: enqueueing one of them again is a no-op. */
  const known = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const schedules = new Map<string, InstalledSchedule<T>>();
  let processor: { run: QueueProcessor<T>; concurrency: number } | undefined;
  let active = 0;
  let closed = false;
  let ticker: NodeJS.Timeout | undefined;
  let parser: typeof CronParser | undefined;

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const pump = (): void => {
    while (!closed && processor !== undefined && active < processor.concurrency && waiting.length > 0) {
      const next = waiting.shift() as Pending<T>;
      active++;
      void runOne(processor.run, next);
    }
  };

  const runOne = async (run: QueueProcessor<T>, pending: Pending<T>): Promise<void> => {
    const { options: job, attempt } = pending;
    const attempts = Math.max(1, job.attempts ?? 1);
    let failed = false;
    try {
      await run({ id: job.id, data: job.data, attempt, attempts });
    } catch (err) {
      failed = true;
      options.onError?.(err);
    }
    active--;
    if (closed) return;
    if (failed && attempt < attempts) {
      const delay = retryDelay({ attempt, ...(job.backoffMs === undefined ? {} : { backoffMs: job.backoffMs }) });
      later(delay, () => {
        waiting.push({ options: job, attempt: attempt + 1 });
        pump();
      });
    } else {
      known.delete(job.id);
    }
    pump();
  };

  const tick = (): void => {
    const at = now();
    for (const schedule of schedules.values()) {
      if (schedule.next.getTime() > at.getTime()) continue;
      const { key, data } = schedule.options;
      // One run per tick even if the clock jumped past several fire times: a backlog of identical runs
      // after a pause helps nobody.
      const fired = schedule.next;
      schedule.next = fireAfter(parser as typeof CronParser, { cron: schedule.options.cron, after: at });
      const id = `${key}@${fired.toISOString()}`;
      if (known.has(id)) continue;
      known.add(id);
      waiting.push({
        options: {
          id,
          data,
          ...(schedule.options.attempts === undefined ? {} : { attempts: schedule.options.attempts }),
          ...(schedule.options.backoffMs === undefined ? {} : { backoffMs: schedule.options.backoffMs }),
        },
        attempt: 1,
      });
    }
    pump();
  };

  return {
    kind: 'memory',
    counts() {
      // Between attempts a job waits on a retry timer: that is its delay. Failed jobs are not kept.
      return Promise.resolve({ waiting: waiting.length, active, delayed: timers.size, failed: 0 });
    },
    enqueue(job) {
      if (!closed && !known.has(job.id)) {
        known.add(job.id);
        const start = (): void => {
          waiting.push({ options: job, attempt: 1 });
          pump();
        };
        if (job.delayMs !== undefined && job.delayMs > 0) later(job.delayMs, start);
        else start();
      }
      return Promise.resolve();
    },
    process(consumer) {
      processor = { run: consumer.processor, concurrency: Math.max(1, consumer.concurrency) };
      pump();
      return Promise.resolve();
    },
    async setSchedules(list) {
      if (list.length > 0) parser ??= await loadCronParser();
      const at = now();
      const wanted = new Map(list.map((schedule) => [schedule.key, schedule]));
      for (const key of schedules.keys()) if (!wanted.has(key)) schedules.delete(key);
      for (const schedule of list) {
        const current = schedules.get(schedule.key);
        if (current !== undefined && current.options.cron === schedule.cron) current.options = schedule;
        else {
          const next = fireAfter(parser as typeof CronParser, { cron: schedule.cron, after: at });
          schedules.set(schedule.key, { options: schedule, next });
        }
      }
      if (schedules.size > 0 && ticker === undefined && !closed) {
        ticker = setInterval(tick, options.tickMs ?? DEFAULT_TICK_MS);
        ticker.unref();
      }
    },
    close() {
      closed = true;
      if (ticker !== undefined) clearInterval(ticker);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      waiting.length = 0;
      return Promise.resolve();
    },
  };
}

/** cron-parser takes a few hundred ms to load: only servers with schedules pay for it. */
async function loadCronParser(): Promise<typeof CronParser> {
  return (await import('cron-parser')).CronExpressionParser;
}

function fireAfter(parser: typeof CronParser, options: { cron: string; after: Date }): Date {
  return parser.parse(options.cron, { currentDate: options.after, tz: 'UTC' }).next().toDate();
}

/** The first fire time of `cron` strictly after `after` (cron expressions are read in UTC). */
export async function nextFire(cron: string, after: Date): Promise<Date> {
  return fireAfter(await loadCronParser(), { cron, after });
}

/** Throws a readable message when `cron` is not a valid expression. */
export async function assertCron(cron: string): Promise<void> {
  (await loadCronParser()).parse(cron, { tz: 'UTC' });
}
