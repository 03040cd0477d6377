import { MASTER } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { decodeWriteBody } from '../core/index.js';
import type { Core, RequestOrigin } from '../core/index.js';
import type { PushJSON } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { JobQueue, Logger } from '../infra/index.js';
import { pushParts } from './parts.js';
import { pushHash } from './payload.js';
import type { PushProvider } from './provider.js';
import { parsePushRequest } from './request.js';
import type { PushRequest } from './request.js';
import { isPartDone, PushStatusStore } from './status.js';
import { PushWorker } from './worker.js';
import type { PushJobData } from './worker.js';
import type { RetryPolicy } from './delivery.js';

/**
 * An embedder's say before and after a push (`createApp({ pushHooks })`); cloud code's `beforePush` /
 * `afterPush` (both APIs) run first, through core, with the same request shapes (cloud/types.ts).
 */
export interface PushHooks {
  /**
   * Runs before a push is recorded, with the checked request (REST JSON, after cloud code's beforePush): may
   * return a changed one, or throw to refuse it (the error reaches the caller).
   */
  beforePush?(request: PushHookRequest): Promise<PushHookRequest | undefined>;
  /** Runs when a push finished delivering (on the worker that finished it). */
  afterPush?(outcome: { pushStatusId: string; status: 'succeeded' | 'failed' }): Promise<void>;
}

export interface PushHookRequest {
  readonly where: Record<string, unknown>;
  readonly data: Record<string, unknown>;
  readonly source: string;
}

export interface PushServiceOptions {
  readonly core: Core;
  readonly queue: JobQueue<PushJobData>;
  readonly providers: ReadonlyMap<string, PushProvider>;
  /** Takes every device when no provider is configured (the log provider). */
  readonly fallback?: PushProvider;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly pageSize: number;
  readonly rateLimit: number;
  readonly concurrency: number;
  readonly maxNestingDepth: number;
  readonly retry?: RetryPolicy;
  readonly hooks?: PushHooks;
}

/** Attempts of one part's queue job (a database error mid-part); the part resumes after its last page. */
const PART_ATTEMPTS = 5;
const PART_BACKOFF_MS = 2000;
/** setTimeout's limit: a push further ahead wakes up at that point and sleeps again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Push notifications (push.md): `send` is `POST /push` (and `Parse.Push.send`): it checks the request,
 * records the `_PushStatus` and queues the push's parts, on any role; `startWorker` delivers them on the
 * `worker` and `all` roles. With the in-process queue the `_PushStatus` rows are the durable record: a
 * starting worker queues again every push not finished, at its time, so a scheduled push survives a crash
 * of the process that accepted it. On Redis the parts wait in BullMQ as delayed jobs.
 */
export class PushService {
  private readonly store: PushStatusStore;
  private readonly worker: PushWorker;
  private workerStarted = false;

  constructor(private readonly options: PushServiceOptions) {
    this.store = new PushStatusStore({ core: options.core, maxDepth: options.maxNestingDepth });
    this.worker = new PushWorker({
      core: options.core,
      store: this.store,
      providers: options.providers,
      ...(options.fallback === undefined ? {} : { fallback: options.fallback }),
      logger: options.logger,
      now: options.now,
      pageSize: options.pageSize,
      rateLimit: options.rateLimit,
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      requeue: (job) => this.enqueue(job),
      finished: (outcome) => {
        void this.afterPush(outcome).catch((err: unknown) =>
          options.logger.warn({ err, pushId: outcome.objectId }, 'afterPush failed'),
        );
      },
    });
  }

