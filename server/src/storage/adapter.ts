import type { Condition, SortKey } from '../query/index.js';
import type { ACL, ClassSchema, ParseValue, SchemaStore } from '../schema/index.js';
import type {
  AggregateDocument,
  AggregateOptions,
  DistinctOptions,
  GlobalConfigChange,
  GlobalConfigData,
} from './aggregate-types.js';

/**
 * One object as storage holds it, in the normalized value form. Relation fields are not part of it
 * (their edges live in join tables). `fields` also carries internal `_`-prefixed fields such as
 * `_hashed_password`; keys are top-level field names.
 */
export interface StoredObject {
  objectId: string;
  /** Absent only on legacy documents that lack timestamps. */
  createdAt?: Date;
  updatedAt?: Date;
  /** `undefined`: no ACL stored, which means public read and write. */
  ACL?: ACL;
  fields: Record<string, ParseValue>;
}

/** How one field (or dot path into an Object field) changes in an update. */
export type UpdateOp =
  | { readonly op: 'set'; readonly value: ParseValue }
  | { readonly op: 'unset' }
  | { readonly op: 'increment'; readonly amount: number }
  | { readonly op: 'add'; readonly objects: readonly ParseValue[] }
  | { readonly op: 'addUnique'; readonly objects: readonly ParseValue[] }
  | { readonly op: 'remove'; readonly objects: readonly ParseValue[] };

export interface UpdateSpec {
  /** Keys are field names or dot paths into Object fields (`stats.wins`). */
  readonly fields: Readonly<Record<string, UpdateOp>>;
  /** Replaces the ACL when given. */
  readonly ACL?: ACL;
  readonly updatedAt: Date;
}

/** MongoDB read preference modes (the driver's spelling). */
export type ReadPreferenceMode = 'primary' | 'primaryPreferred' | 'secondary' | 'secondaryPreferred' | 'nearest';

/**
 * Optional hints for one query (rest.md §4.5). Backends ignore what they cannot use: SQLite ignores all
 * of them (one file, one planner); MongoDB passes them to the driver.
 */
export interface QueryHints {
  /** An index name or an index spec such as `{ "score": 1 }`. */
  readonly hint?: string | Readonly<Record<string, unknown>>;
  readonly comment?: string;
  readonly readPreference?: ReadPreferenceMode;
  /** For the sub-queries of `inQuery` / `select` conditions; defaults to `readPreference`. */
  readonly subqueryReadPreference?: ReadPreferenceMode;
  /**
   * The read's time budget: past it, storage stops it and fails with 124 TIMEOUT (SQLite's read pool, MongoDB's
   * `maxTimeMS`). Omitted: no budget.
   */
  readonly maxTimeMs?: number;
}

export interface FindOptions extends QueryHints {
  readonly schema: ClassSchema;
  readonly where: Condition;
  /**
   * Explicit order. A `$score` key (path `["$score"]`) sorts by text relevance, best first whatever its
   * direction (needs a top-level `text` condition). A top-level `nearSphere` condition orders by distance,
   * nearest first, after any explicit keys (so alone when there are none).
   */
  readonly sort?: readonly SortKey[];
  readonly skip?: number;
  /** Omitted: no limit. */
  readonly limit?: number;
  /**
   * Top-level field names to return (objectId, createdAt, updatedAt and ACL always come back).
   * Omitted: every field. `$score` (with a top-level `text` condition) adds the relevance as `score`.
   */
  readonly keys?: readonly string[];
}

export interface RelationEdge {
  /** The class holding the Relation field. */
  readonly ownerClass: string;
  readonly field: string;
  readonly owningId: string;
  readonly relatedId: string;
}

/**
 * One `X-Parse-Request-Id` being claimed (spec/mongo-layout.md §3.14, `_Idempotency`). `token` is unique to
 * this claim, so only its claimer completes or releases it.
 */
export interface RequestIdClaim {
  readonly reqId: string;
  readonly token: string;
  /** Identifies the request (method, path, caller, body): a replay goes only to the same request. */
  readonly fingerprint: string;
  /** When the id is forgotten. */
  readonly expire: Date;
  /** The current time: a record whose `expire` is not after it counts as gone. */
  readonly now: Date;
}

/** What a claim found: the id was free (now ours), or another claim holds it. */
export type RequestIdState =
  | { readonly claimed: true }
  | {
      readonly claimed: false;
      readonly fingerprint: string;
      /** The stored response (JSON text), once the holder completed with a replayable one. */
      readonly response?: string;
    };

/**
 * What `updateOne` changed: the object just before and just after the update, both taken atomically with
 * the write (no other write to the object can fall between them). The change feed announces both.
 */
export interface UpdatedObject {
  readonly before: StoredObject;
  readonly after: StoredObject;
}

/** The database connections of one adapter, for metrics (`strata_db_pool_connections`). */
export interface StoragePoolStats {
  /** Open connections. */
  readonly size: number;
  /** Connections checked out by running operations. */
  readonly inUse: number;
  /** Operations waiting for a connection. */
  readonly waiting: number;
}

