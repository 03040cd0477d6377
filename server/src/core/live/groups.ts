import type { Auth } from '../../auth/index.js';
import type { ParseError } from '../../errors/index.js';
import type { Condition, Matcher } from '../../query/index.js';
import type { ClassSchema } from '../../schema/index.js';
import type { ReadPolicyRequest } from '../read-policies.js';
import type { ReadPolicy } from '../read-policy.js';
import type { LiveListener, LiveQuery, LiveSubscription } from './live-query.js';
import { SubscriptionIndex } from './subscription-index.js';

/**
 * The hub's bookkeeping of what is registered: groups of equal subscriptions (one index entry each), the read
 * policy slots they share, and the counts per class. The hub decides which group a subscription joins and
 * what each event becomes; this keeps the registrations consistent as subscriptions come and go.
 */
export class LiveGroups {
  /** Groups by the classes and values their `where` can match (`SubscriptionIndex`). */
  readonly index = new SubscriptionIndex<Group>();
  /** Groups by their key (`groupKey`): a subscription equal to a registered one joins it. */
  readonly #groups = new Map<string, Group>();
  /** Policies by subscriber, class and CLP operations (`slotKey`), shared by every group of that subscriber. */
  readonly #slots = new Map<string, PolicySlot>();
  /** Subscriptions (not groups) per class. */
  readonly #counts = new Map<string, number>();
  #size = 0;

  /** How many live queries are registered. */
  get size(): number {
    return this.#size;
  }

  /** Live queries per class (metrics). */
  countByClass(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /** The registered group under `key`, if any. */
  group(key: string): Group | undefined {
    return this.#groups.get(key);
  }

  /** The registered policy slot under `key`, if any. */
  slot(key: string): PolicySlot | undefined {
    return this.#slots.get(key);
  }

  enter(group: Group, member: Member): void {
    if (group.members.size === 0) {
      // A new group (or one emptied meanwhile): registered under its key unless an equal one got there first,
      // in which case both serve their own members.
      if (!this.#groups.has(group.key)) this.#groups.set(group.key, group);
      this.index.add(group);
      const { slot } = group;
      slot.groups++;
      if (slot.groups === 1 && !this.#slots.has(slot.key)) this.#slots.set(slot.key, slot);
    }
    group.members.add(member);
    this.#size++;
    this.#counts.set(group.className, (this.#counts.get(group.className) ?? 0) + 1);
  }

  leave(group: Group, member: Member): void {
    if (!group.members.delete(member)) return;
    this.#size--;
    const count = (this.#counts.get(group.className) ?? 1) - 1;
    if (count === 0) this.#counts.delete(group.className);
    else this.#counts.set(group.className, count);
    if (group.members.size > 0) return;
    this.index.delete(group);
    if (this.#groups.get(group.key) === group) this.#groups.delete(group.key);
    const { slot } = group;
    slot.groups--;
    if (slot.groups === 0 && this.#slots.get(slot.key) === slot) this.#slots.delete(slot.key);
  }
}

/** What a subscription's handle may ask of its hub (one object per hub rather than closures per subscription). */
export interface Membership {
  prepare(query: LiveQuery): Promise<Group>;
  enter(group: Group, member: Member): void;
  leave(group: Group, member: Member): void;
  /** `ChangeFeed.watch`: the other servers' changes of the class reach this one until the returned call. */
  watch(className: string): Promise<() => void>;
  /** Resolves once every change received before the call has been matched and delivered for the group. */
  settled(group: Group): Promise<void>;
}

/** One subscription: where its group's events go, and the handle its subscriber holds. */
export class Member implements LiveSubscription {
  readonly listener: LiveListener;
  #group: Group;
  readonly #hub: Membership;
  /** Withdraws the `watch` of the group's class. */
  #unwatch: () => void;
  #closed = false;

  constructor(options: { hub: Membership; listener: LiveListener; group: Group; unwatch: () => void }) {
    this.#hub = options.hub;
    this.listener = options.listener;
    this.#group = options.group;
    this.#unwatch = options.unwatch;
  }

  async replace(query: LiveQuery): Promise<void> {
    const replacement = await this.#hub.prepare(query);
    const unwatch =
      replacement.className === this.#group.className ? undefined : await this.#hub.watch(replacement.className);
    if (this.#closed) return unwatch?.();
    this.#hub.leave(this.#group, this);
    this.#group = replacement;
    if (unwatch !== undefined) {
      this.#unwatch();
      this.#unwatch = unwatch;
    }
    this.#hub.enter(replacement, this);
  }

  settled(): Promise<void> {
    return this.#hub.settled(this.#group);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.leave(this.#group, this);
    this.#unwatch();
  }
}

/**
 * The read policy of one subscriber (by its credentials) on one class under one CLP operation, shared by all
 * of that subscriber's groups: built once, rebuilt once when roles, sessions or the class's schema change.
 */
export interface PolicySlot {
  readonly key: string;
  /** Who subscribed (its session is re-resolved on a rebuild), on which class and CLP operations. */
  readonly query: ReadPolicyRequest;
  /** The subscriber as last resolved (the public once its session is gone). */
  auth: Auth;
  /** Undefined while refused. */
  policy: ReadPolicy | undefined;
  /** Why the subscriber may not read the class now (CLP changed, session gone...). */
  refusal: ParseError | undefined;
  generation: number;
  /** Groups using the slot: it is dropped with the last. */
  groups: number;
  refreshing: Promise<void> | undefined;
}

/**
 * Registered live queries that are equal (same subscriber, class, `where`, `keys`, `watch`, `include`): the
 * index holds the group once, and each event is matched, decided and shaped once for all of its
 * subscriptions. Many clients watching the same room cost one entry.
 */
export interface Group {
  readonly key: string;
  readonly className: string;
  readonly condition: Condition;
  readonly matcher: Matcher;
  /** The schema `condition` was parsed with: a subscription checked against a newer one starts a new group. */
  readonly schema: ClassSchema;
  /** The first subscription's query (the others' are equal but for the identity of their `auth`). */
  readonly query: LiveQuery;
  readonly slot: PolicySlot;
  readonly keys?: ReadonlySet<string>;
  readonly members: Set<Member>;
  /** The slot's refusal was sent to the members; nothing more is sent until the policy allows again. */
  told: boolean;
  /** The `where` has sub-queries or `$relatedTo`: matched after re-queries, events chained in order. */
  readonly requery: boolean;
  chain: Promise<void>;
}

export function isCurrent(slot: PolicySlot, generation: number, schema: ClassSchema): boolean {
  if (slot.generation !== generation) return false;
  // A refused slot is re-checked against a newer schema too (the CLP may allow again).
  return slot.policy === undefined ? slot.refusal === undefined : slot.policy.schema === schema;
}

/** The subscriber's identity as far as a read policy depends on it. */
export function slotKey(auth: Auth, className: string, operations: ReadPolicyRequest['operations']): string {
  const user = auth.kind === 'user' ? `${auth.userId}\u0000${auth.sessionToken}` : '';
  return [auth.kind, user, auth.installationId ?? '', className, (operations ?? []).join(',')].join('\u0001');
}

/** Everything an event's decision and shape depend on, besides the policy. */
export function groupKey(slot: string, query: LiveQuery): string {
  return [
    slot,
    JSON.stringify(query.where ?? {}),
    JSON.stringify(query.keys ?? null),
    JSON.stringify(query.watch ?? null),
    JSON.stringify(query.include ?? null),
  ].join('\u0002');
}