  /**
   * `POST /push` and `Parse.Push.send`: answers the `_PushStatus` objectId once the push is recorded and
   * queued. Who may send is the route's business (master key); `auth` and `origin` are the sender as the
   * beforePush hooks see it.
   */
  async send(request: {
    auth: Auth;
    body: Record<string, unknown>;
    source?: string;
    origin?: RequestOrigin;
  }): Promise<string> {
    const now = this.options.now();
    let push: PushRequest = parsePushRequest(request.body, { now });
    const source = request.source ?? 'rest';
    const changed = await this.options.core.beforePush({
      auth: request.auth,
      push: pushJSON(request.body, push),
      source,
      ...(request.origin === undefined ? {} : { origin: request.origin }),
    });
    let body = request.body;
    if (changed !== undefined) {
      // Checked again as a caller's body: a hook cannot send what a caller could not.
      body = { ...withoutTiming(request.body), ...changed, channels: undefined };
      push = parsePushRequest(body, { now });
    }
    const hooked = await this.options.hooks?.beforePush?.({ where: push.where, data: push.data, source });
    if (hooked !== undefined)
      push = parsePushRequest({ ...body, where: hooked.where, data: hooked.data, channels: undefined }, { now });
    // The audience must be a valid _Installation query: checked now (102/107), not on the worker.
    await this.options.core.find({
      auth: MASTER,
      className: '_Installation',
      where: push.where,
      limit: 1,
      keys: ['objectId'],
    });
    if (push.audienceId !== undefined) await this.useAudience(push.audienceId, now);
    const pushTime = storedPushTime(push, now);
    const parts = pushParts({ pushTime, createdAt: now });
    const scheduled = parts.some((part) => part.runAt.getTime() > now.getTime() + 1000);
    const title = push.data['title'];
    const statusId = await this.store.create({
      pushTime,
      source,
      query: JSON.stringify(push.where),
      payload: JSON.stringify(push.data),
      ...(typeof title === 'string' ? { title } : {}),
      ...(push.expiry === undefined ? {} : { expiry: push.expiry }),
      ...(push.expirationInterval === undefined ? {} : { expiration_interval: push.expirationInterval }),
      status: scheduled ? 'scheduled' : 'pending',
      numSent: 0,
      numFailed: 0,
      sentPerType: {},
      failedPerType: {},
      pushHash: pushHash(push.data),
      count: parts.length,
      progress: {},
      pushOptions: push.options,
    });
    try {
      for (const part of parts) {
        await this.enqueue({
          id: `${statusId}-${part.id}`,
          data: { statusId, part: part.id },
          delayMs: part.runAt.getTime() - now.getTime(),
        });
      }
    } catch (err) {
      await this.store
        .set(statusId, { status: 'failed', errorMessage: { message: 'Could not queue the push.' } })
        .catch(() => undefined);
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'Could not queue the push.', cause: err });
    }
    return statusId;
  }

  /**
   * Consumes the push queue in this process. With the in-process queue, first queues again every push a
   * stopped process left unfinished (each part whose time is still ahead waits for it).
   */
  async startWorker(): Promise<void> {
    if (this.workerStarted) return;
    this.workerStarted = true;
    const { queue } = this.options;
    if (queue.kind === 'memory') await this.recover();
    await queue.process({ processor: (job) => this.worker.process(job), concurrency: this.options.concurrency });
  }

  async close(): Promise<void> {
    await this.options.queue.close();
    await Promise.all([...this.options.providers.values()].map((p) => p.close?.()));
  }

  /** A push finished: cloud code's afterPush, then the embedder's, with the final counts. */
  private async afterPush(outcome: { objectId: string; status: 'succeeded' | 'failed' }): Promise<void> {
    const stored = await this.options.core.get({ auth: MASTER, className: '_PushStatus', objectId: outcome.objectId });
    const fields = stored.fields;
    const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
    const perType = (value: unknown): Record<string, number> =>
      typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, number>) : {};
    await this.options.core.afterPush({
      outcome: {
        pushStatusId: outcome.objectId,
        status: outcome.status,
        numSent: count(fields['numSent']),
        numFailed: count(fields['numFailed']),
        sentPerType: perType(fields['sentPerType']),
        failedPerType: perType(fields['failedPerType']),
      },
    });
    await this.options.hooks?.afterPush?.({ pushStatusId: outcome.objectId, status: outcome.status });
  }

  private async recover(): Promise<void> {
    const now = this.options.now().getTime();
    for (const statusId of await this.store.unfinished()) {
      const push = await this.store.load(statusId);
      if (push === undefined) continue;
      for (const part of pushParts({ pushTime: push.pushTime, createdAt: push.createdAt })) {
        if (isPartDone(push, part.id)) continue;
        this.options.logger.info(
          { pushId: statusId, part: part.id },
          'queueing a push part a stopped server left unsent',
        );
        await this.enqueue({
          id: `${statusId}-${part.id}`,
          data: { statusId, part: part.id },
          delayMs: part.runAt.getTime() - now,
        });
      }
    }
  }

  private enqueue(job: { id: string; data: PushJobData; delayMs: number }): Promise<void> {
    return this.options.queue.enqueue({
      id: job.id,
      data: job.data,
      attempts: PART_ATTEMPTS,
      backoffMs: PART_BACKOFF_MS,
      ...(job.delayMs > 0 ? { delayMs: Math.min(job.delayMs, MAX_TIMER_MS) } : {}),
    });
  }

  /** `audience_id`: the `_Audience` is counted as used (timesUsed + 1, lastUsed); unknown → 101. */
  private async useAudience(audienceId: string, now: Date): Promise<void> {
    await this.options.core.update({
      auth: MASTER,
      className: '_Audience',
      objectId: audienceId,
      input: decodeWriteBody(
        { timesUsed: { __op: 'Increment', amount: 1 }, lastUsed: { __type: 'Date', iso: now.toISOString() } },
        { maxDepth: 4 },
      ),
    });
  }
}

/** `_PushStatus.pushTime`: ISO; device-local times without the `Z` (push.md §1); now for an immediate push. */
function storedPushTime(push: PushRequest, now: Date): string {
  if (push.pushTime === undefined) return now.toISOString();
  if (push.pushTime.kind === 'instant') return push.pushTime.at.toISOString();
  return push.pushTime.wallClock.toISOString().replace(/Z$/, '');
}

const TIMING = ['push_time', 'expiration_time', 'expiration_interval'] as const;

/** The push as the hooks see it: the checked audience and data, and the timing fields as the caller sent them. */
function pushJSON(body: Record<string, unknown>, push: PushRequest): PushJSON {
  const out: Record<string, unknown> = { where: push.where, data: push.data };
  for (const key of TIMING) if (body[key] !== undefined && body[key] !== null) out[key] = body[key];
  return out as unknown as PushJSON;
}

function withoutTiming(body: Record<string, unknown>): Record<string, unknown> {
  const out = { ...body };
  for (const key of TIMING) delete out[key];
  return out;
}
