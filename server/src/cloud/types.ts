/**
 * The one protocol between Strata and a developer's hooks, whichever API registered them (Strata's typed
 * API, Parse's `Parse.Cloud.*`, or a webhook). Objects and values travel as **REST JSON** — exactly the wire
 * form (`{"__type":"Date","iso":...}`, pointers, files...) with `className` on objects — because that is what
 * `Parse.Object.fromJSON` reads and what a webhook receives; each API adapter converts to its own friendlier
 * form at its edge.
 */
import type { Logger } from '../infra/index.js';

export type JsonObject = Record<string, unknown>;

/** An object as hooks see it: REST JSON plus `className`. `objectId`/`createdAt` are absent before a create. */
export interface CloudObjectJSON {
  readonly className: string;
  readonly objectId?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly [field: string]: unknown;
}

/** Who called, as every hook request carries it (spec/cloud.md §3). */
export interface CallerInfo {
  /** True with the master key, including the read-only one. */
  readonly master: boolean;
  readonly isReadOnly: boolean;
  /** The session's user (REST JSON, `className: "_User"`); absent for anonymous and master callers. */
  readonly user?: CloudObjectJSON;
  readonly sessionToken?: string;
  readonly installationId?: string;
  readonly ip?: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface HookRequestBase extends CallerInfo {
  /**
   * The client context (`X-Parse-Cloud-Context` / `_context`). Mutable: what a before-trigger writes here is
   * what the matching after-trigger of the same request reads.
   */
  readonly context: JsonObject;
  /** The server logger, bound to the request id. */
  readonly log: Logger;
  /** A read-only, secret-free view of the server's configuration (Parse's `request.config`). */
  readonly config?: HookServerConfig;
}

/**
 * What hooks learn about the server they run in (spec/cloud.md §3 `config`). Parse hands hooks its whole
 * config object; Strata hands a frozen view without any key, password or connection string.
 */
export interface HookServerConfig {
  readonly appId: string;
  /** The API's path, e.g. `/parse`. */
  readonly mountPath: string;
  /** The URL the API answers on (the public URL when one is set, else the local address). */
  readonly serverURL: string;
  readonly publicServerURL?: string;
  readonly appName?: string;
  /** Strata's version (what `/serverInfo` answers as `parseServerVersion`). */
  readonly version: string;
}

/** The triggers any ordinary class takes (and `Parse.File`'s `@File`). */
export const OBJECT_TRIGGER_NAMES = [
  'beforeSave',
  'afterSave',
  'beforeDelete',
  'afterDelete',
  'beforeFind',
  'afterFind',
] as const;
/** The user-session triggers (on `_User`, afterLogout on `_Session`). */
export const AUTH_TRIGGER_NAMES = ['beforeLogin', 'afterLogin', 'afterLogout', 'beforePasswordResetRequest'] as const;

export type SaveTriggerName = 'beforeSave' | 'afterSave';
export type DeleteTriggerName = 'beforeDelete' | 'afterDelete';
export type FindTriggerName = 'beforeFind' | 'afterFind';
export type ObjectTriggerName = (typeof OBJECT_TRIGGER_NAMES)[number];
export type AuthTriggerName = (typeof AUTH_TRIGGER_NAMES)[number];
export type TriggerName = ObjectTriggerName | AuthTriggerName;

export const TRIGGER_NAMES: readonly TriggerName[] = [...OBJECT_TRIGGER_NAMES, ...AUTH_TRIGGER_NAMES];

export interface SaveTriggerRequest extends HookRequestBase {
  readonly triggerName: SaveTriggerName;
  /** beforeSave of an update: the stored object with the pending changes applied. afterSave: as saved. */
  readonly object: CloudObjectJSON;
  /** Updates only: the object as stored before this write. */
  readonly original?: CloudObjectJSON;
  /** The fields this write sets (the client's keys, before the trigger ran). */
  readonly dirtyKeys: readonly string[];
}

/**
 * What a beforeSave changes: REST JSON values or `__op` operations by field, like a client's PUT body;
 * `{"__op":"Delete"}` unsets. Applied on top of the client's write and echoed in the response.
 */
export interface SavePatch {
  readonly changes: JsonObject;
}

export interface DeleteTriggerRequest extends HookRequestBase {
  readonly triggerName: DeleteTriggerName;
  readonly object: CloudObjectJSON;
}

/** A query as find triggers see and return it: the REST find parameters, `where` as REST JSON. */
export interface CloudQueryJSON {
  readonly className: string;
  readonly where: JsonObject;
  readonly limit?: number;
  readonly skip?: number;
  readonly order?: string;
  readonly keys?: readonly string[];
  readonly excludeKeys?: readonly string[];
  readonly include?: readonly string[];
  readonly hint?: unknown;
  readonly explain?: boolean;
  readonly comment?: string;
  readonly readPreference?: string;
  readonly includeReadPreference?: string;
  readonly subqueryReadPreference?: string;
}

export interface BeforeFindRequest extends HookRequestBase {
  readonly triggerName: 'beforeFind';
  readonly query: CloudQueryJSON;
  readonly count: boolean;
  readonly isGet: boolean;
}

/** beforeFind may replace the query, or answer with objects and skip the database (re-checked for non-master). */
export type BeforeFindResult = { readonly query: CloudQueryJSON } | { readonly objects: CloudObjectJSON[] } | undefined;

export interface AfterFindRequest extends HookRequestBase {
  readonly triggerName: 'afterFind';
  readonly objects: readonly CloudObjectJSON[];
  readonly query: CloudQueryJSON;
  readonly isGet: boolean;
}

export interface AuthTriggerRequest extends HookRequestBase {
  readonly triggerName: AuthTriggerName;
  /** The `_User` (login triggers, password reset) or the `_Session` (afterLogout). */
  readonly object: CloudObjectJSON;
}

/**
 * A file as the `@File` triggers see it (`request.object`): the stored name (unique prefix included), its
 * type, size (after the save, and before a delete), metadata and tags; `url` once it is stored.
 */
export interface CloudFileJSON extends CloudObjectJSON {
  readonly className: '@File';
  readonly name: string;
  readonly contentType?: string;
  readonly size?: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly url?: string;
}

/**
 * What a `@File` beforeSave may answer instead of a SavePatch (spec/cloud.md §2): the file to store in place
 * of the upload. Fields left out keep the upload's. A new `name` is checked like a client's and gets its own
 * unique prefix; with a `url`, nothing is stored and the client is answered that url and name. The content
 * itself cannot be replaced (uploads are streamed to the store).
 */
export interface FileSaveResult {
  readonly file: {
    readonly name?: string;
    readonly contentType?: string;
    readonly metadata?: Readonly<Record<string, unknown>>;
    readonly tags?: Readonly<Record<string, unknown>>;
    readonly url?: string;
  };
}

/**
 * A push as the push hooks see it (push.md §1, REST JSON): the audience as an `_Installation` `where` (a
 * request's `channels` already folded in as `{"channels":{"$in":[...]}}`), the `data` devices get, and the
 * timing fields when the caller gave them. A beforePush answers a changed copy; it is checked again exactly
 * like a `POST /push` body, so a hook cannot send what a caller could not.
 */
export interface PushJSON {
  readonly where: JsonObject;
  readonly data: JsonObject;
  readonly push_time?: string;
  readonly expiration_time?: string | number;
  readonly expiration_interval?: number;
}

/** `beforePush`: runs as `POST /push` (or `Parse.Push.send`) is accepted, before anything is recorded. */
export interface BeforePushRequest extends HookRequestBase {
  readonly triggerName: 'beforePush';
  readonly push: PushJSON;
  /** `rest` for `POST /push` (the SDKs' `Parse.Push.send` and cloud code's included). */
  readonly source: string;
}

/** A changed push, or undefined to send it as it is; throwing refuses it (the caller gets the error). */
export type BeforePushResult = { readonly push: PushJSON } | undefined;

/**
 * `afterPush`: runs once when a push finished delivering, on the worker that finished it (not inside the
 * request that sent it: `master` is true and there is no user). Its errors are logged, never seen by anyone.
 */
export interface AfterPushRequest extends HookRequestBase {
  readonly triggerName: 'afterPush';
  /** The `_PushStatus` objectId (`X-Parse-Push-Status-Id` of the request that sent it). */
  readonly pushStatusId: string;
  readonly status: 'succeeded' | 'failed';
  readonly numSent: number;
  readonly numFailed: number;
  /** Devices reached and failed per device type (`ios`, `android`, `web`...). */
  readonly sentPerType: Readonly<Record<string, number>>;
  readonly failedPerType: Readonly<Record<string, number>>;
}

export type PushHookName = 'beforePush' | 'afterPush';

export interface PushHookSignatures {
  beforePush: { request: BeforePushRequest; result: BeforePushResult };
  afterPush: { request: AfterPushRequest; result: undefined };
}

export type PushHookHandler<T extends PushHookName> = (
  request: PushHookSignatures[T]['request'],
) => Promise<PushHookSignatures[T]['result']>;

export interface RegisteredPushHook<T extends PushHookName = PushHookName> {
  readonly name: T;
  readonly handler: PushHookHandler<T>;
  readonly validator?: Validator;
  readonly source: HookSource;
}

/** The request and result type of each trigger. */
export interface TriggerSignatures {
  /** `FileSaveResult` only from a beforeSave on `@File`; ordinary classes answer a SavePatch. */
  beforeSave: { request: SaveTriggerRequest; result: SavePatch | FileSaveResult | undefined };
  /** A returned object replaces the response body's fields (types.md §5); errors are only logged. */
  afterSave: { request: SaveTriggerRequest; result: CloudObjectJSON | undefined };
  beforeDelete: { request: DeleteTriggerRequest; result: undefined };
  afterDelete: { request: DeleteTriggerRequest; result: undefined };
  beforeFind: { request: BeforeFindRequest; result: BeforeFindResult };
  afterFind: { request: AfterFindRequest; result: CloudObjectJSON[] | undefined };
  beforeLogin: { request: AuthTriggerRequest; result: undefined };
  afterLogin: { request: AuthTriggerRequest; result: undefined };
  afterLogout: { request: AuthTriggerRequest; result: undefined };
  beforePasswordResetRequest: { request: AuthTriggerRequest; result: undefined };
}

export type TriggerHandler<T extends TriggerName> = (
  request: TriggerSignatures[T]['request'],
) => Promise<TriggerSignatures[T]['result']>;

export interface FunctionRequest extends HookRequestBase {
  readonly functionName: string;
  /** REST JSON params (body merged with query string). */
  readonly params: JsonObject;
}

/** A function's answer: `result` is REST JSON (the API adapter encoded it); status/headers are optional extras. */
export interface FunctionResult {
  readonly result: unknown;
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export type FunctionHandler = (request: FunctionRequest) => Promise<FunctionResult>;

export interface JobRequest {
  readonly jobName: string;
  readonly jobId: string;
  readonly params: JsonObject;
  /** Sets `_JobStatus.message`. */
  message(text: string): Promise<void>;
  /** Sets `_JobStatus.progress` (0–100; Strata addition). */
  progress(percent: number): Promise<void>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly ip?: string;
  readonly log: Logger;
  /** Aborted when the job's timeout passes or the worker shuts down. */
  readonly signal: AbortSignal;
  /** The same read-only, secret-free server view as hooks get. */
  readonly config?: HookServerConfig;
}

/** A job's result: a string becomes `_JobStatus.message`. */
export type JobHandler = (request: JobRequest) => Promise<unknown>;

/** The object form of a validator (spec/cloud.md §7). Unknown keys are refused at registration. */
export interface ValidatorSpec {
  readonly requireUser?: boolean;
  readonly requireMaster?: boolean;
  readonly validateMasterKey?: boolean;
  readonly skipWithMasterKey?: boolean;
  readonly requireAnyUserRoles?: readonly string[] | ((request: HookRequestBase) => Promise<readonly string[]>);
  readonly requireAllUserRoles?: readonly string[] | ((request: HookRequestBase) => Promise<readonly string[]>);
  readonly requireUserKeys?: readonly string[] | Readonly<Record<string, FieldRule>>;
  readonly fields?: readonly string[] | Readonly<Record<string, FieldRule>>;
  readonly rateLimit?: RateLimitRule;
}

export type FieldType = 'String' | 'Number' | 'Boolean' | 'Array' | 'Object' | 'Date';

export interface FieldRule {
  /** A type name, or the constructor Parse code passes (`String`, `Number`...). */
  readonly type?:
    | FieldType
    | StringConstructor
    | NumberConstructor
    | BooleanConstructor
    | ArrayConstructor
    | ObjectConstructor
    | DateConstructor;
  readonly default?: unknown;
  readonly required?: boolean;
  /** Triggers: a client change to the field is reverted on update. */
  readonly constant?: boolean;
  readonly options?: readonly unknown[] | unknown | ((value: unknown) => boolean | Promise<boolean>);
  readonly error?: string;
}

export interface RateLimitRule {
  /** Requests allowed per window, per IP (and per user when `zone: "user"`). */
  readonly requestCount: number;
  readonly requestTimeWindow: number;
  readonly errorResponseMessage?: string;
  readonly includeMasterKey?: boolean;
  readonly zone?: 'ip' | 'user' | 'session' | 'global';
}

/** A validator: a function that throws to refuse (always runs), or the object form. */
export type Validator = ((request: HookRequestBase) => Promise<void>) | ValidatorSpec;

/** Where a hook came from: shown in errors and logs; webhooks answer for themselves. */
export type HookSource = 'strata' | 'parse' | 'webhook';

export interface RegisteredFunction {
  readonly name: string;
  readonly handler: FunctionHandler;
  readonly validator?: Validator;
  readonly source: HookSource;
}

export interface RegisteredTrigger<T extends TriggerName = TriggerName> {
  readonly triggerName: T;
  /** Exact class name (`_User`, `@File`, `@Config` for the file and config triggers). */
  readonly className: string;
  readonly handler: TriggerHandler<T>;
  readonly validator?: Validator;
  readonly source: HookSource;
}

export interface JobOptions {
  /** Cron expression (5 or 6 fields) for a scheduled run; params `{}`. */
  readonly schedule?: string;
  /** Attempts before the job is marked failed (default 1: no retry). */
  readonly attempts?: number;
  /** First retry delay in ms; doubles each attempt (default 1000). */
  readonly backoffMs?: number;
  /** Abort after this long (default: the server's cloud timeout for jobs). */
  readonly timeoutMs?: number;
}

export interface RegisteredJob {
  readonly name: string;
  readonly handler: JobHandler;
  readonly options: JobOptions;
  readonly source: HookSource;
}

/**
 * LiveQuery's hooks (spec/livequery.md §2, §4). `beforeConnect` is registered under the pseudo class
 * `@Connect`; the others under the subscribed class. They run in the process that holds the socket (the `live`
 * or `all` role), which loads the same cloud code as every role.
 */
export const LIVE_TRIGGER_NAMES = ['beforeConnect', 'beforeSubscribe', 'afterLiveQueryEvent'] as const;
export type LiveTriggerName = (typeof LIVE_TRIGGER_NAMES)[number];
/** The pseudo class `beforeConnect` is registered under (as Parse). */
export const CONNECT_TRIGGER_CLASS = '@Connect';

/** What every LiveQuery hook request carries besides the caller: this server's open sockets and subscriptions. */
export interface LiveHookRequestBase extends HookRequestBase {
  readonly clients: number;
  readonly subscriptions: number;
}

export interface BeforeConnectRequest extends LiveHookRequestBase {
  readonly event: 'connect';
}

/** A subscription's query as the hooks see and return it (the `subscribe` frame's `query`). */
export interface LiveQueryJSON {
  readonly className: string;
  readonly where: JsonObject;
  readonly keys?: readonly string[];
  readonly watch?: readonly string[];
}

export interface BeforeSubscribeRequest extends LiveHookRequestBase {
  /** `subscribe`, or `update` when the client replaces a subscription's query. */
  readonly event: 'subscribe' | 'update';
  readonly requestId: number;
  readonly query: LiveQueryJSON;
}

export type LiveEventName = 'create' | 'enter' | 'update' | 'leave' | 'delete';

/**
 * One event about to be sent to one subscriber. `object` and `original` are already shaped by the subscriber's
 * read policy (protected fields and fields outside `keys` removed); whatever the hook answers is shaped again,
 * so it may add fields of its own but never one the policy hid.
 */
export interface AfterLiveQueryEventRequest extends LiveHookRequestBase {
  readonly event: LiveEventName;
  readonly requestId: number;
  readonly object: CloudObjectJSON;
  readonly original?: CloudObjectJSON;
}

/** `send: false` suppresses the event; otherwise the object (and original) to send instead, when changed. */
export type AfterLiveQueryEventResult =
  | { readonly send: false }
  | { readonly send: true; readonly object?: CloudObjectJSON; readonly original?: CloudObjectJSON }
  | undefined;

export interface LiveTriggerSignatures {
  beforeConnect: { request: BeforeConnectRequest; result: undefined };
  /** A returned query replaces the client's (narrowing it); undefined keeps it. */
  beforeSubscribe: { request: BeforeSubscribeRequest; result: { readonly query: LiveQueryJSON } | undefined };
  afterLiveQueryEvent: { request: AfterLiveQueryEventRequest; result: AfterLiveQueryEventResult };
}

export type LiveTriggerHandler<T extends LiveTriggerName> = (
  request: LiveTriggerSignatures[T]['request'],
) => Promise<LiveTriggerSignatures[T]['result']>;

export interface RegisteredLiveTrigger<T extends LiveTriggerName = LiveTriggerName> {
  readonly triggerName: T;
  /** The subscribed class, or `@Connect` for beforeConnect. */
  readonly className: string;
  readonly handler: LiveTriggerHandler<T>;
  readonly source: HookSource;
}