/** A unit of work that runs on one connection, all or nothing (`/batch` with `transaction: true`). */
export interface StorageTransaction {
  readonly storage: StorageAdapter;
}

/**
 * Strata's storage interface: every backend implements it and passes the conformance suite in
 * `storage/conformance`. Queries arrive as the typed AST, never raw REST JSON; each adapter owns its
 * value codec and its translation (dialect) and its connection handling (driver).
 *
 * Errors: a unique-index violation throws ParseError 137 (DUPLICATE_VALUE); anything unexpected
 * throws ParseError 1 with the driver error as `cause`.
 */
export interface StorageAdapter extends SchemaStore {
  readonly kind: 'sqlite' | 'mongodb';

  /** Creates the indexes every deployment needs (unique `_User.username`, ...). Idempotent. */
  initialize(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the database answers a trivial command (`/ready`); throws ParseError 1 when it does not. */
  ping?(): Promise<void>;
  /** The connection pool's counters right now (metrics; a single-connection backend reports 1 / 0 / 0). */
  poolStats?(): StoragePoolStats;

  /** Inserts a new object. Throws 137 on a duplicate objectId or unique field. */
  insert(options: { schema: ClassSchema; object: StoredObject }): Promise<void>;
  /**
   * Atomically applies `update` to the one object matching `where` and returns it as it was just before and
   * as it is after the update, or `null` when nothing matched.
   */
  updateOne(options: { schema: ClassSchema; where: Condition; update: UpdateSpec }): Promise<UpdatedObject | null>;
  /** Applies `update` to every object matching `where`; returns how many matched. */
  updateMany(options: { schema: ClassSchema; where: Condition; update: UpdateSpec }): Promise<number>;
  /** Deletes every object matching `where`; returns how many were deleted (bulk: purge, internal classes). */
  deleteMany(options: { schema: ClassSchema; where: Condition }): Promise<number>;
  /**
   * Deletes every object matching `where` and returns each one as it was just before (its last state), taken
   * atomically with its deletion. For object deletes the change feed announces; prefer `deleteMany` where no
   * one needs the states (a purge of a large class).
   */
  deleteReturning(options: { schema: ClassSchema; where: Condition }): Promise<StoredObject[]>;
  find(options: FindOptions): Promise<StoredObject[]>;
  count(options: { schema: ClassSchema; where: Condition } & QueryHints): Promise<number>;
  /**
   * A cheap estimate of the class's object count, for admin listings of large classes (never a full count):
   * it may be off after deletes. Optional: without it, callers count.
   */
  estimateCount?(options: { schema: ClassSchema }): Promise<number>;
  /**
   * The database's plan for `find(options)` instead of its results (REST `explain`): MongoDB's explain
   * document, SQLite's `EXPLAIN QUERY PLAN` rows. Optional: a backend without it refuses `explain`.
   */
  explain?(options: FindOptions): Promise<unknown>;

  // ---- aggregate, distinct and Parse Config (issue 3) ----
  /**
   * Runs an aggregation pipeline. A backend throws 102 for a stage or expression it cannot run
   * (never a wrong answer). Optional: without it, `/aggregate` answers 102.
   */
  aggregate?(options: AggregateOptions): Promise<AggregateDocument[]>;
  /** Distinct non-null values of a field among the objects matching `where`. */
  distinct?(options: DistinctOptions): Promise<ParseValue[]>;
  /** The stored Parse Config; empty when none was ever saved. */
  getGlobalConfig?(): Promise<GlobalConfigData>;
  /** Applies one `PUT /config`: only the listed keys change. */
  updateGlobalConfig?(change: GlobalConfigChange): Promise<void>;
  /** The stored GraphQL config (`_GraphQLConfig`'s `config`); `{}` when none was ever saved. */
  getGraphQLConfig?(): Promise<Record<string, unknown>>;
  /** Replaces the GraphQL config (`PUT /graphql-config`). */
  setGraphQLConfig?(config: Readonly<Record<string, unknown>>): Promise<void>;

  // ---- request ids (`X-Parse-Request-Id` idempotency) ----
  /**
   * Records `claim.reqId` unless an unexpired record holds it (atomic across app servers: a unique
   * index or a primary key). Optional: without these three methods the server does not deduplicate.
   */
  claimRequestId?(claim: RequestIdClaim): Promise<RequestIdState>;
  /** Stores the response of a completed claim (`undefined`: completed, but too large to replay). */
  completeRequestId?(options: { reqId: string; token: string; response: string | undefined }): Promise<void>;
  /** Forgets a claim whose request failed, so the client may retry it. */
  releaseRequestId?(options: { reqId: string; token: string }): Promise<void>;

  /** Adds a relation edge; adding an existing edge is a no-op. */
  addRelation(edge: RelationEdge): Promise<void>;
  /** Removes a relation edge; removing a missing edge is not an error. */
  removeRelation(edge: RelationEdge): Promise<void>;

  /**
   * Runs `work` inside one transaction: everything it does through `tx.storage` commits together or
   * not at all. Throws ParseError 108 where the backend cannot run transactions (say so in the message).
   */
  transaction<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T>;
}
