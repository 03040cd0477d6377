import { ErrorCode, ParseError } from '../errors/index.js';
import { assertCron } from '../infra/index.js';
import { performance } from 'node:perf_hooks';
import type { HookSample, JobQueue, Logger, QueuedJob, ScheduleOptions } from '../infra/index.js';
import { isDue, ruleCron, scheduleParams, scheduleRule } from './job-schedules.js';
import type { JobScheduleSource, ScheduleRule } from './job-schedules.js';
import { statusIdFor } from './job-status.js';
import type { JobStatusStore } from './job-status.js';
import type { CloudRegistry } from './registry.js';
import type { HookServerConfig, JobRequest, JsonObject, RegisteredJob } from './types.js';

/** What travels through the queue for one run: JSON only (it may sit in Redis). */
export interface JobQueueData {
  /** The `_JobStatus` row `POST /jobs` wrote; absent for scheduled runs, which write their own. */
  readonly statusId?: string;
  readonly jobName: string;
  /** REST JSON. */
  readonly params: JsonObject;
  readonly ip?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Runs from a stored `_JobSchedule`: the schedule's rule, checked when its tick arrives. */
  readonly rule?: ScheduleRule;
}

export interface JobRunnerOptions {
  readonly registry: CloudRegistry;
  readonly queue: JobQueue<JobQueueData>;
  readonly statuses: JobStatusStore;
  /** The schedules stored in `_JobSchedule` (`/cloud_code/jobs`), run besides the ones in code. */
  readonly schedules?: JobScheduleSource;
  readonly logger: Logger;
  /** Abort a run after this long unless the job sets its own `timeoutMs`. */
  readonly timeoutMs: number;
  /** Runs at once in this process. */
  readonly concurrency: number;
  readonly now?: () => Date;
  /** The server as jobs see it (`request.config`), read per run. */
  readonly serverConfig?: () => HookServerConfig;
  /** Told of every attempt's duration and outcome (metrics and metering); a shutdown's cut is not told. */
  readonly observe?: (sample: HookSample) => void;
}

/** Why a run's signal was aborted. */
class JobTimeout extends Error {}
class ServerStopping extends Error {}

/** Headers a job never sees: credentials would otherwise sit in the queue (and in Redis). */
const SECRET_HEADER = /(key|token|authorization|cookie|secret|password)/i;

/**
 * Cloud jobs (spec/cloud.md §6): `start` records a `_JobStatus` row and enqueues the run (any role);
 * `startWorker` consumes the queue (the `worker` and `all` roles): it runs the registered handler with a
 * timeout and an abort signal, records `running` → `succeeded` / `failed` with the message, progress and
 * attempts, retries with exponential backoff, and installs the cron schedules. Delivery is at least once:
 * a run cut off by a crash or a shutdown is run again, and a run whose row is already finished is skipped.
 */
export class JobRunner {
  private readonly running = new Set<AbortController>();
  private closed = false;
  private workerStarted = false;
  private readonly now: () => Date;

