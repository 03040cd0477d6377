import { createHash } from 'node:crypto';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Condition } from '../query/index.js';
import type { ClassSchema, ParseValue, SchemaRegistry } from '../schema/index.js';
import type { StorageAdapter } from '../storage/index.js';
import { requireMaster } from '../auth/index.js';
import type { CoreDeps } from './deps.js';

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

export interface UsageCounts {
  readonly invocations: number;
  readonly errors: number;
  readonly computeMs: number;
}

export interface UsageHour extends UsageCounts {
  /** Start of the hour, ISO 8601 UTC. */
  readonly hour: string;
}

export interface UsageSeries extends UsageCounts {
  readonly hours: readonly UsageHour[];
}

export interface UsageEntry extends UsageSeries {
  readonly kind: Exclude<UsageKind, 'request'>;
  readonly name: string;
  readonly className?: string;
}

/** The body of `GET /usage`: the shape is a contract (the dashboard charts it). */
export interface UsageReport {
  readonly appId: string;
  readonly from: string;
  readonly to: string;
  /** Every cloud code run of the app (functions, triggers and jobs together). */
  readonly app: UsageSeries;
  /** API requests answered (every route; compute = time to answer). */
  readonly requests: UsageSeries;
  /** One entry per function, trigger (per class) and job, most compute first. */
  readonly functions: readonly UsageEntry[];
}

export interface UsageRequest {
  readonly auth: Auth;
  /** Inclusive; default: 24 hours before `to`. */
  readonly from?: Date;
  /** Exclusive; default: now. */
  readonly to?: Date;
}

const CLASS = '_Usage';
const HOUR_MS = 3_600_000;
/** The longest window one `GET /usage` reads (rows grow with hours × functions). */
const MAX_RANGE_MS = 93 * 24 * HOUR_MS;
const PAGE = 1000;

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
    const hour = startOfHour(this.#now());
    const key = bucketKey({ hour, kind: sample.kind, name: sample.name, className: sample.className });
    let bucket = this.#pending.get(key);
    if (bucket === undefined) {
      bucket = {
        hour,
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

/**
 * `GET /usage` (master key, or the read-only master key): this server's samples are flushed first, then
 * every server's rows are read. Without a meter (a core built without one) there is nothing to report.
 */
export async function usage(deps: CoreDeps, request: UsageRequest): Promise<UsageReport> {
  requireMaster(request.auth, { access: 'read' });
  const meter = deps.usage;
  if (meter === undefined) throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'Metering is off.' });
  const to = request.to ?? deps.users.now();
  const from = request.from ?? new Date(to.getTime() - 24 * HOUR_MS);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from.getTime() >= to.getTime()) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: '`from` must be a date before `to`.' });
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'The usage window is limited to 93 days.' });
  }
  await meter.flush();
  const schema = await usageSchema(deps.schemas);
  const where: Condition = {
    kind: 'and',
    conditions: [
      { kind: 'compare', path: ['hour'], op: 'gte', value: startOfHour(from) },
      { kind: 'compare', path: ['hour'], op: 'lt', value: to },
    ],
  };
  const rows: Row[] = [];
  for (let skip = 0; ; skip += PAGE) {
    const page = await deps.storage.find({
      schema,
      where,
      sort: [{ path: ['hour'], direction: 1 }],
      skip,
      limit: PAGE,
    });
    for (const stored of page) {
      const row = toRow(stored.fields);
      if (row !== undefined) rows.push(row);
    }
    if (page.length < PAGE) break;
  }
  return summarize({ appId: meter.appId, from: startOfHour(from), to, rows });
}

interface Row {
  readonly hour: Date;
  readonly kind: UsageKind;
  readonly name: string;
  readonly className: string | undefined;
  readonly invocations: number;
  readonly errors: number;
  readonly computeMs: number;
}

