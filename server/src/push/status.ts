import { MASTER } from '../auth/index.js';
import { decodeWriteBody } from '../core/index.js';
import type { Core } from '../core/index.js';

/**
 * `_PushStatus` rows through core with the master key (push.md §3): created `pending` or `scheduled`, then
 * `running` with `count` = parts still to deliver, counters incremented per batch (`numSent`, `numFailed`,
 * `sentPerType.<type>`, `failedPerType.<type>`), a few failure samples, and `succeeded` / `failed` at the
 * end. Each part's progress (the last installation objectId it finished) is kept in `progress`, so a part
 * cut off by a crash resumes after it instead of pushing its devices twice.
 */

const CLASS = '_PushStatus';
/** Failure samples kept on a status (`failures`), so a broken config shows its reason without flooding. */
export const MAX_FAILURE_SAMPLES = 20;
const DONE = '~done';

export type PushStatusValue = 'pending' | 'scheduled' | 'running' | 'succeeded' | 'failed';

export interface StoredPush {
  readonly objectId: string;
  readonly status: PushStatusValue;
  readonly query: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly options: Record<string, unknown>;
  readonly createdAt: Date;
  /** As stored: ISO (the acceptance time for an immediate push), without `Z` for device-local time. */
  readonly pushTime?: string;
  readonly expiry?: number;
  readonly expirationInterval?: number;
  /** Per part: the last installation objectId delivered, or done. */
  readonly progress: Readonly<Record<string, string>>;
  readonly failureCount: number;
  readonly count?: number;
}

export interface BatchCounts {
  readonly sentPerType: Readonly<Record<string, number>>;
  readonly failedPerType: Readonly<Record<string, number>>;
  readonly failures: readonly { deviceType: string; error: string }[];
}

export class PushStatusStore {
  constructor(private readonly options: { core: Core; maxDepth: number }) {}

  async create(fields: Record<string, unknown>): Promise<string> {
    const result = await this.options.core.create({ auth: MASTER, className: CLASS, input: this.input(fields) });
    return result.objectId;
  }

  async load(objectId: string): Promise<StoredPush | undefined> {
    const { results } = await this.options.core.find({
      auth: MASTER,
      className: CLASS,
      where: { objectId },
      limit: 1,
    });
    const row = results[0];
    if (row === undefined) return undefined;
    const f = row.fields;
    return {
      objectId: row.objectId,
      status: f['status'] as PushStatusValue,
      query: parseJson(f['query']),
      payload: parseJson(f['payload']),
      options: (f['pushOptions'] as Record<string, unknown> | undefined) ?? {},
      createdAt: row.createdAt ?? new Date(),
      ...(typeof f['pushTime'] === 'string' ? { pushTime: f['pushTime'] } : {}),
      ...(typeof f['expiry'] === 'number' ? { expiry: f['expiry'] } : {}),
      ...(typeof f['expiration_interval'] === 'number' ? { expirationInterval: f['expiration_interval'] } : {}),
      progress: (f['progress'] as Record<string, string> | undefined) ?? {},
      failureCount: Array.isArray(f['failures']) ? f['failures'].length : 0,
      ...(typeof f['count'] === 'number' ? { count: f['count'] } : {}),
    };
  }

  /** The ids of pushes not finished: what the in-process queue enqueues again at start. */
  async unfinished(): Promise<string[]> {
    const { results } = await this.options.core.find({
      auth: MASTER,
      className: CLASS,
      where: { status: { $in: ['pending', 'scheduled', 'running'] } },
      keys: ['objectId'],
      limit: 10_000,
    });
    return results.map((row) => row.objectId);
  }

  set(objectId: string, fields: Record<string, unknown>): Promise<unknown> {
    return this.options.core.update({ auth: MASTER, className: CLASS, objectId, input: this.input(fields) });
  }

  /** Adds one batch's outcome and moves the part's cursor past it. */
  async record(
    objectId: string,
    options: { part: string; cursor: string; counts: BatchCounts; samples: number },
  ): Promise<void> {
    const { counts } = options;
    const fields: Record<string, unknown> = { [`progress.${options.part}`]: options.cursor };
    let sent = 0;
    let failed = 0;
    for (const [type, n] of Object.entries(counts.sentPerType)) {
      fields[`sentPerType.${type}`] = { __op: 'Increment', amount: n };
      sent += n;
    }
    for (const [type, n] of Object.entries(counts.failedPerType)) {
      fields[`failedPerType.${type}`] = { __op: 'Increment', amount: n };
      failed += n;
    }
    if (sent > 0) fields['numSent'] = { __op: 'Increment', amount: sent };
    if (failed > 0) fields['numFailed'] = { __op: 'Increment', amount: failed };
    const room = Math.max(0, MAX_FAILURE_SAMPLES - options.samples);
    if (room > 0 && counts.failures.length > 0) {
      fields['failures'] = { __op: 'Add', objects: counts.failures.slice(0, room) };
    }
    await this.set(objectId, fields);
  }

  /** Marks a part done; answers the parts still to go (the last one finishing sees 0). */
  async finishPart(objectId: string, part: string): Promise<number> {
    const result = await this.options.core.update({
      auth: MASTER,
      className: CLASS,
      objectId,
      input: this.input({ [`progress.${part}`]: DONE, count: { __op: 'Increment', amount: -1 } }),
    });
    const left = result.fields['count'];
    return typeof left === 'number' ? left : 0;
  }

  private input(fields: Record<string, unknown>): ReturnType<typeof decodeWriteBody> {
    return decodeWriteBody(fields, { maxDepth: this.options.maxDepth });
  }
}

export function isPartDone(push: StoredPush, part: string): boolean {
  return push.progress[part] === DONE;
}

function parseJson(value: unknown): Record<string, unknown> {
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
