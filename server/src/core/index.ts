/**
 * Core: the operations every front end calls (find, get, create, update, delete, the schema API),
 * each a short sequence of named steps over storage, the schema registry and the caller's `Auth`.
 * It does not know HTTP: front ends decode their wire format into these requests and encode the results.
 * Every object write is published after its commit on the change feed (`core.changes`, `ChangeBus`), which
 * LiveQuery, caches and core's own after-triggers and mails subscribe to.
 */
import { afterTriggers } from './after-triggers.js';
import type { ChangeBus, ChangeFeed } from './change-feed.js';
import { verificationMail } from './classes/user-write-hooks.js';
import {
  currentSession,
  logIn,
  logInAs,
  logOut,
  me,
  resolveSession,
  upgradeToRevocableSession,
  verifyPassword,
} from './classes/index.js';
import {
  findPasswordResetUser,
  requestPasswordReset,
  requestVerificationEmail,
  resetPassword,
  verifyEmail,
} from './classes/user-email.js';
import { logInWithAuthData } from './classes/user-auth-data-login.js';
import { aggregate, distinct } from './aggregate.js';
import { create } from './create.js';
import type { CreateRequest } from './create.js';
import { destroy } from './delete.js';
import type { DeleteRequest } from './delete.js';
import type { CoreDeps } from './deps.js';
import { getConfig, updateConfig } from './global-config.js';
import { getGraphQLConfig, updateGraphQLConfig } from './graphql-config.js';
import { applyPushBadges } from './push-badges.js';
import { claimRequestId } from './idempotency.js';
import { find, get, getPointed } from './find.js';
import type { FindRequest, GetPointedRequest, GetRequest } from './find.js';
import { readPolicy } from './read-policies.js';
import type { ReadPolicyRequest } from './read-policies.js';
import type { ReadPolicy } from './read-policy.js';
import type { FindResult, OutputObject, SaveResult } from './output.js';
import { createSchema, deleteSchema, getSchema, listSchemas, purgeClass, updateSchema } from './schemas.js';
import { update } from './update.js';
import type { UpdateRequest } from './update.js';
import { afterPush, beforePush, listCloudCode, runFunction } from './functions.js';
import { clearSlowQueries, listSlowQueries } from './slow-query-ops.js';
import { classCounts, listFiles } from './admin-ops.js';
import { deleteFile, openFile, readFile, uploadFile } from './files.js';
import { authenticate } from './authenticate.js';
import { createLiveHooks } from './live-hooks.js';
import type { LiveHooks } from './live-hooks.js';
import {
  createJobSchedule,
  deleteJobSchedule,
  jobScheduleData,
  listJobSchedules,
  startJob,
  updateJobSchedule,
} from './jobs.js';
import {
  createFunctionHook,
  createTriggerHook,
  deleteFunctionHook,
  deleteTriggerHook,
  getFunctionHook,
  getTriggerHook,
  listFunctionHooks,
  listTriggerHooks,
  updateFunctionHook,
  updateTriggerHook,
} from './webhooks.js';
import { AmbientTransactions } from './transaction.js';
import { usage } from './usage.js';
import { readLogs, servedFeatures } from './server-status.js';
import { admitBatch } from './batch-limit.js';

