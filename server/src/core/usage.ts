import type { Condition } from '../query/index.js';
import type { ParseValue } from '../schema/index.js';
import { requireMaster } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { CoreDeps } from './deps.js';
import { HOUR_MS, startOfHour, usageSchema } from './usage-meter.js';
import type { UsageKind } from './usage-meter.js';

/**
 * `GET /usage`: the metered rows of every server (core/usage-meter.ts) read back and added up per hour, for
 * the app, its API requests, and each cloud function, trigger and job.
 */

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

/** The longest window one `GET /usage` reads (rows grow with hours × functions). */
const MAX_RANGE_MS = 93 * 24 * HOUR_MS;
const PAGE = 1000;

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
