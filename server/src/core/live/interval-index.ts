/**
 * A static interval index over one comparable kind (numbers, strings or dates as milliseconds): the intervals
 * sorted by their low end, laid out as an implicit balanced binary tree (the middle of each range is its
 * node) where every node also knows the highest high end of its range. An overlap query (which intervals meet
 * [a, b]? a point is [x, x]) skips every subtree whose highest high end is below `a` and everything right of
 * the first low end above `b`, so it costs about O(log n + k) for k intervals found, whatever the number of
 * intervals that miss.
 *
 * Why this structure: live subscriptions change far less often than writes arrive, so it is built (one sort,
 * O(n log n)) on the first query after changes instead of being a balanced tree updated in place; sorted arrays
 * are compact (no node objects per subscription) and their queries touch contiguous memory. One-sided ranges
 * (`$gt` only) are intervals with an infinite end. Changes since the build are kept aside, so clients that come
 * and go do not cost a rebuild per write: items added since are checked one by one, items deleted since are
 * skipped, and only when those exceed about the square root of the size (at least 32) is the next query a
 * rebuild, which makes a change cost O(sqrt(n) log n) amortized and a query O(log n + sqrt(n) + k).
 */
export class IntervalIndex<T, K extends number | string> {
  readonly #items = new Map<T, Interval<K>>();
  #built: Built<T, K> | undefined;
  /** Added since the build (not in it). */
  readonly #added = new Map<T, Interval<K>>();
  /** In the build but deleted (or changed) since. */
  readonly #removed = new Set<T>();

  get size(): number {
    return this.#items.size;
  }

  add(item: T, interval: Interval<K>): void {
    if (this.#items.has(item)) this.delete(item);
    this.#items.set(item, interval);
    if (this.#built === undefined) return;
    this.#added.set(item, interval);
    this.#settle();
  }

  delete(item: T): void {
    if (!this.#items.delete(item)) return;
    if (this.#built === undefined || this.#added.delete(item)) return;
    this.#removed.add(item);
    this.#settle();
  }

  /** Calls `found` for every item whose interval meets `span` (ends included). */
  overlapping(span: Interval<K>, found: (item: T) => void): void {
    const built = (this.#built ??= build(this.#items));
    const removed = this.#removed;
    const report = removed.size === 0 ? found : (item: T): void => void (removed.has(item) || found(item));
    overlapRange({ built, span, found: report }, 0, built.items.length);
    for (const [item, interval] of this.#added) if (meets(interval, span)) found(item);
  }

  /** Too many changes aside: the next query rebuilds from the items. */
  #settle(): void {
    if (this.#added.size + this.#removed.size <= Math.max(32, Math.sqrt(this.#items.size))) return;
    this.#built = undefined;
    this.#added.clear();
    this.#removed.clear();
  }
}

function meets<K extends number | string>(interval: Interval<K>, span: Interval<K>): boolean {
  return (
    (interval.low === undefined || span.high === undefined || interval.low <= span.high) &&
    (interval.high === undefined || span.low === undefined || interval.high >= span.low)
  );
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