export type { CoreDeps, CoreOptions } from './deps.js';
export { ChangeBus } from './change-feed.js';
export { LiveHub } from './live/index.js';
export type { LiveHooks } from './live-hooks.js';
export { reshapeLiveAnswer } from './live-hooks.js';
export type {
  LiveCore,
  LiveEvent,
  LiveEventOp,
  LiveHubOptions,
  LiveListener,
  LiveQuery,
  LiveSubscription,
} from './live/index.js';
export type { ChangeBusOptions, ChangeFeed, ChangeListener, SubscribeOptions } from './change-feed.js';
export type { ChangeEvent, ChangeOp, CreateEvent, DeleteEvent, UpdateEvent } from './change-event.js';
export type { StoredObject } from '../storage/index.js';
export { SESSION_EVICTION_CLASSES, sessionEvictionOf } from './classes/index.js';
export { ROLE_CHANGE_CLASSES, changesRoles } from './role-source.js';
export type { CreateRequest } from './create.js';
export type { UpdateRequest } from './update.js';
export type { DeleteRequest } from './delete.js';
export type { FindRequest, GetPointedRequest, GetRequest } from './find.js';
export type { ReadPolicy, ReadOperation } from './read-policy.js';
export type { ReadPolicyRequest } from './read-policies.js';
export type { Projection } from './shape.js';
export type { FindResult, OutputObject, SaveResult } from './output.js';
export { RelationRef } from './output.js';
export { SessionCache } from './classes/index.js';
export type { LoggedIn, PasswordCredentials, SessionEviction, UserServices } from './classes/index.js';
export type { FieldWrite, WriteInput } from './write-input.js';
export { decodeWriteBody, decodeACL } from './decode-write.js';
export type { RequestOrigin } from './hook-caller.js';
export type { CloudCodeListing, FunctionCall } from './functions.js';
export { SlowQueryLog } from './slow-queries.js';
export type { SlowQueryRecord } from './slow-queries.js';
export type { FileTriggerRequest } from './file-hooks.js';
export type { FileUpload, UploadFileRequest, DeleteFileRequest } from './files.js';
export type { FileServices, FileUploadPolicy } from './file-services.js';
export { FileUrlSigner } from './file-url-signing.js';
export { isActiveContentType } from './file-names.js';
export type { AggregateRequest, AggregateResult, DistinctRequest, DistinctResult } from './aggregate.js';
export { GlobalConfigCache } from './global-config.js';
export type { ConfigResult, GetConfigRequest, UpdateConfigRequest } from './global-config.js';
export type { GlobalConfigSource } from './deps.js';
export { GraphQLConfigCache, checkGraphQLConfig } from './graphql-config.js';
export type { ApplyPushBadgesRequest, PushBadgeChange } from './push-badges.js';
export type { GraphQLClassConfig, GraphQLConfig, GraphQLConfigSource } from './graphql-config-types.js';
export type { AccountServices } from './classes/account-services.js';
export { checkRequestId } from './idempotency.js';
export type { JobLauncher, StartJobRequest, JobSchedulesRequest, SaveJobScheduleRequest } from './jobs.js';
export type { WebhookChanges } from './webhooks.js';
export { createWebhookSource } from './webhooks.js';
export { createStorageJobScheduleSource, createStorageJobStatusStore } from './job-stores.js';
export {
  BARE_FILE_URLS,
  encodeObject,
  encodeOutputValue,
  encodeSaveResult,
  fileURLBuilder,
  objectFromJSON,
  objectToJSON,
} from './rest-json.js';
export type { ClaimRequestIdRequest, IdempotencyOptions, ReplayableResponse, RequestIdClaim } from './idempotency.js';
export { UsageMeter, usageRowId } from './usage-meter.js';
export type { UsageKind, UsageSample } from './usage-meter.js';
export type { UsageCounts, UsageEntry, UsageHour, UsageReport, UsageRequest, UsageSeries } from './usage.js';

type Bound<F> = F extends (deps: CoreDeps, request: infer R) => infer O ? (request: R) => O : never;