  constructor(private readonly options: JobRunnerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * `POST /jobs/:name`: answers with the `_JobStatus` id once the run is recorded and queued; the job runs
   * later, on a worker. Unknown job → 141 "Invalid job.".
   */
  async start(request: {
    jobName: string;
    params: JsonObject;
    ip?: string;
    headers?: Readonly<Record<string, string | undefined>>;
  }): Promise<string> {
    const job = this.options.registry.job(request.jobName);
    if (job === undefined) throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'Invalid job.' });
    const statusId = await this.options.statuses.create({
      jobName: job.name,
      params: request.params,
      source: 'api',
    });
    try {
      await this.options.queue.enqueue({
        id: statusId,
        data: {
          statusId,
          jobName: job.name,
          params: request.params,
          ...(request.ip === undefined ? {} : { ip: request.ip }),
          headers: safeHeaders(request.headers ?? {}),
        },
        ...retryOptions(job),
      });
    } catch (err) {
      await this.options.statuses
        .update(statusId, { status: 'failed', message: 'Could not queue the job.', finishedAt: this.now() })
        .catch(() => undefined);
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'Could not queue the job.', cause: err });
    }
    return statusId;
  }

  /**
   * Consumes the queue in this process. With the in-process queue, first enqueues again every run a
   * previous process left `running` (its durable record is the `_JobStatus` row). Installs the schedules
   * of the registered jobs (a bad cron expression stops the start).
   */
  async startWorker(): Promise<void> {
    if (this.workerStarted) return;
    this.workerStarted = true;
    const { queue } = this.options;
    if (queue.kind === 'memory') await this.recover();
    await this.reloadSchedules();
    await queue.process({ processor: (job) => this.process(job), concurrency: this.options.concurrency });
  }

  /** The registered job names (`/cloud_code/jobs/data`). */
  jobNames(): string[] {
    return this.options.registry.list().jobs.map((job) => job.name);
  }

  /**
   * Installs the schedules of the registered jobs and of `_JobSchedule` (call after changing the latter).
   * A bad cron expression in code throws (the start fails); a stored schedule that cannot run is skipped
   * with a warning (it was checked when saved).
   */
  async reloadSchedules(): Promise<void> {
    const { registry, queue, logger } = this.options;
    const schedules: ScheduleOptions<JobQueueData>[] = [];
    for (const job of registry.list().jobs) {
      if (job.options.schedule === undefined) continue;
      try {
        await assertCron(job.options.schedule);
      } catch (err) {
        throw new ParseError(ErrorCode.SCRIPT_FAILED, {
          message: `Job ${job.name}: invalid schedule ${JSON.stringify(job.options.schedule)} (${errorMessage(err)})`,
        });
      }
      schedules.push({
        key: job.name,
        cron: job.options.schedule,
        data: { jobName: job.name, params: {} },
        ...retryOptions(job),
      });
    }
    for (const stored of (await this.options.schedules?.list()) ?? []) {
      const job = registry.job(stored.jobName);
      const rule = scheduleRule(stored);
      const params = scheduleParams(stored.params);
      if (job === undefined || typeof rule === 'string' || params === undefined) {
        logger.warn(
          { scheduleId: stored.objectId, jobName: stored.jobName },
          'skipping a _JobSchedule that cannot run',
        );
        continue;
      }
      schedules.push({
        key: `stored-${stored.objectId}`,
        cron: ruleCron(rule),
        data: { jobName: job.name, params, rule },
        ...retryOptions(job),
      });
    }
    await queue.setSchedules(schedules);
  }

  /** Stops running jobs' signals; their rows stay `running` so they run again (see `JobQueue.close`). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.options.queue.close();
    this.closed = true;
    for (const controller of this.running) controller.abort(new ServerStopping('The server is stopping.'));
  }

  private async recover(): Promise<void> {
    const rows = await this.options.statuses.unfinished();
    for (const row of rows) {
      const job = this.options.registry.job(row.jobName);
      this.options.logger.info(
        { jobId: row.objectId, jobName: row.jobName },
        'running a job a stopped server left unfinished',
      );
      await this.options.queue.enqueue({
        id: row.objectId,
        data: { statusId: row.objectId, jobName: row.jobName, params: row.params },
        ...(job === undefined ? {} : retryOptions(job)),
      });
    }
  }

  private async process(queued: QueuedJob<JobQueueData>): Promise<void> {
    if (this.closed) return never();
    const { statuses, registry } = this.options;
    const { data } = queued;
    // A stored schedule ticks more often than it runs (each minute when it repeats): most ticks are no-ops.
    if (data.rule !== undefined && queued.attempt === 1 && !isDue(data.rule, this.now())) return;
    const statusId =
      data.statusId ??
      (await statuses.create({
        objectId: statusIdFor(queued.id),
        jobName: data.jobName,
        params: data.params,
        source: 'schedule',
      }));
    const current = await statuses.get(statusId);
    // Finished already: this delivery repeats a run whose outcome was recorded (e.g. its server stopped
    // between recording and acknowledging it).
    if (current !== undefined && current.status !== 'running') return;
    const job = registry.job(data.jobName);
    if (job === undefined) {
      await statuses.update(statusId, { status: 'failed', message: 'Invalid job.', finishedAt: this.now() });
      return;
    }
    await statuses.update(statusId, { countAttempt: true });
    const outcome = await this.run({ job, data, statusId });
    if (this.closed && outcome.stopped) return never();
    if (outcome.ok) {
      await statuses.update(statusId, {
        status: 'succeeded',
        finishedAt: this.now(),
        ...(typeof outcome.value === 'string' ? { message: outcome.value } : {}),
      });
      return;
    }
    const message = errorMessage(outcome.error);
    const log = this.options.logger.child({ jobId: statusId, jobName: job.name });
    if (queued.attempt < queued.attempts) {
      log.warn({ err: outcome.error, attempt: queued.attempt }, 'job attempt failed; retrying');
      await statuses.update(statusId, {
        message: `Attempt ${queued.attempt} of ${queued.attempts} failed: ${message}`,
      });
    } else {
      log.warn({ err: outcome.error, attempt: queued.attempt }, 'job failed');
      await statuses.update(statusId, { status: 'failed', message, finishedAt: this.now() });
    }
    // The queue counts the failed attempt and schedules the retry, if any remains.
    throw outcome.error instanceof Error ? outcome.error : new Error(message);
  }

  /** One attempt: the handler raced against its timeout and the server's shutdown. */
  private async run(options: {
    job: RegisteredJob;
    data: JobQueueData;
    statusId: string;
  }): Promise<{ ok: true; value: unknown; stopped?: false } | { ok: false; error: unknown; stopped: boolean }> {
    const { job, data, statusId } = options;
    const { statuses } = this.options;
    const timeoutMs = job.options.timeoutMs ?? this.options.timeoutMs;
    const controller = new AbortController();
    this.running.add(controller);
    const timer = setTimeout(
      () => controller.abort(new JobTimeout(`The job timed out after ${timeoutMs} ms.`)),
      timeoutMs,
    );
    timer.unref();
    // A handler still running after its timeout must not overwrite the recorded outcome.
    let settled = false;
    const config = this.options.serverConfig?.();
    const request: JobRequest = {
      jobName: job.name,
      jobId: statusId,
      params: data.params,
      headers: data.headers ?? {},
      ...(data.ip === undefined ? {} : { ip: data.ip }),
      log: this.options.logger.child({ jobId: statusId, jobName: job.name }),
      signal: controller.signal,
      ...(config === undefined ? {} : { config: Object.freeze({ ...config }) }),
      message: async (text) => {
        if (!settled) await statuses.update(statusId, { message: String(text) });
      },
      progress: async (percent) => {
        if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
          throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'progress() takes a number from 0 to 100.' });
        }
        if (!settled) await statuses.update(statusId, { progress: percent });
      },
    };
    const startedAt = performance.now();
    const observe = (ok: boolean): void => {
      try {
        this.options.observe?.({ kind: 'job', name: job.name, ok, ms: performance.now() - startedAt });
      } catch (err) {
        this.options.logger.warn({ err }, 'job observer failed');
      }
    };
    try {
      const value = await Promise.race([
        Promise.resolve().then(() => job.handler(request)),
        aborted(controller.signal),
      ]);
      observe(true);
      return { ok: true, value };
    } catch (error) {
      const stopped = controller.signal.reason instanceof ServerStopping;
      if (!stopped) observe(false);
      return { ok: false, error, stopped };
    } finally {
      settled = true;
      clearTimeout(timer);
      this.running.delete(controller);
    }
  }
}

function retryOptions(job: RegisteredJob): { attempts?: number; backoffMs?: number } {
  return {
    ...(job.options.attempts === undefined ? {} : { attempts: job.options.attempts }),
    ...(job.options.backoffMs === undefined ? {} : { backoffMs: job.options.backoffMs }),
  };
}

function safeHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !SECRET_HEADER.test(name)) out[name] = value;
  }
  return out;
}

/** What `_JobStatus.message` says about a failure (spec/cloud.md §4: strings and errors by their text). */
function errorMessage(error: unknown): string {
  if (typeof error === 'string' && error !== '') return error;
  if (error instanceof Error && error.message !== '') return error.message;
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  }
  return 'Script failed. Unknown error.';
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** A run abandoned at shutdown: neither completes nor fails, so the queue hands it out again later. */
function never(): Promise<void> {
  return new Promise(() => undefined);
}
