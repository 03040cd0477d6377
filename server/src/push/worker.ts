import { MASTER } from '../auth/index.js';
import { decodeWriteBody } from '../core/index.js';
import type { Core, OutputObject } from '../core/index.js';
import type { Logger, QueuedJob } from '../infra/index.js';
import { deliver, RateLimit } from './delivery.js';
import type { RetryPolicy } from './delivery.js';
import { pushParts } from './parts.js';
import type { PushPart } from './parts.js';
import { payloadFor } from './payload.js';
import { providerKindOf } from './provider.js';
import type { DeliveryResult, PushDevice, PushMessage, PushProvider } from './provider.js';
import { badgeChange } from './request.js';
import { isPartDone } from './status.js';
import type { BatchCounts, PushStatusStore, StoredPush } from './status.js';

/** A queue job: one part of one push. JSON only (it may sit in Redis). */
export interface PushJobData {
  readonly statusId: string;
  readonly part: string;
}

export interface PushWorkerOptions {
  readonly core: Core;
  readonly store: PushStatusStore;
  /** Configured providers by kind (`apns`, `fcm`, `web`); `fallback` takes every kind when none is configured. */
  readonly providers: ReadonlyMap<string, PushProvider>;
  readonly fallback?: PushProvider;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Installations read per page (and handed to providers per batch). */
  readonly pageSize: number;
  /** Messages per second per provider, in this process (0: unlimited). */
  readonly rateLimit: number;
  readonly retry?: RetryPolicy;
  /** Re-enqueues a part that woke up early (a timer clamped to the platform's maximum). */
  readonly requeue: (job: { id: string; data: PushJobData; delayMs: number }) => Promise<void>;
  /** Told when a push finished (`afterPush` hooks). */
  readonly finished?: (push: { objectId: string; status: 'succeeded' | 'failed' }) => void;
}

const INSTALLATION_KEYS = [
  'deviceType',
  'deviceToken',
  'pushType',
  'appIdentifier',
  'localeIdentifier',
  'timeZone',
  'badge',
];

/**
 * Delivers push parts on the `worker` role (push.md §3): loads the `_PushStatus`, resolves the audience in
 * pages through `core.find` on `_Installation` (ordered by objectId, each page after the last one done, so
 * memory stays flat and a resumed part skips what it sent), applies a badge increment server-side, groups
 * each page by provider, delivers under the provider's rate limit with retries, removes the tokens the
 * provider reports dead, and adds the counts to the status. The last part to finish marks the push
 * `succeeded`. A part that already finished is skipped, so a repeated delivery of its job sends nothing.
 */
export class PushWorker {
  private readonly limits = new Map<string, RateLimit>();

  constructor(private readonly options: PushWorkerOptions) {}

  async process(job: QueuedJob<PushJobData>): Promise<void> {
    const { store, logger } = this.options;
    const { statusId, part: partId } = job.data;
    const push = await store.load(statusId);
    if (push === undefined || push.status === 'succeeded' || push.status === 'failed' || isPartDone(push, partId))
      return;
    const part = pushParts({ pushTime: pushTimeOf(push), createdAt: push.createdAt }).find((p) => p.id === partId);
    if (part === undefined) {
      await this.finishPart(push, partId);
      return;
    }
    const early = part.runAt.getTime() - this.options.now().getTime();
    if (early > 1000) {
      await this.options.requeue({ id: `${job.id}~${part.runAt.getTime()}`, data: job.data, delayMs: early });
      return;
    }
    try {
      if (push.status !== 'running') await store.set(statusId, { status: 'running' });
      const expiry =
        push.expiry ??
        (push.expirationInterval === undefined ? undefined : part.runAt.getTime() + push.expirationInterval * 1000);
      if (expiry !== undefined && expiry < this.options.now().getTime()) {
        await store.set(statusId, { errorMessage: { message: 'The push expired before it was sent.' } });
      } else {
        await this.deliverPart({ push, part, ...(expiry === undefined ? {} : { expiry }) });
      }
      await this.finishPart(push, partId);
    } catch (err) {
      logger.warn({ err, pushId: statusId, part: partId, attempt: job.attempt }, 'push part failed');
      if (job.attempt >= job.attempts) {
        await store
          .set(statusId, {
            status: 'failed',
            errorMessage: { message: err instanceof Error ? err.message : String(err) },
          })
          .catch(() => undefined);
        this.options.finished?.({ objectId: statusId, status: 'failed' });
      }
      throw err;
    }
  }

  private async finishPart(push: StoredPush, partId: string): Promise<void> {
    const left = await this.options.store.finishPart(push.objectId, partId);
    if (left > 0) return;
    await this.options.store.set(push.objectId, { status: 'succeeded', count: { __op: 'Delete' } });
    this.options.finished?.({ objectId: push.objectId, status: 'succeeded' });
  }