/** The operations bound to one set of dependencies. */
export interface Core {
  /** Every committed object change, from this server and (with Redis) the others: see `change-feed.ts`. */
  readonly changes: ChangeFeed;
  readonly find: (request: FindRequest) => Promise<FindResult>;
  readonly get: (request: GetRequest) => Promise<OutputObject>;
  /** The objects pointers name, read as a REST `include` reads them (GraphQL's batched pointer fields). */
  readonly getPointed: (request: GetPointedRequest) => Promise<OutputObject[]>;
  /**
   * The read policy of one caller on one class (read-policy.ts): its refusal, the storage condition,
   * `allows(object)` in memory, the fields it may not test, and the shaping of what it may see. The one
   * place reads are decided; find, get, count, include and sub-queries use it, LiveQuery keeps one per
   * subscription.
   */
  readonly readPolicy: (request: ReadPolicyRequest) => Promise<ReadPolicy>;
  readonly create: (request: CreateRequest) => Promise<SaveResult>;
  readonly update: (request: UpdateRequest) => Promise<SaveResult>;
  readonly destroy: (request: DeleteRequest) => Promise<void>;
  readonly listSchemas: Bound<typeof listSchemas>;
  readonly getSchema: Bound<typeof getSchema>;
  readonly createSchema: Bound<typeof createSchema>;
  readonly updateSchema: Bound<typeof updateSchema>;
  readonly deleteSchema: Bound<typeof deleteSchema>;
  readonly purgeClass: Bound<typeof purgeClass>;
  /** GET /aggregate/:className with a pipeline (master key). */
  readonly aggregate: Bound<typeof aggregate>;
  /** GET /aggregate/:className?distinct=field (master key). */
  readonly distinct: Bound<typeof distinct>;
  /** GET /config. */
  readonly getConfig: Bound<typeof getConfig>;
  /** PUT /config (master key). */
  readonly updateConfig: Bound<typeof updateConfig>;
  /** A push's badge change on a page of installations at once (master key; the push worker). */
  readonly applyPushBadges: Bound<typeof applyPushBadges>;
  /** GET /graphql-config (master key, read-only master key too). */
  readonly getGraphQLConfig: Bound<typeof getGraphQLConfig>;
  /** PUT /graphql-config (master key): replaces the GraphQL config. */
  readonly updateGraphQLConfig: Bound<typeof updateGraphQLConfig>;
  /**
   * The caller of accepted credentials (`CredentialResolver`): a presented session token is resolved unless a
   * master-like key was accepted (209 when unknown or expired).
   */
  readonly authenticate: Bound<typeof authenticate>;
  /** The caller a session token stands for (209 when unknown or expired); cached. */
  readonly resolveSession: Bound<typeof resolveSession>;
  readonly logIn: Bound<typeof logIn>;
  readonly verifyPassword: Bound<typeof verifyPassword>;
  readonly logInAs: Bound<typeof logInAs>;
  readonly logOut: Bound<typeof logOut>;
  readonly me: Bound<typeof me>;
  readonly currentSession: Bound<typeof currentSession>;
  readonly upgradeToRevocableSession: Bound<typeof upgradeToRevocableSession>;
  /** POST /requestPasswordReset: mails a reset link (rest.md §6.6). */
  readonly requestPasswordReset: Bound<typeof requestPasswordReset>;
  /** POST /verificationEmailRequest: mails a new verification link (rest.md §6.7). */
  readonly requestVerificationEmail: Bound<typeof requestVerificationEmail>;
  /** The verify-email page: marks the email verified when the token is valid. */
  readonly verifyEmail: Bound<typeof verifyEmail>;
  /** The reset form page: whose valid reset link this is. */
  readonly findPasswordResetUser: Bound<typeof findPasswordResetUser>;
  /** The reset form submit: sets the password, burns the token, revokes the sessions. */
  readonly resetPassword: Bound<typeof resetPassword>;
  /** POST /users with authData of an existing user: a log-in; undefined when it is a sign-up. */
  readonly logInWithAuthData: Bound<typeof logInWithAuthData>;
  /** POST /functions/:name: runs a cloud function (141 when there is none of that name). */
  readonly runFunction: Bound<typeof runFunction>;
  /** GET /cloud_code/registry: the functions, triggers and jobs cloud code registered (master key). */
  readonly listCloudCode: Bound<typeof listCloudCode>;
  /** Cloud code's push hooks (the push service calls them; they are no-ops without cloud code). */
  readonly beforePush: Bound<typeof beforePush>;
  readonly afterPush: Bound<typeof afterPush>;
  /** GET /slowQueries: finds slower than the threshold, by shape, with their plans (master key). */
  readonly listSlowQueries: Bound<typeof listSlowQueries>;
  /** DELETE /slowQueries: forgets them (master key). */
  readonly clearSlowQueries: Bound<typeof clearSlowQueries>;
  /** GET /classCounts: each class's object count, estimated for large classes (master key, read-only too). */
  readonly classCounts: Bound<typeof classCounts>;
  /** GET /fileList: a page of stored files, or of the orphans among them (master key, read-only too). */
  readonly listFiles: Bound<typeof listFiles>;
  /** Files (rest.md §10): uploads under the upload policy with the `@File` triggers, deletes, downloads' checks. */
  readonly files: {
    readonly upload: Bound<typeof uploadFile>;
    readonly delete: Bound<typeof deleteFile>;
    /** A download's checks (name, signed-URL token) and the stored file's description; undefined: none. */
    readonly open: Bound<typeof openFile>;
    readonly read: Bound<typeof readFile>;
  };
  /** Cloud jobs: `POST /jobs` and the `_JobSchedule` rows of `/cloud_code/jobs` (master key). */
  readonly jobs: {
    readonly start: Bound<typeof startJob>;
    readonly listSchedules: Bound<typeof listJobSchedules>;
    readonly scheduleData: Bound<typeof jobScheduleData>;
    readonly createSchedule: Bound<typeof createJobSchedule>;
    readonly updateSchedule: Bound<typeof updateJobSchedule>;
    readonly deleteSchedule: Bound<typeof deleteJobSchedule>;
  };
  /** The webhooks of `/hooks` (master key; the read-only master key may list). */
  readonly hooks: {
    readonly listFunctions: Bound<typeof listFunctionHooks>;
    readonly getFunction: Bound<typeof getFunctionHook>;
    readonly createFunction: Bound<typeof createFunctionHook>;
    readonly updateFunction: Bound<typeof updateFunctionHook>;
    readonly deleteFunction: Bound<typeof deleteFunctionHook>;
    readonly listTriggers: Bound<typeof listTriggerHooks>;
    readonly getTrigger: Bound<typeof getTriggerHook>;
    readonly createTrigger: Bound<typeof createTriggerHook>;
    readonly updateTrigger: Bound<typeof updateTriggerHook>;
    readonly deleteTrigger: Bound<typeof deleteTriggerHook>;
  };
  /** GET /usage (master key): metered invocations and compute time per hour, per app and per function. */
  readonly usage: Bound<typeof usage>;
  /** GET /scriptlog (master key, read-only master key): this server's recent log lines. */
  readonly readLogs: Bound<typeof readLogs>;
  /** GET /serverInfo (master key, read-only master key): what this server serves. */
  readonly servedFeatures: Bound<typeof servedFeatures>;
  /** POST /batch: admits a batch of `count` sub-requests (at most `batchMaxRequests` unless master). */
  readonly admitBatch: Bound<typeof admitBatch>;
  /**
   * Claims a write's `X-Parse-Request-Id` (see `idempotency.ts`): `run` it (then `complete` or `release` the
   * claim), or answer the `replay` of the first response; 159 while the first still runs. Without the
   * idempotency option every request runs.
   */
  readonly claimRequestId: Bound<typeof claimRequestId>;
  /**
   * Runs `work` in one storage transaction: everything commits together or nothing does. Every call of
   * this Core made inside `work` (also from cloud code) runs in the transaction (`transaction.ts`).
   * Throws ParseError 108 on backends without transactions. The changes it makes are published after the
   * commit, in order (with their after-triggers, which then cannot alter the answers); none on rollback.
   */
  readonly transaction: <T>(work: (core: Core) => Promise<T>) => Promise<T>;
  /** LiveQuery's cloud hooks (beforeConnect, beforeSubscribe, afterLiveQueryEvent) for the socket server. */
  readonly liveHooks: LiveHooks;
}

