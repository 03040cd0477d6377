import type { Condition, SortKey } from '../query/index.js';
import type { StorageAdapter } from '../storage/index.js';

/** One query shape that ran slower than the threshold, as `GET /slowQueries` lists it. */
export interface SlowQueryRecord {
  readonly className: string;
  /** The shape: where keys and operators, and the sort; never a value. */
  readonly shape: string;
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  readonly lastAt: string;
  /** Whether the database served it from an index (SQLite's query plan, MongoDB's explain); null: unknown. */
  readonly indexed: boolean | null;
  /** The plan, as one line per step. */
  readonly plan?: string;
  /** An index that would serve the shape: equality fields, then the sort, then range fields. */
  readonly suggestedIndex?: Readonly<Record<string, 1 | -1>>;
}

interface Entry {
  className: string;
  shape: string;
  count: number;
  totalMs: number;
  maxMs: number;
  lastAt: number;
  indexed: boolean | null;
  plan?: string;
  suggestedIndex?: Record<string, 1 | -1>;
}

/** What a finished storage find tells the log. */
export interface SlowQuerySample {
  readonly className: string;
  /** The caller's own condition (before ACL and CLP conditions were added): its shape is the query's. */
  readonly where: Condition;
  readonly sort: readonly SortKey[];
  readonly ms: number;
  /** The database's plan for the query as it ran; asked once per shape. */
  readonly explain: () => Promise<unknown>;
}

/**
 * Queries slower than a threshold, grouped by shape (class, where keys and operators, sort), with how often
 * and how slow they ran and whether an index served them. In memory, per server (like `/scriptlog`): bounded
 * to `maxShapes`, the least recently seen shape leaving first. Explaining runs once per shape, after the
 * answer, so a slow query is never made slower.
 */
export class SlowQueryLog {
  readonly thresholdMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #maxShapes: number;
  readonly #kind: StorageAdapter['kind'];
  readonly #now: () => number;

  constructor(options: { thresholdMs: number; kind: StorageAdapter['kind']; maxShapes?: number; now?: () => number }) {
    this.thresholdMs = options.thresholdMs;
    this.#kind = options.kind;
    this.#maxShapes = options.maxShapes ?? 200;
    this.#now = options.now ?? Date.now;
  }

