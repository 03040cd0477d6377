/**
 * A static interval index over one comparable kind (numbers, strings or dates as milliseconds): the intervals
 * sorted by their low end, laid out as an implicit balanced binary tree (the middle of each range is its
 * node) where every node also knows the highest high end of its range. An overlap query (which intervals meet
 * [a, b]? a point is [x, x]) skips every subtree whose highest high end is below `a` and everything right of
 * the first low end above `b`, so it costs about O(log n + k) for k intervals found, whatever the number of
 * intervals that miss.
 *
 * Why this structure: live subscriptions change far less often than writes arrive, so it is rebuilt (one sort,
 * O(n log n)) on the first query after a change instead of being a balanced tree updated in place; sorted
 * arrays are compact (no node objects per subscription) and their queries touch contiguous memory. One-sided
 * ranges (`$gt` only) are intervals with an infinite end.
 */
export class IntervalIndex<T, K extends number | string> {
  readonly #items = new Map<T, Interval<K>>();
  #built: Built<T, K> | undefined;

  get size(): number {
    return this.#items.size;
  }

  add(item: T, interval: Interval<K>): void {
    this.#items.set(item, interval);
    this.#built = undefined;
  }

  delete(item: T): void {
    if (this.#items.delete(item)) this.#built = undefined;
  }

  /** Calls `found` for every item whose interval meets `span` (ends included). */
  overlapping(span: Interval<K>, found: (item: T) => void): void {
    const built = (this.#built ??= build(this.#items));
    overlapRange({ built, span, found }, 0, built.items.length);
  }
}

/** Both ends included; `undefined`: unbounded on that side. */
export interface Interval<K> {
  readonly low: K | undefined;
  readonly high: K | undefined;
}

interface Built<T, K extends number | string> {
  readonly items: T[];
  readonly lows: (K | undefined)[];
  readonly highs: (K | undefined)[];
  /** At each node (the middle index of a range): the highest high end in that range (`undefined`: unbounded). */
  readonly maxHigh: (K | undefined)[];
}

function build<T, K extends number | string>(items: ReadonlyMap<T, Interval<K>>): Built<T, K> {
  const entries = [...items].sort(([, a], [, b]) => compareLow(a.low, b.low));
  const built: Built<T, K> = {
    items: entries.map(([item]) => item),
    lows: entries.map(([, interval]) => interval.low),
    highs: entries.map(([, interval]) => interval.high),
    maxHigh: new Array<K | undefined>(entries.length),
  };
  fillMaxHigh(built, 0, entries.length);
  return built;
}

/** Sets `maxHigh` of the node of [from, to) and below; returns it (`null` for an empty range). */
function fillMaxHigh<K extends number | string>(
  built: Built<unknown, K>,
  from: number,
  to: number,
): K | undefined | null {
  if (from >= to) return null;
  const mid = (from + to) >>> 1;
  let max: K | undefined | null = built.highs[mid];
  for (const child of [fillMaxHigh(built, from, mid), fillMaxHigh(built, mid + 1, to)]) {
    if (child === null) continue;
    if (max === undefined || child === undefined) max = undefined;
    else if (max === null || child > max) max = child;
  }
  built.maxHigh[mid] = max as K | undefined;
  return max;
}

interface Overlap<T, K extends number | string> {
  readonly built: Built<T, K>;
  readonly span: Interval<K>;
  readonly found: (item: T) => void;
}

/** Visits the intervals of [from, to) that meet the span: left subtree, node, right subtree (as a loop). */
function overlapRange<T, K extends number | string>(query: Overlap<T, K>, from: number, to: number): void {
  const { built, span, found } = query;
  while (from < to) {
    const mid = (from + to) >>> 1;
    const maxHigh = built.maxHigh[mid];
    // No interval of this subtree reaches the span's low end.
    if (maxHigh !== undefined && span.low !== undefined && maxHigh < span.low) return;
    overlapRange(query, from, mid);
    // This node's interval and everything right of it start after the span's high end.
    const low = built.lows[mid];
    if (low !== undefined && span.high !== undefined && low > span.high) return;
    const high = built.highs[mid];
    if (high === undefined || span.low === undefined || high >= span.low) found(built.items[mid] as T);
    from = mid + 1;
  }
}

function compareLow<K extends number | string>(a: K | undefined, b: K | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}
