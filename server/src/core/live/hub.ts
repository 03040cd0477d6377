import { isMasterLike, MASTER, PUBLIC } from '../../auth/index.js';
import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { createMatcher, parseWhere, valuesEqual } from '../../query/index.js';
import type { Condition, MatchableObject, Matcher, QueryLimits } from '../../query/index.js';
import type { Logger } from '../../infra/index.js';
import { assertClassName } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';
import type { ChangeEvent } from '../change-event.js';
import type { ChangeFeed } from '../change-feed.js';
import type { ReadPolicyRequest } from '../read-policies.js';
import type { ReadPolicy } from '../read-policy.js';
import { changesRoles } from '../role-source.js';
import { decideEvent } from './event-decision.js';
import type { LiveEventOp } from './event-decision.js';
import { SubscriptionIndex } from './subscription-index.js';
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

/** One live query: what to watch and for whom. */
export interface LiveQuery {
  readonly className: string;
  /** The REST JSON `where` (`{}` or absent: every object of the class). */
  readonly where?: unknown;
  /** Fields to send (plus className, objectId, createdAt, updatedAt, ACL); absent: all the subscriber may read. */
  readonly keys?: readonly string[];
  /** `update`/`create` only when one of these fields changed. */
  readonly watch?: readonly string[];
  /**
   * Pointer fields (dot paths, beyond Parse) sent as the objects they point at, read as the subscriber through
   * `core.getPointed` (CLP get, ACL, protected fields); a pointer it cannot read stays a bare pointer.
   */
  readonly include?: readonly string[];
  /** The subscriber, resolved by `core.authenticate`. A user's session is re-checked when sessions change. */
  readonly auth: Auth;
}

/** What a subscriber receives: an event shaped for it, or a refusal that arose after subscribing (CLP change). */
export type LiveEvent =
  | {
      readonly op: LiveEventOp;
      readonly className: string;
      readonly objectId: string;
      readonly object: OutputObject;
      /** The state before the write, when the subscriber could read it (update, leave, enter after a change). */
      readonly original?: OutputObject;
    }
  | { readonly op: 'error'; readonly error: ParseError };

export type LiveListener = (event: LiveEvent) => void;

/** A registered live query. */
export interface LiveSubscription {
  /** Swaps the query (LiveQuery's `update`): checked like a new one; on refusal the old query stays. */
  replace(query: LiveQuery): Promise<void>;
  /** Resolves once every change this server received before the call has been matched and delivered for it. */
  settled(): Promise<void>;
  /** Stops the events; safe to call twice. */
  close(): void;
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
  readonly #index = new SubscriptionIndex<Entry>();
  /** Bumped when roles or sessions change: every policy is rebuilt before its next use. */
  #generation = 0;
  readonly #stop: () => void;
  readonly #listen = (event: ChangeEvent): Promise<void> => this.#onChange(event);

  constructor(options: LiveHubOptions) {
    this.#core = options.core;
    this.#logger = options.logger;
    this.#maxDepth = options.maxDepth;
    this.#limits = options.limits;
    this.#stop = options.core.changes.subscribe(this.#listen);
  }

  /** How many live queries are registered. */
  get size(): number {
    return this.#index.size;
  }

  /** Live queries per class (metrics). */
  countByClass(): Record<string, number> {
    return this.#index.countByClass();
  }

  /** Registers a live query; throws the refusal (119, 209, 102...) when the subscriber may not run it. */
  async subscribe(query: LiveQuery, listener: LiveListener): Promise<LiveSubscription> {
    const entry = await this.#prepare(query, listener);
    this.#index.add(entry);
    let current = entry;
    let closed = false;
    return {
      replace: async (next) => {
        const replacement = await this.#prepare(next, listener);
        if (closed) return;
        this.#index.delete(current);
        current = replacement;
        this.#index.add(current);
      },
      settled: async () => {
        await this.#core.changes.caughtUp(this.#listen);
        await current.chain;
      },
      close: () => {
        closed = true;
        this.#index.delete(current);
      },
    };
  }

  /** Stops listening to the change feed. */
  close(): void {
    this.#stop();
  }