function summarize(options: { appId: string; from: Date; to: Date; rows: readonly Row[] }): UsageReport {
  const app = new SeriesBuilder();
  const requests = new SeriesBuilder();
  const entries = new Map<
    string,
    { kind: UsageEntry['kind']; name: string; className?: string; series: SeriesBuilder }
  >();
  for (const row of options.rows) {
    if (row.kind === 'request') {
      requests.add(row);
      continue;
    }
    app.add(row);
    const key = `${row.kind}\u0000${row.name}\u0000${row.className ?? ''}`;
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = {
        kind: row.kind,
        name: row.name,
        ...(row.className === undefined ? {} : { className: row.className }),
        series: new SeriesBuilder(),
      };
      entries.set(key, entry);
    }
    entry.series.add(row);
  }
  const functions = [...entries.values()]
    .map(({ series, ...entry }) => ({ ...entry, ...series.build() }))
    .sort((a, b) => b.computeMs - a.computeMs || a.name.localeCompare(b.name));
  return {
    appId: options.appId,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    app: app.build(),
    requests: requests.build(),
    functions,
  };
}

class SeriesBuilder {
  readonly #hours = new Map<number, { invocations: number; errors: number; computeMs: number }>();

  add(row: Row): void {
    const at = row.hour.getTime();
    const hour = this.#hours.get(at) ?? { invocations: 0, errors: 0, computeMs: 0 };
    hour.invocations += row.invocations;
    hour.errors += row.errors;
    hour.computeMs += row.computeMs;
    this.#hours.set(at, hour);
  }

  build(): UsageSeries {
    const hours = [...this.#hours.entries()]
      .sort(([a], [b]) => a - b)
      .map(([at, counts]) => ({ hour: new Date(at).toISOString(), ...rounded(counts) }));
    const total = hours.reduce(
      (sum, h) => ({
        invocations: sum.invocations + h.invocations,
        errors: sum.errors + h.errors,
        computeMs: sum.computeMs + h.computeMs,
      }),
      { invocations: 0, errors: 0, computeMs: 0 },
    );
    return { ...rounded(total), hours };
  }
}

function rounded(counts: UsageCounts): UsageCounts {
  return {
    invocations: counts.invocations,
    errors: counts.errors,
    computeMs: Math.round(counts.computeMs * 1000) / 1000,
  };
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

async function usageSchema(schemas: SchemaRegistry): Promise<ClassSchema> {
  const schema = await schemas.get(CLASS);
  if (schema === undefined) throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'No _Usage schema.' });
  return schema;
}

function toRow(fields: Record<string, ParseValue>): Row | undefined {
  const { hour, kind, name, triggerClass } = fields;
  if (!(hour instanceof Date) || typeof kind !== 'string' || typeof name !== 'string') return undefined;
  if (kind !== 'request' && kind !== 'function' && kind !== 'trigger' && kind !== 'job') return undefined;
  const num = (value: ParseValue | undefined): number => (typeof value === 'number' ? value : 0);
  return {
    hour,
    kind,
    name,
    className: typeof triggerClass === 'string' ? triggerClass : undefined,
    invocations: num(fields['invocations']),
    errors: num(fields['errors']),
    computeMs: num(fields['computeMs']),
  };
}

function startOfHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

function bucketKey(bucket: { hour: Date; kind: UsageKind; name: string; className: string | undefined }): string {
  return `${bucket.hour.getTime()}\u0000${bucket.kind}\u0000${bucket.name}\u0000${bucket.className ?? ''}`;
}

/** The row of one (hour, kind, name, class): the same id on every server, so their increments meet. */
export function usageRowId(bucket: {
  hour: Date;
  kind: UsageKind;
  name: string;
  className: string | undefined;
}): string {
  const digest = createHash('sha256').update(bucketKey(bucket)).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  // 16 characters (~95 bits): collisions between distinct buckets are not a practical concern.
  for (let i = 0; i < 16; i++) id += alphabet[(digest[i] as number) % 62];
  return id;
}
