import type { Condition } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';
import { IntervalIndex } from './interval-index.js';
import type { Interval } from './interval-index.js';

/** What the index needs of a subscription: its class and its parsed `where`. */
export interface Indexable {
  readonly className: string;
  readonly condition: Condition;
}

/**
 * Subscriptions by class, and within a class by one constraint of their `where`:
 * - an equality or `$in` of scalars, pointers or dates on a top-level field (`{room: "lobby"}`,
 *   `{owner: <pointer>}`, `{objectId: "x"}`, `{status: {$in: ["a", "b"]}}`): a hash lookup per value of the
 *   written object;
 * - otherwise a range (`$gt/$gte/$lt/$lte`, one or both sides) on numbers, strings or dates: an interval index
 *   per field and kind (`interval-index.ts`), queried with the object's value (or its array's smallest and
 *   largest element of that kind).
 * A write only meets the subscriptions whose indexed constraint its states (before or after) can satisfy, plus
 * those with nothing indexable (`$or`, `$regex` alone, `{}`...). So an event's cost grows with the
 * subscriptions it can match, not with all of them. The index only narrows, never decides: every candidate is
 * still evaluated by the full matcher, so a bound is widened (a strict `$gt` is indexed as inclusive) and
 * anything unusual (NaN, booleans, nested paths) is simply not indexed.
 */
export class SubscriptionIndex<S extends Indexable> {
  readonly #classes = new Map<string, ClassEntry<S>>();
  readonly #placed = new Map<S, Place | undefined>();

  get size(): number {
    return this.#placed.size;
  }

  add(subscription: S): void {
    if (this.#placed.has(subscription)) return;
    let entry = this.#classes.get(subscription.className);
    if (entry === undefined) {
      entry = { byField: new Map(), ranges: new Map(), rest: new Set(), count: 0 };
      this.#classes.set(subscription.className, entry);
    }
    entry.count++;
    const place = placeOf(subscription.condition);
    this.#placed.set(subscription, place);
    if (place === undefined) entry.rest.add(subscription);
    else if (place.kind === 'eq') {
      let byValue = entry.byField.get(place.field);
      if (byValue === undefined) entry.byField.set(place.field, (byValue = new Map()));
      for (const key of place.keys) {
        let set = byValue.get(key);
        if (set === undefined) byValue.set(key, (set = new Set()));
        set.add(subscription);
      }
    } else {
      let byKind = entry.ranges.get(place.field);
      if (byKind === undefined) entry.ranges.set(place.field, (byKind = new Map()));
      let index = byKind.get(place.valueKind);
      if (index === undefined) byKind.set(place.valueKind, (index = new IntervalIndex()));
      index.add(subscription, place.interval);
    }
  }

  delete(subscription: S): void {
    if (!this.#placed.has(subscription)) return;
    const place = this.#placed.get(subscription);
    this.#placed.delete(subscription);
    const entry = this.#classes.get(subscription.className);
    if (entry === undefined) return;
    entry.count--;
    if (place === undefined) entry.rest.delete(subscription);
    else if (place.kind === 'eq') {
      const byValue = entry.byField.get(place.field);
      for (const key of place.keys) {
        const set = byValue?.get(key);
        set?.delete(subscription);
        if (set !== undefined && set.size === 0) byValue?.delete(key);
      }
      if (byValue !== undefined && byValue.size === 0) entry.byField.delete(place.field);
    } else {
      const byKind = entry.ranges.get(place.field);
      const index = byKind?.get(place.valueKind);
      index?.delete(subscription);
      if (index !== undefined && index.size === 0) byKind?.delete(place.valueKind);
      if (byKind !== undefined && byKind.size === 0) entry.ranges.delete(place.field);
    }
    if (entry.count === 0) this.#classes.delete(subscription.className);
  }

  /** Subscriptions per class (for metrics). */
  countByClass(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [className, entry] of this.#classes) counts[className] = entry.count;
    return counts;
  }

  contains(subscription: S): boolean {
    return this.#placed.has(subscription);
  }

  /** Whether any subscription is on `className` (a write to another class costs one map lookup). */
  has(className: string): boolean {
    return this.#classes.has(className);
  }

  /** The subscriptions a write of `className` from `before` to `after` may concern (a superset of those it matches). */
  candidates(className: string, states: readonly (StoredObject | undefined)[]): S[] {
    const entry = this.#classes.get(className);
    if (entry === undefined) return [];
    const found = new Set<S>(entry.rest);
    const add = (subscription: S): void => {
      found.add(subscription);
    };
    for (const [field, byValue] of entry.byField) {
      for (const state of states) {
        if (state === undefined) continue;
        for (const key of valueKeysOf(state, field)) {
          const set = byValue.get(key);
          if (set !== undefined) for (const subscription of set) found.add(subscription);
        }
      }
    }
    for (const [field, byKind] of entry.ranges) {
      for (const state of states) {
        if (state === undefined) continue;
        for (const [valueKind, span] of spansOf(state, field)) byKind.get(valueKind)?.overlapping(span, add);
      }
    }
    return [...found];
  }
}

interface ClassEntry<S> {
  /** field → value key → subscriptions whose `where` requires field == that value (or one of a `$in`). */
  readonly byField: Map<string, Map<string, Set<S>>>;
  /** field → value kind → interval index of the subscriptions with a range on that field. */
  readonly ranges: Map<string, Map<RangeKind, IntervalIndex<S, number | string>>>;
  /** Subscriptions without an indexable constraint: evaluated on every write of the class. */
  readonly rest: Set<S>;
  count: number;
}

/** Numbers, strings and dates (as milliseconds) each have their own order; a bound never holds across kinds. */
type RangeKind = 'n' | 's' | 'd';

type Place =
  | { readonly kind: 'eq'; readonly field: string; readonly keys: readonly string[] }
  | {
      readonly kind: 'range';
      readonly field: string;
      readonly valueKind: RangeKind;
      readonly interval: Interval<number | string>;
    };

/** Where a subscription goes: an equality (or `$in`) first, else a range, else nowhere (`undefined`). */
function placeOf(condition: Condition): Place | undefined {
  const conjuncts = condition.kind === 'and' ? condition.conditions : [condition];
  let inPlace: Place | undefined;
  for (const child of conjuncts) {
    if (child.kind === 'eq' && child.path.length === 1) {
      const key = valueKey(child.value);
      if (key !== undefined) return { kind: 'eq', field: child.path[0], keys: [key] };
    }
    if (inPlace === undefined && child.kind === 'in' && child.path.length === 1 && child.values.length > 0) {
      const keys = child.values.map(valueKey);
      if (keys.every((key) => key !== undefined))
        inPlace = { kind: 'eq', field: child.path[0], keys: [...new Set(keys)] };
    }
  }
  return inPlace ?? rangePlace(conjuncts);
}

/**
 * The bounds of the first field with a usable `$gt/$gte/$lt/$lte`, in the kind of its first bound (a bound of
 * another kind is left to the matcher). Several bounds on one side: the tightest, as all must hold.
 */
function rangePlace(conjuncts: readonly Condition[]): Place | undefined {
  let field: string | undefined;
  let valueKind: RangeKind | undefined;
  let low: number | string | undefined;
  let high: number | string | undefined;
  for (const child of conjuncts) {
    if (child.kind !== 'compare' || child.path.length !== 1) continue;
    if (field !== undefined && child.path[0] !== field) continue;
    const bound = rangeValue(child.value);
    if (bound === undefined || (valueKind !== undefined && bound.kind !== valueKind)) continue;
    field = child.path[0];
    valueKind = bound.kind;
    if (child.op === 'gt' || child.op === 'gte') {
      if (low === undefined || bound.value > low) low = bound.value;
    } else if (high === undefined || bound.value < high) high = bound.value;
  }
  if (field === undefined || valueKind === undefined) return undefined;
  return { kind: 'range', field, valueKind, interval: { low, high } };
}

function rangeValue(value: unknown): { kind: RangeKind; value: number | string } | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : { kind: 'n', value };
  if (typeof value === 'string') return { kind: 's', value };
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? undefined : { kind: 'd', value: time };
  }
  return undefined;
}

