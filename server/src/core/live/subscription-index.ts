import type { Condition } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';

/** What the index needs of a subscription: its class and its parsed `where`. */
export interface Indexable {
  readonly className: string;
  readonly condition: Condition;
}

/**
 * Subscriptions by class, and within a class by one equality constraint of their `where` when they have one
 * (`{room: "lobby"}`, `{owner: <pointer>}`, `{objectId: "x"}`): a write only meets the subscriptions whose
 * indexed value equals a value of the written object (before or after the write), plus those without an
 * indexable constraint. So an event's cost grows with the subscriptions it can match, not with all of them.
 * The index only narrows: every candidate is still evaluated by the full matcher.
 */
export class SubscriptionIndex<S extends Indexable> {
  readonly #classes = new Map<string, ClassEntry<S>>();
  readonly #placed = new Map<S, { field: string; key: string } | undefined>();

  get size(): number {
    return this.#placed.size;
  }

  add(subscription: S): void {
    if (this.#placed.has(subscription)) return;
    let entry = this.#classes.get(subscription.className);
    if (entry === undefined) {
      entry = { byField: new Map(), rest: new Set() };
      this.#classes.set(subscription.className, entry);
    }
    const place = indexablePlace(subscription.condition);
    this.#placed.set(subscription, place);
    if (place === undefined) {
      entry.rest.add(subscription);
      return;
    }
    let byValue = entry.byField.get(place.field);
    if (byValue === undefined) {
      byValue = new Map();
      entry.byField.set(place.field, byValue);
    }
    let set = byValue.get(place.key);
    if (set === undefined) {
      set = new Set();
      byValue.set(place.key, set);
    }
    set.add(subscription);
  }

  delete(subscription: S): void {
    if (!this.#placed.has(subscription)) return;
    const place = this.#placed.get(subscription);
    this.#placed.delete(subscription);
    const entry = this.#classes.get(subscription.className);
    if (entry === undefined) return;
    if (place === undefined) entry.rest.delete(subscription);
    else {
      const byValue = entry.byField.get(place.field);
      const set = byValue?.get(place.key);
      set?.delete(subscription);
      if (set !== undefined && set.size === 0) byValue?.delete(place.key);
      if (byValue !== undefined && byValue.size === 0) entry.byField.delete(place.field);
    }
    if (entry.rest.size === 0 && entry.byField.size === 0) this.#classes.delete(subscription.className);
  }

  /** Subscriptions per class (for metrics; walks every subscription). */
  countByClass(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const subscription of this.#placed.keys()) {
      counts[subscription.className] = (counts[subscription.className] ?? 0) + 1;
    }
    return counts;
  }

  contains(subscription: S): boolean {
    return this.#placed.has(subscription);
  }

  /** Whether any subscription is on `className` (a write to another class costs one map lookup). */
  has(className: string): boolean {
    return this.#classes.has(className);
  }

  /** The subscriptions a write of `className` from `before` to `after` may concern. */
  candidates(className: string, states: readonly (StoredObject | undefined)[]): S[] {
    const entry = this.#classes.get(className);
    if (entry === undefined) return [];
    const found = new Set<S>(entry.rest);
    for (const [field, byValue] of entry.byField) {
      for (const state of states) {
        if (state === undefined) continue;
        for (const key of valueKeysOf(state, field)) {
          const set = byValue.get(key);
          if (set !== undefined) for (const subscription of set) found.add(subscription);
        }
      }
    }
    return [...found];
  }
}

interface ClassEntry<S> {
  /** field → value key → subscriptions whose `where` requires field == that value. */
  readonly byField: Map<string, Map<string, Set<S>>>;
  /** Subscriptions without an indexable equality: evaluated on every write of the class. */
  readonly rest: Set<S>;
}

/** The first top-level equality on a plain field (or objectId) with a scalar or pointer value. */
function indexablePlace(condition: Condition): { field: string; key: string } | undefined {
  if (condition.kind === 'eq' && condition.path.length === 1) {
    const key = valueKey(condition.value);
    return key === undefined ? undefined : { field: condition.path[0], key };
  }
  if (condition.kind === 'and') {
    for (const child of condition.conditions) {
      const place = indexablePlace(child);
      if (place !== undefined) return place;
    }
  }
  return undefined;
}

/**
 * Equality in the matcher is `valuesEqual`: numbers, strings and booleans by value, pointers by class and id.
 * A `null` equality also matches a missing field, so it is not indexed; nor are dates, arrays and objects.
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
      return value instanceof Pointer ? `p:${value.className}:${value.objectId}` : undefined;
  }
}

/** The keys an object's field can match: its value, or each element of an array (equality matches containment). */
function valueKeysOf(state: StoredObject, field: string): string[] {
  const value = field === 'objectId' ? state.objectId : state.fields[field];
  if (Array.isArray(value)) {
    const keys: string[] = [];
    for (const item of value) {
      const key = valueKey(item);
      if (key !== undefined) keys.push(key);
    }
    return keys;
  }
  const key = valueKey(value);
  return key === undefined ? [] : [key];
}