  private async deliverPart(options: { push: StoredPush; part: PushPart; expiry?: number }): Promise<void> {
    const { push, part } = options;
    const { core, pageSize, store } = this.options;
    let cursor = push.progress[part.id];
    let samples = push.failureCount;
    const badge = badgeChange(push.payload['badge']);
    const base: Record<string, unknown>[] = [push.query, { deviceToken: { $exists: true } }];
    if (part.where !== undefined) base.push(part.where);
    for (;;) {
      const where = { $and: cursor === undefined ? base : [...base, { objectId: { $gt: cursor } }] };
      const { results } = await core.find({
        auth: MASTER,
        className: '_Installation',
        where,
        order: 'objectId',
        limit: pageSize,
        keys: INSTALLATION_KEYS,
      });
      if (results.length === 0) return;
      const devices = results.map(deviceOf).filter((d): d is PushDevice => d !== undefined);
      const badges = badge === undefined || badge === 'invalid' ? undefined : await this.applyBadge(devices, badge);
      const counts = await this.deliverPage({
        push,
        devices,
        badges,
        ...(options.expiry === undefined ? {} : { expiry: options.expiry }),
      });
      cursor = (results[results.length - 1] as OutputObject).objectId;
      await store.record(push.objectId, { part: part.id, cursor, counts, samples });
      samples += counts.failures.length;
      if (results.length < pageSize) return;
    }
  }

  /**
   * Increments (or sets) the badge of the page's iOS devices in one core call (one storage write for the page,
   * not one per device); answers the resulting badge per device objectId. Like the page's sends, it runs again
   * if the part is retried before the page's progress is recorded.
   */
  private async applyBadge(
    devices: readonly PushDevice[],
    change: { kind: 'set'; value: number } | { kind: 'increment'; amount: number },
  ): Promise<Map<string, number>> {
    const apple = devices.filter((d) => providerKindOf(d) === 'apns').map((d) => d.objectId);
    if (apple.length === 0) return new Map();
    return this.options.core.applyPushBadges({ auth: MASTER, objectIds: apple, change });
  }

  private async deliverPage(options: {
    push: StoredPush;
    devices: readonly PushDevice[];
    badges: Map<string, number> | undefined;
    expiry?: number;
  }): Promise<BatchCounts> {
    const { push, devices, badges } = options;
    const sentPerType: Record<string, number> = {};
    const failedPerType: Record<string, number> = {};
    const failures: { deviceType: string; error: string }[] = [];
    const fail = (device: PushDevice, error: string): void => {
      failedPerType[device.deviceType] = (failedPerType[device.deviceType] ?? 0) + 1;
      failures.push({ deviceType: device.deviceType, error });
    };
    const byProvider = new Map<PushProvider, PushMessage[]>();
    for (const device of devices) {
      const kind = providerKindOf(device);
      const provider = (kind === undefined ? undefined : this.options.providers.get(kind)) ?? this.options.fallback;
      if (provider === undefined) {
        fail(device, `Can not find sender for push type ${device.deviceType}`);
        continue;
      }
      const badge = badges?.get(device.objectId);
      const message: PushMessage = {
        device,
        payload: payloadFor(push.payload, { localeIdentifier: device.localeIdentifier, badge }),
        pushId: push.objectId,
        sentAt: push.createdAt,
        ...(options.expiry === undefined ? {} : { expiry: options.expiry }),
        options: push.options,
      };
      const list = byProvider.get(provider) ?? [];
      list.push(message);
      byProvider.set(provider, list);
    }
    const dead: PushDevice[] = [];
    await Promise.all(
      [...byProvider.entries()].map(async ([provider, messages]) => {
        const results = await deliver({
          provider,
          messages,
          limit: this.limitFor(provider.name),
          ...(this.options.retry === undefined ? {} : { retry: this.options.retry }),
        });
        results.forEach((result: DeliveryResult, i) => {
          const device = (messages[i] as PushMessage).device;
          if (result.ok) sentPerType[device.deviceType] = (sentPerType[device.deviceType] ?? 0) + 1;
          else {
            fail(device, `${provider.name}: ${result.error}`);
            if (result.invalidToken === true) dead.push(device);
          }
        });
      }),
    );
    await this.removeTokens(dead);
    return { sentPerType, failedPerType, failures };
  }

  /** Tokens the provider says are dead are unset, so the next push skips those installations. */
  private async removeTokens(devices: readonly PushDevice[]): Promise<void> {
    for (const device of devices) {
      await this.options.core
        .update({
          auth: MASTER,
          className: '_Installation',
          objectId: device.objectId,
          input: decodeWriteBody({ deviceToken: { __op: 'Delete' } }, { maxDepth: 4 }),
        })
        .catch((err: unknown) =>
          this.options.logger.warn({ err, installation: device.objectId }, 'could not remove a dead push token'),
        );
    }
  }

  private limitFor(provider: string): RateLimit {
    let limit = this.limits.get(provider);
    if (limit === undefined) {
      limit = new RateLimit(this.options.rateLimit);
      this.limits.set(provider, limit);
    }
    return limit;
  }
}

function pushTimeOf(push: StoredPush): string | undefined {
  return push.pushTime;
}

function deviceOf(row: OutputObject): PushDevice | undefined {
  const f = row.fields;
  const token = f['deviceToken'];
  const type = f['deviceType'];
  if (typeof token !== 'string' || token === '' || typeof type !== 'string') return undefined;
  const str = (name: string): Record<string, string> => (typeof f[name] === 'string' ? { [name]: f[name] } : {});
  return {
    objectId: row.objectId,
    deviceType: type,
    deviceToken: token,
    ...str('appIdentifier'),
    ...str('localeIdentifier'),
    ...str('timeZone'),
    ...str('pushType'),
    ...(typeof f['badge'] === 'number' ? { badge: f['badge'] } : {}),
  };
}