/**
 * The operations bound to `root`, with core's own reactions to the change feed attached to it: the
 * verification mail (`commit` stage) and afterSave / afterDelete (`settle` stage). Call once per feed.
 */
export function createCore(root: CoreDeps & { changes: ChangeBus }): Core {
  root.changes.addReaction('commit', verificationMail(root));
  root.changes.addReaction('settle', afterTriggers(root));
  const transactions = new AmbientTransactions();
  // Every operation runs with the open transaction's dependencies when called inside one (transaction.ts).
  const current = (): CoreDeps => transactions.depsFor(root);
  const core: Core = {
    changes: root.changes,
    find: (request) => find(current(), request),
    get: (request) => get(current(), request),
    getPointed: (request) => getPointed(current(), request),
    readPolicy: (request) => readPolicy(current(), request),
    create: (request) => create(current(), request),
    update: (request) => update(current(), request),
    destroy: (request) => destroy(current(), request),
    listSchemas: (request) => listSchemas(current(), request),
    getSchema: (request) => getSchema(current(), request),
    createSchema: (request) => createSchema(current(), request),
    updateSchema: (request) => updateSchema(current(), request),
    deleteSchema: (request) => deleteSchema(current(), request),
    purgeClass: (request) => purgeClass(current(), request),
    aggregate: (request) => aggregate(current(), request),
    distinct: (request) => distinct(current(), request),
    getConfig: (request) => getConfig(current(), request),
    updateConfig: (request) => updateConfig(current(), request),
    getGraphQLConfig: (request) => getGraphQLConfig(current(), request),
    applyPushBadges: (request) => applyPushBadges(current(), request),
    updateGraphQLConfig: (request) => updateGraphQLConfig(current(), request),
    authenticate: (request) => authenticate(current(), request),
    resolveSession: (request) => resolveSession(current(), request),
    logIn: (request) => logIn(current(), request),
    verifyPassword: (request) => verifyPassword(current(), request),
    logInAs: (request) => logInAs(current(), request),
    logOut: (request) => logOut(current(), request),
    me: (request) => me(current(), request),
    currentSession: (request) => currentSession(current(), request),
    upgradeToRevocableSession: (request) => upgradeToRevocableSession(current(), request),
    requestPasswordReset: (request) => requestPasswordReset(current(), request),
    requestVerificationEmail: (request) => requestVerificationEmail(current(), request),
    verifyEmail: (request) => verifyEmail(current(), request),
    findPasswordResetUser: (request) => findPasswordResetUser(current(), request),
    resetPassword: (request) => resetPassword(current(), request),
    logInWithAuthData: (request) => logInWithAuthData(current(), request),
    runFunction: (request) => runFunction(current(), request),
    liveHooks: createLiveHooks(current),
    listCloudCode: (request) => listCloudCode(current(), request),
    beforePush: (request) => beforePush(current(), request),
    afterPush: (request) => afterPush(current(), request),
    listSlowQueries: (request) => listSlowQueries(current(), request),
    clearSlowQueries: (request) => clearSlowQueries(current(), request),
    classCounts: (request) => classCounts(current(), request),
    listFiles: (request) => listFiles(current(), request),
    files: {
      upload: (request) => uploadFile(current(), request),
      delete: (request) => deleteFile(current(), request),
      open: (request) => openFile(current(), request),
      read: (request) => readFile(current(), request),
    },
    jobs: {
      start: (request) => startJob(current(), request),
      listSchedules: (request) => listJobSchedules(current(), request),
      scheduleData: (request) => jobScheduleData(current(), request),
      createSchedule: (request) => createJobSchedule(current(), request),
      updateSchedule: (request) => updateJobSchedule(current(), request),
      deleteSchedule: (request) => deleteJobSchedule(current(), request),
    },
    hooks: {
      listFunctions: (request) => listFunctionHooks(current(), request),
      getFunction: (request) => getFunctionHook(current(), request),
      createFunction: (request) => createFunctionHook(current(), request),
      updateFunction: (request) => updateFunctionHook(current(), request),
      deleteFunction: (request) => deleteFunctionHook(current(), request),
      listTriggers: (request) => listTriggerHooks(current(), request),
      getTrigger: (request) => getTriggerHook(current(), request),
      createTrigger: (request) => createTriggerHook(current(), request),
      updateTrigger: (request) => updateTriggerHook(current(), request),
      deleteTrigger: (request) => deleteTriggerHook(current(), request),
    },
    claimRequestId: (request) => claimRequestId(current(), request),
    usage: (request) => usage(current(), request),
    readLogs: (request) => readLogs(current(), request),
    servedFeatures: (request) => servedFeatures(current(), request),
    admitBatch: (request) => admitBatch(current(), request),
    transaction: (work) => transactions.run(current(), () => work(core)),
  };
  return core;
}
