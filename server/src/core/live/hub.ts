import { isMasterLike, MASTER, PUBLIC } from '../../auth/index.js';
import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { createMatcher, parseWhere, valuesEqual } from '../../query/index.js';
import type { MatchableObject, Matcher, QueryLimits } from '../../query/index.js';
import type { Logger } from '../../infra/index.js';
import { assertClassName } from '../../schema/index.js';
import type { ClassSchema } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';
import type { ChangeEvent } from '../change-event.js';
import type { ChangeFeed } from '../change-feed.js';
import type { ReadPolicyRequest } from '../read-policies.js';
import type { ReadPolicy } from '../read-policy.js';
import { changesRoles, ROLE_CHANGE_CLASSES } from '../role-source.js';
import { decideEvent } from './event-decision.js';
import { groupKey, isCurrent, LiveGroups, Member, slotKey } from './groups.js';
import type { Group, Membership, PolicySlot } from './groups.js';
import type { LiveEvent, LiveListener, LiveQuery, LiveSubscription } from './live-query.js';
import { needsRequery, resolveForState, SubQueryCache, subQueryClasses, subQueryResolver } from './sub-queries.js';
import type { FindRequest } from '../find-request.js';
import type { GetPointedRequest } from '../find.js';
import { includePointers, PointerCache } from './include.js';
import type { FindResult, OutputObject } from '../output.js';

/** The core operations the hub uses (a `Core` fits). */
export interface LiveCore {
  readonly changes: ChangeFeed;
  readPolicy(request: ReadPolicyRequest): Promise<ReadPolicy>;
  resolveSession(request: { sessionToken: string; installationId?: string | undefined }): Promise<Auth>;
  /** The objects of `include`d pointers, as a REST include reads them. */
  getPointed(request: GetPointedRequest): Promise<OutputObject[]>;
  /** Re-queries of sub-query and `$relatedTo` subscriptions, as the subscriber (`sub-queries.ts`). */
  find(request: FindRequest): Promise<FindResult>;
}

export interface LiveHubOptions {
  readonly core: LiveCore;
  readonly logger: Logger;
  /** Deepest nesting of a `where` (the server's --max-nesting-depth). */
  readonly maxDepth?: number;
  /** The query complexity limits REST finds get. */
  readonly limits?: QueryLimits;
}

/**
 * The subscription hub: every live query of this server (LiveQuery sockets, GraphQL subscriptions), matched
 * against the change feed. For each committed write it takes the subscriptions the index says may concern
 * the object, evaluates their `where` on the states before and after the write (`query/match.ts`), asks each
 * subscriber's `ReadPolicy` whether it may read each state, decides the event (`decideEvent`) and shapes the
 * states with the same policy (protected fields, keys). No permission is decided here: the policy is core's.
 * Policies are rebuilt when roles or sessions change (the subscriber may have gained or lost access) or when
 * the class's schema (its CLP, protected fields) changes.
 *
 * @example
 * const hub = new LiveHub({ core, logger });
 * const sub = await hub.subscribe({ className: 'Message', where: { room: 'lobby' }, auth }, (event) => send(event));
 * sub.close();
 */
