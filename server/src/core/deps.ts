import type { ProtectedFieldsOption, RoleCache } from '../auth/index.js';
import type { CloudRunner, JsonObject } from '../cloud/index.js';
import type { LogBuffer } from '../infra/index.js';
import type { QueryLimits } from '../query/index.js';
import type { SchemaRegistry } from '../schema/index.js';
import type { GraphQLConfigSource } from './graphql-config-types.js';
import type { GlobalConfigData, StorageAdapter } from '../storage/index.js';
import type { ChangeSink } from './change-sink.js';
import type { AccountServices } from './classes/account-services.js';
import type { UserServices } from './classes/user-services.js';
import type { FileServices } from './file-services.js';
import type { SlowQueryLog } from './slow-queries.js';
import type { UsageMeter } from './usage-meter.js';

/** `X-Parse-Request-Id` deduplication settings (see `idempotency.ts`). */
export interface IdempotencyOptions {
  /** Seconds an id is remembered. */
  readonly ttlSeconds: number;
  /** Largest response (JSON bytes) kept for replay; a repeat of a larger one answers 159. */
  readonly maxResponseBytes: number;
}

export interface CoreOptions {
  readonly allowClientClassCreation: boolean;
  readonly defaultLimit: number;
  readonly maxLimit?: number;
  /** Deepest `$and/$or/$nor` nesting and value nesting accepted in a `where`. */
  readonly maxNestingDepth: number;
  /** Server-wide protectedFields merged into every class's CLP; default `{"_User":{"*":["email"]}}`. */
  readonly protectedFields?: ProtectedFieldsOption;
  /** Complexity limits on a `where` for non-master callers (branches, `$in` sizes, regex length, sub-query depth). */
  readonly queryLimits?: QueryLimits;
  /** Let non-master callers use `explain`; default false (102). */
  readonly allowPublicExplain?: boolean;
  /** Time budgets of one find or count in the database (ms): a client's, and the master key's. */
  readonly queryTimeLimits?: { readonly client: number; readonly master: number };
  /** `X-Parse-Request-Id` deduplication; absent: the header is ignored. */
  readonly idempotency?: IdempotencyOptions;
  /** Most sub-requests in one `/batch` for a non-master caller (`batch-limit.ts`); default 1000. */
  readonly batchMaxRequests?: number;
}

/** What every core operation needs, built once by `app.ts`. */
export interface CoreDeps {
  readonly storage: StorageAdapter;
  readonly schemas: SchemaRegistry;
  readonly options: CoreOptions;
  /** Per-user role names, shared across requests; without one, roles are resolved on every operation. */
  readonly roles?: RoleCache;
  /** Passwords, session lifetime, the session cache and the clock (users and sessions). */
  readonly users: UserServices;
  /** Email flows, lockout, password policy and auth providers; absent: those features are off. */
  readonly accounts?: AccountServices;
  /** The cached Parse Config (kept coherent across servers by `app.ts`); absent: read from storage each time. */
  readonly globalConfig?: GlobalConfigSource;
  /** The cached GraphQL config (`/graphql-config`, kept coherent across servers by `app.ts`). */
  readonly graphQLConfig?: GraphQLConfigSource;
  /** Cloud code's hooks (triggers, functions); absent: no hook ever runs. */
  readonly cloud?: CloudRunner;
  /** The file store and its upload policies (`/files`); absent: the file operations refuse. */
  readonly files?: FileServices;
  /** Cloud's job runner (`POST /jobs`, `/cloud_code/jobs`); absent: every job is unknown (141). */
  readonly jobs?: JobLauncher;
  /** Cloud's webhook overlay, told when `_Hooks` changed; absent: `/hooks` only stores. */
  readonly webhooks?: WebhookChanges;
  /**
   * Where committed object writes are published (`object-writes.ts`): the change feed (`ChangeBus`), or inside
   * a transaction its buffer.
   */
  readonly changes: ChangeSink;
  /** The usage meter `GET /usage` reads (after flushing it); absent: metering is off. */
  readonly usage?: UsageMeter;
  /** This server's recent log lines (`GET /scriptlog`); absent: it keeps none. */
  readonly logs?: LogBuffer;
  /** Finds slower than its threshold, by shape (`GET /slowQueries`); absent: not recorded. */
  readonly slowQueries?: SlowQueryLog;
}

/** Where Parse Config is read from, and who hears about this server's changes to it. */
export interface GlobalConfigSource {
  get(): Promise<GlobalConfigData>;
  /** Called after this server changed the config. */
  changed(): void;
}

/** What core needs of cloud's job runner (`JobRunner`), passed in by `app.ts`. */
export interface JobLauncher {
  /** Records and queues a run; resolves with its `_JobStatus` id. Unknown job → 141 "Invalid job.". */
  start(request: {
    jobName: string;
    params: JsonObject;
    ip?: string;
    headers?: Readonly<Record<string, string | undefined>>;
  }): Promise<string>;
  /** The registered job names. */
  jobNames(): string[];
  /** Installs the schedules again after `_JobSchedule` changed. */
  reloadSchedules(): Promise<void>;
}

/** Told after `_Hooks` changed (cloud's `WebhookStore`: reload the overlay, announce it to other servers). */
export interface WebhookChanges {
  changed(): Promise<void>;
}
