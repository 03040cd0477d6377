import { createHash } from 'node:crypto';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Condition } from '../query/index.js';
import type { ClassSchema, ParseValue, SchemaRegistry } from '../schema/index.js';
import type { StorageAdapter } from '../storage/index.js';

/**
 * Metering (pay per execution): invocations, errors and compute milliseconds per hour, per app and per cloud
 * function, trigger and job, plus the app's API requests. Each server adds up its own samples in memory and
 * flushes them as increments to `_Usage` rows whose id is derived from (hour, kind, name), so every server
 * adds to the same rows and the totals survive restarts. `GET /usage` reads them back.
 *
 * Compute milliseconds are wall-clock time from the call to its settling (what a function costs its caller,
 * as serverless platforms bill it), not CPU time: concurrent async work cannot be split by CPU per call.
 */

export type UsageKind = 'request' | 'function' | 'trigger' | 'job';

export interface UsageSample {
  readonly kind: UsageKind;
  /** The function or job name; a trigger's trigger name (`beforeSave`); `all` for requests. */
  readonly name: string;
  /** Triggers only. */
  readonly className?: string;
  readonly ok: boolean;
  readonly ms: number;
}

const CLASS = '_Usage';
export const HOUR_MS = 3_600_000;

interface Bucket {
  readonly hour: Date;
  readonly kind: UsageKind;
  readonly name: string;
  readonly className: string | undefined;
  invocations: number;
  errors: number;
  computeMs: number;
}

/**
 * One server's meter: `record` is cheap (a map update) and never touches storage; `flush` writes the
 * buckets collected since the last flush. A bucket that fails to write is kept for the next flush.
 */
export class UsageMeter {
  readonly #storage: StorageAdapter;
  readonly #schemas: SchemaRegistry;
  readonly #now: () => Date;
  readonly #appId: string;
  #pending = new Map<string, Bucket>();
  #flushing: Promise<void> | undefined;

  constructor(options: { storage: StorageAdapter; schemas: SchemaRegistry; appId: string; now: () => Date }) {
    this.#storage = options.storage;
    this.#schemas = options.schemas;
    this.#now = options.now;
    this.#appId = options.appId;
  }

  get appId(): string {
    return this.#appId;
  }

  record(sample: UsageSample): void {
    // Every answered request comes here: the hour as a number, and a Date only for a new bucket.
    const hourMs = Math.floor(this.#now().getTime() / HOUR_MS) * HOUR_MS;
    const key = keyOf(hourMs, sample);
    let bucket = this.#pending.get(key);
    if (bucket === undefined) {
      bucket = {
        hour: new Date(hourMs),
        kind: sample.kind,
        name: sample.name,
        className: sample.className,
        invocations: 0,
        errors: 0,
        computeMs: 0,
      };
      this.#pending.set(key, bucket);
    }
    bucket.invocations += 1;
    if (!sample.ok) bucket.errors += 1;
    bucket.computeMs += sample.ms;
  }

  /** Writes what was recorded since the last flush; concurrent calls share one write. */
  flush(): Promise<void> {
    this.#flushing ??= this.#write().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const taken = this.#pending;
    this.#pending = new Map();
    const schema = await usageSchema(this.#schemas);
    let failure: unknown;
    for (const [key, bucket] of taken) {
      try {
        await writeBucket({ storage: this.#storage, schema, bucket, now: this.#now() });
      } catch (err) {
        failure ??= err;
        this.#restore(key, bucket);
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** A bucket that did not reach storage goes back, merged with what was recorded meanwhile. */
  #restore(key: string, bucket: Bucket): void {
    const current = this.#pending.get(key);
    if (current === undefined) {
      this.#pending.set(key, bucket);
      return;
    }
    current.invocations += bucket.invocations;
    current.errors += bucket.errors;
    current.computeMs += bucket.computeMs;
  }
}

async function writeBucket(options: {
  storage: StorageAdapter;
  schema: ClassSchema;
  bucket: Bucket;
  now: Date;
}): Promise<void> {
  const { storage, schema, bucket, now } = options;
  const objectId = usageRowId(bucket);
  const where: Condition = { kind: 'eq', path: ['objectId'], value: objectId };
  const update = {
    fields: {
      invocations: { op: 'increment', amount: bucket.invocations },
      errors: { op: 'increment', amount: bucket.errors },
      computeMs: { op: 'increment', amount: bucket.computeMs },
    },
    updatedAt: now,
  } as const;
  // Two tries: the row may be inserted by another server between our update finding nothing and our insert.
  for (let attempt = 0; attempt < 2; attempt++) {
    if ((await storage.updateOne({ schema, where, update })) !== null) return;
    const fields: Record<string, ParseValue> = {
      hour: bucket.hour,
      kind: bucket.kind,
      name: bucket.name,
      invocations: bucket.invocations,
      errors: bucket.errors,
      computeMs: bucket.computeMs,
      ...(bucket.className === undefined ? {} : { triggerClass: bucket.className }),
    };
    try {
      await storage.insert({ schema, object: { objectId, createdAt: now, updatedAt: now, ACL: {}, fields } });
      return;
    } catch (err) {
      if (!(err instanceof ParseError && err.code === ErrorCode.DUPLICATE_VALUE)) throw err;
    }
  }
  throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: `Could not record usage row ${objectId}.` });
}

/** The `_Usage` class's schema (a system class: always known). */
export async function usageSchema(schemas: SchemaRegistry): Promise<ClassSchema> {
  const schema = await schemas.get(CLASS);
  if (schema === undefined) throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'No _Usage schema.' });
  return schema;
}

export function startOfHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** One (hour, kind, name, class) as text: the pending map's key and the input of `usageRowId`. */
function keyOf(hourMs: number, of: { kind: UsageKind; name: string; className?: string | undefined }): string {
  return `${hourMs}\u0000${of.kind}\u0000${of.name}\u0000${of.className ?? ''}`;
}

/** The row of one (hour, kind, name, class): the same id on every server, so their increments meet. */
export function usageRowId(bucket: {
  hour: Date;
  kind: UsageKind;
  name: string;
  className: string | undefined;
}): string {
  const digest = createHash('sha256').update(keyOf(bucket.hour.getTime(), bucket)).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  // 16 characters (~95 bits): collisions between distinct buckets are not a practical concern.
  for (let i = 0; i < 16; i++) id += alphabet[(digest[i] as number) % 62];
  return id;
}