/**
 * Equality in the matcher is `valuesEqual`: numbers, strings and booleans by value, pointers by class and id,
 * dates by instant. A `null` equality also matches a missing field, so it is not indexed; nor are arrays and
 * objects.
 */
function valueKey(value: ParseValue | undefined): string | undefined {
  switch (typeof value) {
    case 'string':
      return `s:${value}`;
    case 'number':
      return `n:${String(value)}`;
    case 'boolean':
      return `b:${String(value)}`;
    default:
      if (value instanceof Pointer) return `p:${value.className}:${value.objectId}`;
      if (value instanceof Date) return `d:${String(value.getTime())}`;
      return undefined;
  }
}

/** A top-level value as the matcher reads it (`objectId`, `createdAt`, `updatedAt` live outside `fields`). */
function valueOf(state: StoredObject, field: string): unknown {
  switch (field) {
    case 'objectId':
      return state.objectId;
    case 'createdAt':
      return state.createdAt;
    case 'updatedAt':
      return state.updatedAt;
    default:
      return Object.hasOwn(state.fields, field) ? state.fields[field] : undefined;
  }
}

/** The keys an object's field can match: its value, or each element of an array (equality matches containment). */
function valueKeysOf(state: StoredObject, field: string): string[] {
  const value = valueOf(state, field);
  if (Array.isArray(value)) {
    const keys: string[] = [];
    for (const item of value) {
      const key = valueKey(item as ParseValue);
      if (key !== undefined) keys.push(key);
    }
    return keys;
  }
  const key = valueKey(value as ParseValue);
  return key === undefined ? [] : [key];
}

/**
 * Per kind, the span of an object's field to meet the ranges with: a scalar is [x, x]; an array is [its
 * smallest, its largest] element of each kind, since a range's bounds may each be met by a different element
 * (`{$gt: 5, $lt: 3}` matches `[6, 1]`): every bound is met by some element exactly when the largest reaches
 * the low end and the smallest the high end.
 */
function spansOf(state: StoredObject, field: string): Map<RangeKind, Interval<number | string>> {
  const value = valueOf(state, field);
  const spans = new Map<RangeKind, { low: number | string; high: number | string }>();
  for (const item of Array.isArray(value) ? value : [value]) {
    const point = rangeValue(item);
    if (point === undefined) continue;
    const span = spans.get(point.kind);
    if (span === undefined) spans.set(point.kind, { low: point.value, high: point.value });
    else {
      if (point.value < span.low) span.low = point.value;
      if (point.value > span.high) span.high = point.value;
    }
  }
  return spans;
}
