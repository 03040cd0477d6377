/**
 * Core: the operations every front end calls (find, get, create, update, delete, the schema API),
 * each a short sequence of named steps over storage, the schema registry and the caller's `Auth`.
 * It does not know HTTP: front ends decode their wire format into these requests and encode the results.
 */
import type { StorageAdapter } from '../storage/index.js';
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
import { claimRequestId } from './idempotency.js';
import { find, get } from './find.js';
import type { FindRequest, GetRequest } from './find.js';
import { readPolicy } from './read-policies.js';
import type { ReadPolicyRequest } from './read-policies.js';
import type { ReadPolicy } from './read-policy.js';
import type { FindResult, OutputObject, SaveResult } from './output.js';
import { createSchema, deleteSchema, getSchema, listSchemas, purgeClass, updateSchema } from './schemas.js';
import { update } from './update.js';
import type { UpdateRequest } from './update.js';
import { runFunction } from './functions.js';
import { deleteFile, openFile, readFile, uploadFile } from './files.js';
import { authenticate } from './authenticate.js';
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

export type { CoreDeps, CoreOptions } from './deps.js';
export type { CreateRequest } from './create.js';
export type { UpdateRequest } from './update.js';
export type { DeleteRequest } from './delete.js';
export type { FindRequest, GetRequest } from './find.js';
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
export type { FunctionCall } from './functions.js';
export type { FileTriggerRequest } from './file-hooks.js';
export type { FileUpload, UploadFileRequest, DeleteFileRequest } from './files.js';
export type { FileServices, FileUploadPolicy } from './file-services.js';
export { FileUrlSigner } from './file-url-signing.js';
export { isActiveContentType } from './file-names.js';
export type { AggregateRequest, AggregateResult, DistinctRequest, DistinctResult } from './aggregate.js';
export { GlobalConfigCache } from './global-config.js';
export type { ConfigResult, GetConfigRequest, UpdateConfigRequest } from './global-config.js';
export type { GlobalConfigSource } from './deps.js';
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

type Bound<F> = F extends (deps: CoreDeps, request: infer R) => infer O ? (request: R) => O : never;

/** The operations bound to one set of dependencies. */
export interface Core {
  readonly find: (request: FindRequest) => Promise<FindResult>;
  readonly get: (request: GetRequest) => Promise<OutputObject>;
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
  /**
   * Claims a write's `X-Parse-Request-Id` (see `idempotency.ts`): `run` it (then `complete` or `release` the
   * claim), or answer the `replay` of the first response; 159 while the first still runs. Without the
   * idempotency option every request runs.
   */
  readonly claimRequestId: Bound<typeof claimRequestId>;
  /**
   * Runs `work` with a Core whose storage is one transaction: everything commits together or nothing
   * does. Throws ParseError 108 on backends without transactions.
   */
  readonly transaction: <T>(work: (core: Core) => Promise<T>) => Promise<T>;
}

export function createCore(deps: CoreDeps): Core {
  const withStorage = (storage: StorageAdapter): Core => createCore({ ...deps, storage });
  return {
    find: (request) => find(deps, request),
    get: (request) => get(deps, request),
    readPolicy: (request) => readPolicy(deps, request),
    create: (request) => create(deps, request),
    update: (request) => update(deps, request),
    destroy: (request) => destroy(deps, request),
    listSchemas: (request) => listSchemas(deps, request),
    getSchema: (request) => getSchema(deps, request),
    createSchema: (request) => createSchema(deps, request),
    updateSchema: (request) => updateSchema(deps, request),
    deleteSchema: (request) => deleteSchema(deps, request),
    purgeClass: (request) => purgeClass(deps, request),
    aggregate: (request) => aggregate(deps, request),
    distinct: (request) => distinct(deps, request),
    getConfig: (request) => getConfig(deps, request),
    updateConfig: (request) => updateConfig(deps, request),
    authenticate: (request) => authenticate(deps, request),
    resolveSession: (request) => resolveSession(deps, request),
    logIn: (request) => logIn(deps, request),
    verifyPassword: (request) => verifyPassword(deps, request),
    logInAs: (request) => logInAs(deps, request),
    logOut: (request) => logOut(deps, request),
    me: (request) => me(deps, request),
    currentSession: (request) => currentSession(deps, request),
    upgradeToRevocableSession: (request) => upgradeToRevocableSession(deps, request),
    requestPasswordReset: (request) => requestPasswordReset(deps, request),
    requestVerificationEmail: (request) => requestVerificationEmail(deps, request),
    verifyEmail: (request) => verifyEmail(deps, request),
    findPasswordResetUser: (request) => findPasswordResetUser(deps, request),
    resetPassword: (request) => resetPassword(deps, request),
    logInWithAuthData: (request) => logInWithAuthData(deps, request),
    runFunction: (request) => runFunction(deps, request),
    files: {
      upload: (request) => uploadFile(deps, request),
      delete: (request) => deleteFile(deps, request),
      open: (request) => openFile(deps, request),
      read: (request) => readFile(deps, request),
    },
    jobs: {
      start: (request) => startJob(deps, request),
      listSchedules: (request) => listJobSchedules(deps, request),
      scheduleData: (request) => jobScheduleData(deps, request),
      createSchedule: (request) => createJobSchedule(deps, request),
      updateSchedule: (request) => updateJobSchedule(deps, request),
      deleteSchedule: (request) => deleteJobSchedule(deps, request),
    },
    hooks: {
      listFunctions: (request) => listFunctionHooks(deps, request),
      getFunction: (request) => getFunctionHook(deps, request),
      createFunction: (request) => createFunctionHook(deps, request),
      updateFunction: (request) => updateFunctionHook(deps, request),
      deleteFunction: (request) => deleteFunctionHook(deps, request),
      listTriggers: (request) => listTriggerHooks(deps, request),
      getTrigger: (request) => getTriggerHook(deps, request),
      createTrigger: (request) => createTriggerHook(deps, request),
      updateTrigger: (request) => updateTriggerHook(deps, request),
      deleteTrigger: (request) => deleteTriggerHook(deps, request),
    },
    claimRequestId: (request) => claimRequestId(deps, request),
    transaction: (work) => deps.storage.transaction((tx) => work(withStorage(tx.storage))),
  };
}