  observe(sample: SlowQuerySample): void {
    if (sample.ms < this.thresholdMs) return;
    const shape = shapeOf(sample.where, sample.sort);
    const key = `${sample.className}\n${shape}`;
    let entry = this.#entries.get(key);
    const fresh = entry === undefined;
    if (entry === undefined) {
      entry = { className: sample.className, shape, count: 0, totalMs: 0, maxMs: 0, lastAt: 0, indexed: null };
      const suggested = suggestIndex(sample.where, sample.sort);
      if (suggested !== undefined) entry.suggestedIndex = suggested;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    entry.count += 1;
    entry.totalMs += sample.ms;
    entry.maxMs = Math.max(entry.maxMs, sample.ms);
    entry.lastAt = this.#now();
    if (this.#entries.size > this.#maxShapes) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    if (fresh) {
      const target = entry;
      sample.explain().then(
        (plan) => Object.assign(target, readPlan(this.#kind, plan)),
        () => undefined,
      );
    }
  }

  /** The slowest shapes first (by total time). */
  list(): SlowQueryRecord[] {
    return [...this.#entries.values()]
      .sort((a, b) => b.totalMs - a.totalMs)
      .map((e) => ({
        className: e.className,
        shape: e.shape,
        count: e.count,
        totalMs: Math.round(e.totalMs * 10) / 10,
        maxMs: Math.round(e.maxMs * 10) / 10,
        lastAt: new Date(e.lastAt).toISOString(),
        indexed: e.indexed,
        ...(e.plan === undefined ? {} : { plan: e.plan }),
        ...(e.suggestedIndex === undefined || e.indexed === true ? {} : { suggestedIndex: e.suggestedIndex }),
      }));
  }

  clear(): void {
    this.#entries.clear();
  }
}

const COMPARE_NAMES: Readonly<Record<string, string>> = { lt: '$lt', lte: '$lte', gt: '$gt', gte: '$gte' };

/** `{"score":"$gt","title":"$eq"} order -createdAt`: keys sorted, values dropped. */
export function shapeOf(where: Condition, sort: readonly SortKey[]): string {
  const order = sort.map((k) => `${k.direction === -1 ? '-' : ''}${k.path.join('.')}`).join(',');
  const text = conditionShape(where);
  return `${text === '' ? '{}' : text}${order === '' ? '' : ` order ${order}`}`;
}

function conditionShape(condition: Condition): string {
  switch (condition.kind) {
    case 'and': {
      const parts = condition.conditions.map(conditionShape).filter((p) => p !== '');
      return parts.length === 0 ? '' : [...new Set(parts)].sort().join(', ');
    }
    case 'or':
    case 'nor':
      return `$${condition.kind}(${condition.conditions.map(conditionShape).join(' | ')})`;
    case 'constant':
      return '';
    case 'compare':
      return `${condition.path.join('.')}:${COMPARE_NAMES[condition.op] ?? condition.op}`;
    default: {
      const path = 'path' in condition ? (condition.path as readonly string[]).join('.') : undefined;
      return path === undefined ? `$${condition.kind}` : `${path}:$${condition.kind}`;
    }
  }
}

/** Equality first, then the sort, then ranges (the order that lets one index filter, sort and bound). */
export function suggestIndex(where: Condition, sort: readonly SortKey[]): Record<string, 1 | -1> | undefined {
  const equality: string[] = [];
  const range: string[] = [];
  const visit = (condition: Condition): void => {
    if (condition.kind === 'and') condition.conditions.forEach(visit);
    else if (condition.kind === 'eq' || condition.kind === 'in') equality.push(condition.path[0] ?? '');
    else if (condition.kind === 'compare' || condition.kind === 'exists' || condition.kind === 'regex') {
      range.push(condition.path[0] ?? '');
    }
  };
  visit(where);
  const index: Record<string, 1 | -1> = {};
  for (const field of equality) if (field !== '' && !(field in index)) index[field] = 1;
  for (const key of sort) {
    const field = key.path[0] ?? '';
    if (field !== '' && !field.startsWith('$') && !(field in index)) index[field] = key.direction === -1 ? -1 : 1;
  }
  for (const field of range) if (field !== '' && !(field in index)) index[field] = 1;
  const fields = Object.keys(index);
  // objectId alone is the primary key already.
  if (fields.length === 0 || (fields.length === 1 && fields[0] === 'objectId')) return undefined;
  return index;
}

/** Whether the plan used an index, and the plan as text. */
export function readPlan(kind: StorageAdapter['kind'], plan: unknown): { indexed: boolean | null; plan?: string } {
  if (kind === 'sqlite' && Array.isArray(plan)) {
    const steps = plan.map((row) => String((row as { detail?: unknown }).detail ?? ''));
    // `SCAN t` reads every row; `SEARCH t USING INDEX` (or the primary key) seeks. A `SCAN t USING INDEX` only
    // walks an index for the order, still every row.
    const scans = steps.some((step) => /^SCAN\b/.test(step));
    const seeks = steps.some((step) => /^SEARCH\b/.test(step));
    return { indexed: seeks && !scans, plan: steps.join('\n') };
  }
  if (kind === 'mongodb' && plan !== null && typeof plan === 'object') {
    // FerretDB answers its SQLite backend's plan as strings (`id=2 parent=0 notused=0 detail=SCAN t`).
    const ferret = (plan as { queryPlanner?: { Plan?: unknown } }).queryPlanner?.Plan;
    if (Array.isArray(ferret)) {
      const rows = ferret.map((line) => ({ detail: String(line).replace(/^.*?detail=/, '') }));
      return readPlan('sqlite', rows);
    }
    const stages: string[] = [];
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (typeof record['stage'] === 'string') {
        const index = typeof record['indexName'] === 'string' ? ` ${record['indexName']}` : '';
        stages.push(`${record['stage']}${index}`);
      }
      for (const child of ['inputStage', 'queryPlan', 'winningPlan']) walk(record[child]);
      if (Array.isArray(record['inputStages'])) record['inputStages'].forEach(walk);
    };
    walk((plan as { queryPlanner?: unknown }).queryPlanner ?? plan);
    if (stages.length === 0) return { indexed: null };
    const indexed = stages.some((s) => s.startsWith('IXSCAN') || s.startsWith('IDHACK'));
    const scans = stages.some((s) => s.startsWith('COLLSCAN'));
    return { indexed: indexed && !scans, plan: stages.join(' <- ') };
  }
  return { indexed: null };
}