export class LiveHub {
  readonly #core: LiveCore;
  readonly #logger: Logger;
  readonly #maxDepth: number | undefined;
  readonly #limits: QueryLimits | undefined;
  /** Registered groups, their policy slots and counts (`groups.ts`). */
  readonly #registered = new LiveGroups();
  /** Sub-query subscriptions never share a group (their sub-queries are checked per subscription). */
  #unshared = 0;
  /** Bumped when roles or sessions change: every policy is rebuilt before its next use. */
  #generation = 0;
  readonly #stop: () => void;
  readonly #listen = (event: ChangeEvent): Promise<void> => this.#onChange(event);
  readonly #membership: Membership = {
    prepare: (query) => this.#prepare(query),
    enter: (group, member) => this.#registered.enter(group, member),
    watch: (className) => this.#core.changes.watch(className),
    leave: (group, member) => this.#registered.leave(group, member),
    settled: async (group) => {
      await this.#core.changes.caughtUp(this.#listen);
      await group.chain;
    },
  };

  constructor(options: LiveHubOptions) {
    this.#core = options.core;
    this.#logger = options.logger;
    this.#maxDepth = options.maxDepth;
    this.#limits = options.limits;
    // From the other servers: the classes subscribed to (`watch`, per subscription) and what changes policies.
    this.#stop = options.core.changes.subscribe(this.#listen, { classes: [...ROLE_CHANGE_CLASSES, '_Session'] });
  }

  /** How many live queries are registered. */
  get size(): number {
    return this.#registered.size;
  }

  /** Live queries per class (metrics). */
  countByClass(): Record<string, number> {
    return this.#registered.countByClass();
  }

  /** Registers a live query; throws the refusal (119, 209, 102...) when the subscriber may not run it. */
  async subscribe(query: LiveQuery, listener: LiveListener): Promise<LiveSubscription> {
    const group = await this.#prepare(query);
    // Confirmed only once every other server will send this class's changes here.
    const unwatch = await this.#core.changes.watch(group.className);
    const member = new Member({ hub: this.#membership, listener, group, unwatch });
    this.#registered.enter(group, member);
    return member;
  }

  /**
   * Whether a query would re-query the database on every write to its class (sub-queries, `$relatedTo`, a
   * constraint on a Relation field): what a per-connection cap on such subscriptions counts.
   */
  async requeries(query: { readonly className: string; readonly where?: unknown }): Promise<boolean> {
    if (needsRequery(query.where)) return true;
    const schema = await this.#core
      .readPolicy({ auth: MASTER, className: query.className })
      .then((policy) => policy.schema)
      .catch(() => undefined);
    return needsRequery(query.where, schema);
  }

  /** Stops listening to the change feed. */
  close(): void {
    this.#stop();
  }

  /**
   * The group a new subscription joins: the registered one with the same key when its policy is current (the
   * query is checked against that policy again), else a new one, checked as a find would be.
   */
  async #prepare(query: LiveQuery): Promise<Group> {
    // The same class-name check as the REST routes (103): `_SCHEMA` and other non-classes are not subscribable.
    assertClassName(query.className);
    const operations = isObjectIdOnly(query.where) ? (['get'] as const) : (['find'] as const);
    const schema = await this.#schemaOf(query.className);
    const slot = await this.#slotFor({ auth: query.auth, className: query.className, operations }, schema);
    if (slot.refusal !== undefined) throw slot.refusal;
    const policy = slot.policy as ReadPolicy;
    const requery = needsRequery(query.where, policy.schema);
    const key = requery ? `unshared\u0000${++this.#unshared}` : groupKey(slot.key, query);
    const existing = this.#registered.group(key);
    if (existing !== undefined && existing.slot === slot && existing.schema === policy.schema) {
      policy.assertTestable({ where: existing.condition, fields: query.watch ?? [] });
      return existing;
    }
    // Sub-queries are checked now against the subscriber's policy of their class (119 when refused), as in a find.
    const subPolicies = new Map<string, ReadPolicy>();
    if (requery) {
      for (const className of subQueryClasses(query.where)) {
        assertClassName(className);
        subPolicies.set(className, await this.#core.readPolicy({ auth: query.auth, className, operations: ['find'] }));
      }
    }
    const condition = parseWhere({
      where: query.where ?? {},
      schema: policy.schema,
      ...(this.#maxDepth === undefined ? {} : { maxDepth: this.#maxDepth }),
      ...(this.#limits === undefined ? {} : { limits: this.#limits }),
      ...(requery ? { subQueries: subQueryResolver(subPolicies) } : {}),
    });
    policy.assertTestable({ where: condition, fields: query.watch ?? [] });
    return {
      key,
      className: query.className,
      condition,
      matcher: createMatcher(condition, { schema: policy.schema }),
      schema: policy.schema,
      query,
      slot,
      ...(query.keys === undefined ? {} : { keys: new Set(query.keys) }),
      members: new Set(),
      told: false,
      requery,
      chain: Promise.resolve(),
    };
  }

  /** The class's current schema (a policy built from an older one, e.g. before a CLP change, is rebuilt). */
  async #schemaOf(className: string): Promise<ClassSchema> {
    return (await this.#core.readPolicy({ auth: MASTER, className })).schema;
  }

  /**
   * The shared policy of `auth` on the class: the registered one when it is current (same generation and
   * schema), else built now. A slot first built here takes `auth` as it was just resolved by the door.
   */
  async #slotFor(query: ReadPolicyRequest, schema: ClassSchema): Promise<PolicySlot> {
    const { auth, className, operations } = query;
    const key = slotKey(auth, className, operations);
    const registered = this.#registered.slot(key);
    if (registered !== undefined) {
      if (!isCurrent(registered, this.#generation, schema)) await this.#refresh(registered);
      return registered;
    }
    const slot: PolicySlot = {
      key,
      query: { auth, className, operations },
      auth,
      policy: undefined,
      refusal: undefined,
      generation: this.#generation,
      groups: 0,
      refreshing: undefined,
    };
    await this.#build(slot, auth);
    return slot;
  }

  /**
   * The policy of `auth`, refused like a find. A master-key client bypasses ACLs, but a CLP that denies the
   * operation to the public still refuses the subscription (119), as Parse's LiveQuery checks it with the
   * group `["*"]` even for the master key.
   */
  async #policyFor(auth: Auth, className: string, operations: ReadPolicyRequest['operations']): Promise<ReadPolicy> {
    const request = { className, ...(operations === undefined ? {} : { operations }) };
    const policy = await this.#core.readPolicy({ ...request, auth });
    policy.assertPermitted();
    if (isMasterLike(auth)) {
      const publicPolicy = await this.#core.readPolicy({ ...request, auth: PUBLIC });
      if (publicPolicy.refusal?.code === ErrorCode.OPERATION_FORBIDDEN && !className.startsWith('_')) {
        throw publicPolicy.refusal;
      }
    }
    return policy;
  }

  /** Builds the slot's policy as `auth` (its refusal is kept, not thrown). */
  async #build(slot: PolicySlot, auth: Auth): Promise<void> {
    slot.auth = auth;
    try {
      slot.policy = await this.#policyFor(auth, slot.query.className, slot.query.operations);
      slot.refusal = undefined;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      slot.policy = undefined;
      slot.refusal = err;
    }
  }

  /**
   * Rebuilds a slot's policy: its user's session may be gone (then it reads as the public) and roles changed.
   * One rebuild at a time per slot; every group of the slot waits for it.
   */
  #refresh(slot: PolicySlot): Promise<void> {
    if (slot.refreshing !== undefined && slot.generation === this.#generation) return slot.refreshing;
    slot.generation = this.#generation;
    const refreshing = (async () => {
      let auth = slot.query.auth;
      if (auth.kind === 'user') {
        auth = await this.#core
          .resolveSession({ sessionToken: auth.sessionToken, installationId: auth.installationId })
          .catch(() => PUBLIC);
      }
      await this.#build(slot, auth);
    })();
    slot.refreshing = refreshing;
    return refreshing.finally(() => {
      if (slot.refreshing === refreshing) slot.refreshing = undefined;
    });
  }

  async #onChange(event: ChangeEvent): Promise<void> {
    if (changesRoles(event.className) || event.className === '_Session') this.#generation++;
    const index = this.#registered.index;
    if (!index.has(event.className)) return;
    const candidates = index.candidates(event.className, [event.before, event.after]);
    if (candidates.length === 0) return;
    // One schema look-up per event: a policy built from an older schema (CLP, protected fields) is rebuilt.
    const schema = await this.#schemaOf(event.className);
    // One re-query per distinct sub-query (and caller) for this event, whatever the number of subscribers.
    let cache: SubQueryCache | undefined;
    let pointers: PointerCache | undefined;
    const shared: EventShared = {
      subQueries: () => (cache ??= new SubQueryCache((request) => this.#core.find(request))),
      pointers: () => (pointers ??= new PointerCache((request) => this.#core.getPointed(request))),
    };
    for (const group of candidates) {
      try {
        const { slot } = group;
        if (!isCurrent(slot, this.#generation, schema)) await this.#refresh(slot);
        if (slot.refusal !== undefined) {
          // Told once; events are skipped until the policy allows again.
          if (!group.told) this.#send(group, { op: 'error', error: slot.refusal });
          group.told = true;
          continue;
        }
        group.told = false;
        if (group.requery) this.#deliverRequeried(group, event, shared);
        else if (group.query.include !== undefined) this.#deliverIncluding(group, event, shared.pointers());
        else this.#deliver(group, event, { matcher: group.matcher });
      } catch (err) {
        this.#logger.error({ err, className: event.className }, 'a live query failed on an event');
      }
    }
  }

  /** One decided event to every subscriber of the group (the same object: listeners only read it). */
  #send(group: Group, event: LiveEvent): void {
    for (const member of group.members) member.listener(event);
  }

  /**
   * A subscription with sub-queries: each readable state is matched after its re-queries (`sub-queries.ts`).
   * Its events are chained, so they stay in write order even when a later event's re-queries answer first.
   */
  #deliverRequeried(group: Group, event: ChangeEvent, shared: EventShared): void {
    const cache = shared.subQueries();
    const { slot } = group;
    const verdict = async (state: StoredObject | undefined): Promise<boolean> => {
      const policy = slot.policy;
      if (state === undefined || policy === undefined || !policy.allows(state)) return false;
      const where = await resolveForState({
        where: group.query.where ?? {},
        state,
        className: group.className,
        auth: slot.auth,
        cache,
        schema: policy.schema,
      });
      try {
        const condition = parseWhere({
          where,
          schema: policy.schema,
          ...(this.#maxDepth === undefined ? {} : { maxDepth: this.#maxDepth }),
        });
        return createMatcher(condition, { schema: policy.schema })(state);
      } catch {
        return false;
      }
    };
    const answers = Promise.all([verdict(event.before), verdict(event.after)]);
    group.chain = group.chain
      .then(async () => {
        const [before, after] = await answers;
        const matcher = (state: MatchableObject): boolean => (state === event.before ? before : after);
        if (group.query.include === undefined) this.#deliver(group, event, { matcher });
        else await this.#including(group, event, { matcher, pointers: shared.pointers() });
      })
      .catch((err: unknown) => {
        this.#logger.error({ err, className: event.className }, 'a live query failed on an event');
      });
  }

  /** A subscription with `include`: its event waits for the pointed objects; events stay chained in order. */
  #deliverIncluding(group: Group, event: ChangeEvent, pointers: PointerCache): void {
    group.chain = group.chain
      .then(() => this.#including(group, event, { matcher: group.matcher, pointers }))
      .catch((err: unknown) => {
        this.#logger.error({ err, className: event.className }, 'a live query failed on an event');
      });
  }

  async #including(
    group: Group,
    event: ChangeEvent,
    using: { readonly matcher: Matcher; readonly pointers: PointerCache },
  ): Promise<void> {
    const { pointers } = using;
    let decided: LiveEvent | undefined;
    this.#deliver(group, event, { matcher: using.matcher, send: (out) => (decided = out) });
    if (decided === undefined) return;
    if (decided.op === 'error') {
      this.#send(group, decided);
      return;
    }
    const include = group.query.include ?? [];
    const auth = group.slot.auth;
    const [object, original] = await Promise.all([
      includePointers({ object: decided.object, include, auth, pointers }),
      decided.original === undefined
        ? undefined
        : includePointers({ object: decided.original, include, auth, pointers }),
    ]);
    this.#send(group, { ...decided, object, ...(original === undefined ? {} : { original }) });
  }

  /** Decides the event for the group's subscriber and shapes it once for all of its subscriptions. */
  #deliver(group: Group, event: ChangeEvent, using: { readonly matcher: Matcher; readonly send?: LiveListener }): void {
    const policy = group.slot.policy;
    if (policy === undefined || group.members.size === 0) return;
    const { matcher } = using;
    const send = using.send ?? ((out: LiveEvent): void => this.#send(group, out));
    const before = event.before;
    const after = event.after;
    const beforeReadable = before !== undefined && policy.allows(before);
    const originalVisible = beforeReadable && matcher(before);
    const currentVisible = after !== undefined && matcher(after) && policy.allows(after);
    const op = decideEvent({ write: event.op, hasOriginal: before !== undefined, originalVisible, currentVisible });
    if (op === undefined) return;
    if ((op === 'update' || op === 'create') && !watchedChanged(group.query.watch, before, after)) return;
    const projection = group.keys === undefined ? {} : { keys: group.keys };
    const shape = (state: StoredObject): OutputObject => policy.shape(state, projection);
    const base = { op, className: event.className, objectId: event.objectId, changeId: event.id };
    switch (op) {
      case 'create':
        send({ ...base, object: shape(after as StoredObject) });
        return;
      case 'enter':
        // Access granted by this write: the subscriber could not read the state before, so it is not sent.
        send({
          ...base,
          object: shape(after as StoredObject),
          ...(beforeReadable ? { original: shape(before as StoredObject) } : {}),
        });
        return;
      case 'update':
        send({ ...base, object: shape(after as StoredObject), original: shape(before as StoredObject) });
        return;
      case 'leave': {
        // Access lost by this write: the last state the subscriber could read is what it gets.
        const readable = after !== undefined && policy.allows(after);
        const original = shape(before as StoredObject);
        send({ ...base, object: readable ? shape(after) : original, original });
        return;
      }
      case 'delete':
        send({ ...base, object: shape(before as StoredObject) });
        return;
    }
  }
}

/** What the subscribers of one event share: its re-query answers and its included objects. */
interface EventShared {
  readonly subQueries: () => SubQueryCache;
  readonly pointers: () => PointerCache;
}

/** `{"objectId": "x"}` (and nothing else) reads one object: CLP `get` rather than `find` (as Parse). */
function isObjectIdOnly(where: unknown): boolean {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) return false;
  const keys = Object.keys(where);
  return (
    keys.length === 1 && keys[0] === 'objectId' && typeof (where as Record<string, unknown>)['objectId'] === 'string'
  );
}

/** `watch`: some watched field differs between the states (on a create, some watched field is set). */
function watchedChanged(
  watch: readonly string[] | undefined,
  before: StoredObject | undefined,
  after: StoredObject | undefined,
): boolean {
  if (watch === undefined || watch.length === 0) return true;
  return watch.some((field) => !valuesEqual(before?.fields[field], after?.fields[field]));
}