  async #prepare(query: LiveQuery, listener: LiveListener): Promise<Entry> {
    // The same class-name check as the REST routes (103): `_SCHEMA` and other non-classes are not subscribable.
    assertClassName(query.className);
    const operations = isObjectIdOnly(query.where) ? (['get'] as const) : (['find'] as const);
    const policy = await this.#policyFor(query.auth, query.className, operations);
    const requery = needsRequery(query.where);
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
      className: query.className,
      condition,
      matcher: createMatcher(condition, { schema: policy.schema }),
      query,
      operations,
      auth: query.auth,
      policy,
      generation: this.#generation,
      ...(query.keys === undefined ? {} : { keys: new Set(query.keys) }),
      listener,
      refused: false,
      requery,
      chain: Promise.resolve(),
    };
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

  async #onChange(event: ChangeEvent): Promise<void> {
    if (changesRoles(event.className) || event.className === '_Session') this.#generation++;
    if (!this.#index.has(event.className)) return;
    const candidates = this.#index.candidates(event.className, [event.before, event.after]);
    if (candidates.length === 0) return;
    // One schema look-up per event: a policy built from an older schema (CLP, protected fields) is rebuilt.
    const schema = (await this.#core.readPolicy({ auth: MASTER, className: event.className })).schema;
    // One re-query per distinct sub-query (and caller) for this event, whatever the number of subscribers.
    let cache: SubQueryCache | undefined;
    let pointers: PointerCache | undefined;
    const shared: EventShared = {
      subQueries: () => (cache ??= new SubQueryCache((request) => this.#core.find(request))),
      pointers: () => (pointers ??= new PointerCache((request) => this.#core.getPointed(request))),
    };
    for (const entry of candidates) {
      try {
        if (entry.generation !== this.#generation || entry.policy.schema !== schema) await this.#refresh(entry);
        if (entry.requery) this.#deliverRequeried(entry, event, shared);
        else if (entry.query.include !== undefined) this.#deliverIncluding(entry, event, shared.pointers());
        else this.#deliver(entry, event, { matcher: entry.matcher });
      } catch (err) {
        this.#logger.error({ err, className: event.className }, 'a live query failed on an event');
      }
    }
  }

  /** Rebuilds the entry's policy: its user's session may be gone (then it reads as the public) and roles changed. */
  async #refresh(entry: Entry): Promise<void> {
    entry.generation = this.#generation;
    let auth = entry.query.auth;
    if (auth.kind === 'user') {
      auth = await this.#core
        .resolveSession({ sessionToken: auth.sessionToken, installationId: auth.installationId })
        .catch(() => PUBLIC);
    }
    entry.auth = auth;
    try {
      entry.policy = await this.#policyFor(auth, entry.className, entry.operations);
      entry.refused = false;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      if (!entry.refused) entry.listener({ op: 'error', error: err });
      entry.refused = true;
    }
  }

  /**
   * A subscription with sub-queries: each readable state is matched after its re-queries (`sub-queries.ts`).
   * Its events are chained, so they stay in write order even when a later event's re-queries answer first.
   */
  #deliverRequeried(entry: Entry, event: ChangeEvent, shared: EventShared): void {
    const cache = shared.subQueries();
    const verdict = async (state: StoredObject | undefined): Promise<boolean> => {
      if (state === undefined || entry.refused || !entry.policy.allows(state)) return false;
      const where = await resolveForState({
        where: entry.query.where ?? {},
        state,
        className: entry.className,
        auth: entry.auth,
        cache,
      });
      try {
        const condition = parseWhere({
          where,
          schema: entry.policy.schema,
          ...(this.#maxDepth === undefined ? {} : { maxDepth: this.#maxDepth }),
        });
        return createMatcher(condition, { schema: entry.policy.schema })(state);
      } catch {
        return false;
      }
    };
    const answers = Promise.all([verdict(event.before), verdict(event.after)]);
    entry.chain = entry.chain
      .then(async () => {
        const [before, after] = await answers;
        const matcher = (state: MatchableObject): boolean => (state === event.before ? before : after);
        if (entry.query.include === undefined) this.#deliver(entry, event, { matcher });
        else await this.#including(entry, event, { matcher, pointers: shared.pointers() });
      })
      .catch((err: unknown) => {
        this.#logger.error({ err, className: event.className }, 'a live query failed on an event');
      });
  }

  /** A subscription with `include`: its event waits for the pointed objects; events stay chained in order. */
  #deliverIncluding(entry: Entry, event: ChangeEvent, pointers: PointerCache): void {
    entry.chain = entry.chain
      .then(() => this.#including(entry, event, { matcher: entry.matcher, pointers }))
      .catch((err: unknown) => {
        this.#logger.error({ err, className: event.className }, 'a live query failed on an event');
      });
  }

  async #including(
    entry: Entry,
    event: ChangeEvent,
    using: { readonly matcher: Matcher; readonly pointers: PointerCache },
  ): Promise<void> {
    const { pointers } = using;
    let decided: LiveEvent | undefined;
    this.#deliver(entry, event, { matcher: using.matcher, send: (out) => (decided = out) });
    if (decided === undefined) return;
    if (decided.op === 'error') {
      entry.listener(decided);
      return;
    }
    const include = entry.query.include ?? [];
    const auth = entry.auth;
    const [object, original] = await Promise.all([
      includePointers({ object: decided.object, include, auth, pointers }),
      decided.original === undefined
        ? undefined
        : includePointers({ object: decided.original, include, auth, pointers }),
    ]);
    if (!this.#index.contains(entry)) return;
    entry.listener({ ...decided, object, ...(original === undefined ? {} : { original }) });
  }

  #deliver(entry: Entry, event: ChangeEvent, using: { readonly matcher: Matcher; readonly send?: LiveListener }): void {
    if (entry.refused || !this.#index.contains(entry)) return;
    const { matcher } = using;
    const send = using.send ?? entry.listener;
    const { policy } = entry;
    const before = event.before;
    const after = event.after;
    const beforeReadable = before !== undefined && policy.allows(before);
    const originalVisible = beforeReadable && matcher(before);
    const currentVisible = after !== undefined && matcher(after) && policy.allows(after);
    const op = decideEvent({ write: event.op, hasOriginal: before !== undefined, originalVisible, currentVisible });
    if (op === undefined) return;
    if ((op === 'update' || op === 'create') && !watchedChanged(entry.query.watch, before, after)) return;
    const projection = entry.keys === undefined ? {} : { keys: entry.keys };
    const shape = (state: StoredObject): OutputObject => policy.shape(state, projection);
    const base = { op, className: event.className, objectId: event.objectId };
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

/** One registered query with what it was checked against. */
interface Entry {
  readonly className: string;
  readonly condition: Condition;
  readonly matcher: Matcher;
  readonly query: LiveQuery;
  readonly operations: ReadPolicyRequest['operations'];
  readonly keys?: ReadonlySet<string>;
  readonly listener: LiveListener;
  auth: Auth;
  policy: ReadPolicy;
  generation: number;
  /** The policy refused the subscriber after it subscribed (told once); events are skipped until it allows again. */
  refused: boolean;
  /** The `where` has sub-queries or `$relatedTo`: matched after re-queries, events chained in order. */
  readonly requery: boolean;
  chain: Promise<void>;
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
