import type { Logger } from '../infra/index.js';
import { loadingRegistry } from './load-context.js';
import { FILE_TRIGGER_CLASS } from './registry.js';
import type { CloudRegistry } from './registry.js';
import { registerPushHook } from './push-hook-registration.js';
import { diffObjects } from './hook-results.js';
import { fromFriendly, toFriendly } from './typed-values.js';
import type {
  CloudObjectJSON,
  CloudQueryJSON,
  FileSaveResult,
  FunctionResult,
  HookRequestBase,
  HookServerConfig,
  JobOptions,
  JobRequest,
  PushHookName,
  Validator,
} from './types.js';

/**
 * Strata's typed cloud code API (`@strata/server/cloud`): the same hooks as `Parse.Cloud`, with plain typed
 * objects instead of `Parse.Object`s. An object is `{className, objectId?, createdAt?: Date, updatedAt?: Date,
 * ACL?, ...fields}`; dates are `Date`s everywhere, pointers / files / geo points stay their REST JSON
 * (`{"__type":"Pointer","className":…,"objectId":…}`). A beforeSave changes the object by assigning or
 * deleting keys of `request.object`; what changed is saved and echoed to the client.
 *
 * @example
 * import { beforeSave, defineFunction, StrataCloudError } from '@strata/server/cloud';
 *
 * beforeSave<{ title: string; slug?: string }>('Post', ({ object }) => {
 *   if (object.title.trim() === '') throw new StrataCloudError(142, 'A post needs a title.');
 *   object.slug = object.title.toLowerCase().replace(/\W+/g, '-');
 * });
 * defineFunction<{ a: number; b: number }, number>('add', ({ params }) => params.a + params.b, {
 *   fields: { a: { type: Number, required: true }, b: { type: Number, required: true } },
 * });
 */

/** An object as the typed API hands it to handlers. */
export type CloudObject<T extends object = Record<string, unknown>> = T & {
  className: string;
  objectId?: string;
  createdAt?: Date;
  updatedAt?: Date;
  ACL?: Record<string, { read?: boolean; write?: boolean }>;
};

/** What every handler receives about the caller (spec/cloud.md §3). */
export interface CloudCaller {
  readonly master: boolean;
  readonly isReadOnly: boolean;
  readonly user?: CloudObject;
  readonly sessionToken?: string;
  readonly installationId?: string;
  readonly ip?: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The client context; a before-trigger's writes reach the matching after-trigger. */
  readonly context: Record<string, unknown>;
  readonly log: Logger;
  /** The server's app id, mount path, URLs, app name and version (never a key); frozen. */
  readonly config?: HookServerConfig;
}

/**
 * A file as the `@File` triggers see it (`beforeSave('@File', ...)`...): the stored name, its type, size
 * (after the save), metadata and tags, and `url` once stored. In a beforeSave, assign `name`, `contentType`,
 * `metadata` or `tags` to store the upload differently (a new name gets its own unique prefix), or set `url`
 * to answer a file stored elsewhere without storing anything. The content cannot be replaced.
 */
export interface CloudFile {
  name: string;
  contentType?: string;
  readonly size?: number;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  url?: string;
}

export interface FunctionContext<P> extends CloudCaller {
  readonly functionName: string;
  readonly params: P;
  /** Answers with this HTTP status instead of 200. */
  status(code: number): void;
  /** Adds a response header. */
  header(name: string, value: string): void;
}

export interface SaveContext<T extends object> extends CloudCaller {
  /** beforeSave: the object as it will be saved; assign or delete keys to change it. */
  readonly object: CloudObject<T>;
  /** Updates: the object as stored before this write. */
  readonly original?: CloudObject<T>;
  /** The fields the client's write sets. */
  readonly dirtyKeys: readonly string[];
}

export interface DeleteContext<T extends object> extends CloudCaller {
  readonly object: CloudObject<T>;
}

/** A find as beforeFind sees it; change its fields to change the query. */
export interface CloudQuery {
  className: string;
  where: Record<string, unknown>;
  limit?: number;
  skip?: number;
  order?: string;
  keys?: string[];
  excludeKeys?: string[];
  include?: string[];
  hint?: unknown;
  explain?: boolean;
  comment?: string;
}

export interface BeforeFindContext extends CloudCaller {
  readonly query: CloudQuery;
  readonly count: boolean;
  readonly isGet: boolean;
}

export interface AfterFindContext<T extends object> extends CloudCaller {
  readonly objects: CloudObject<T>[];
  readonly query: CloudQuery;
  readonly isGet: boolean;
}

export interface JobContext<P> extends Omit<JobRequest, 'params'> {
  readonly params: P;
}

/**
 * `beforePush`: `push` (REST JSON: `where`, `data`, and `push_time` / `expiration_time` /
 * `expiration_interval` when sent) may be changed in place or replaced by returning a new one; it is
 * checked again like a `POST /push` body. Throw (e.g. a `StrataCloudError`) to refuse the push.
 */
export interface BeforePushContext extends CloudCaller {
  push: { where: Record<string, unknown>; data: Record<string, unknown>; [timing: string]: unknown };
  readonly source: string;
}

/** `afterPush`: the finished push's `_PushStatus` id, outcome and counts (runs on the worker, as master). */
export interface AfterPushContext extends CloudCaller {
  readonly pushStatusId: string;
  readonly status: 'succeeded' | 'failed';
  readonly numSent: number;
  readonly numFailed: number;
  readonly sentPerType: Readonly<Record<string, number>>;
  readonly failedPerType: Readonly<Record<string, number>>;
}

/** A Parse error to throw from a hook: the client receives this code and message. */
export class StrataCloudError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'StrataCloudError';
    this.code = code;
  }
}

type Awaitable<T> = T | Promise<T>;

export interface CloudAPI {
  defineFunction<P extends object = Record<string, unknown>, R = unknown>(
    name: string,
    handler: (request: FunctionContext<P>) => Awaitable<R>,
    validator?: Validator,
  ): void;
  beforeSave<T extends object = Record<string, unknown>>(
    className: string,
    handler: (request: SaveContext<T>) => Awaitable<void>,
    validator?: Validator,
  ): void;
  /** A returned object adds the fields that differ from the saved one to the client's response. */
  afterSave<T extends object = Record<string, unknown>>(
    className: string,
    handler: (request: SaveContext<T>) => Awaitable<CloudObject<T> | void>,
    validator?: Validator,
  ): void;
  beforeDelete<T extends object = Record<string, unknown>>(
    className: string,
    handler: (request: DeleteContext<T>) => Awaitable<void>,
    validator?: Validator,
  ): void;
  afterDelete<T extends object = Record<string, unknown>>(
    className: string,
    handler: (request: DeleteContext<T>) => Awaitable<void>,
    validator?: Validator,
  ): void;
  /** Change `request.query`, or return objects to answer without querying (re-read under the caller's ACL). */
  beforeFind<T extends object = Record<string, unknown>>(
    className: string,
    handler: (request: BeforeFindContext) => Awaitable<CloudObject<T>[] | void>,
    validator?: Validator,
  ): void;
  /** A returned array replaces the results. */
  afterFind<T extends object = Record<string, unknown>>(
    className: string,
    handler: (request: AfterFindContext<T>) => Awaitable<CloudObject<T>[] | void>,
    validator?: Validator,
  ): void;
  beforeLogin(
    handler: (request: DeleteContext<Record<string, unknown>>) => Awaitable<void>,
    validator?: Validator,
  ): void;
  afterLogin(
    handler: (request: DeleteContext<Record<string, unknown>>) => Awaitable<void>,
    validator?: Validator,
  ): void;
  /** `request.object` is the deleted `_Session`. */
  afterLogout(
    handler: (request: DeleteContext<Record<string, unknown>>) => Awaitable<void>,
    validator?: Validator,
  ): void;
  beforePasswordResetRequest(
    handler: (request: DeleteContext<Record<string, unknown>>) => Awaitable<void>,
    validator?: Validator,
  ): void;
  defineJob<P extends object = Record<string, unknown>>(
    name: string,
    handler: (request: JobContext<P>) => Awaitable<unknown>,
    options?: JobOptions,
  ): void;
  beforePush(
    handler: (request: BeforePushContext) => Awaitable<BeforePushContext['push'] | void>,
    validator?: Validator,
  ): void;
  afterPush(handler: (request: AfterPushContext) => Awaitable<void>, validator?: Validator): void;
}

function callerOf(request: HookRequestBase): CloudCaller {
  return {
    master: request.master,
    isReadOnly: request.isReadOnly,
    ...(request.user === undefined ? {} : { user: friendlyObject(request.user) }),
    ...(request.sessionToken === undefined ? {} : { sessionToken: request.sessionToken }),
    ...(request.installationId === undefined ? {} : { installationId: request.installationId }),
    ...(request.ip === undefined ? {} : { ip: request.ip }),
    headers: request.headers,
    // The same object, not a copy: writes here reach the after-trigger.
    context: request.context,
    log: request.log,
    ...(request.config === undefined ? {} : { config: request.config }),
  };
}

/** What a `@File` beforeSave changed on its `request.object`, as the protocol's replacement file. */
function fileChanges(before: CloudObjectJSON, after: Record<string, unknown>): FileSaveResult | undefined {
  const file: Record<string, unknown> = {};
  for (const key of ['name', 'contentType', 'metadata', 'tags', 'url'] as const) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key]) && after[key] !== undefined) file[key] = after[key];
  }
  return Object.keys(file).length === 0 ? undefined : { file: file as FileSaveResult['file'] };
}

function friendlyObject<T extends object>(json: CloudObjectJSON): CloudObject<T> {
  return toFriendly(json, { topLevel: true }) as CloudObject<T>;
}

function objectJSON(object: unknown, className: string): CloudObjectJSON {
  const json = fromFriendly(object, { topLevel: true }) as Record<string, unknown>;
  return { ...json, className: typeof json['className'] === 'string' ? json['className'] : className };
}

function withValidator(validator: Validator | undefined): { validator?: Validator } {
  return validator === undefined ? {} : { validator };
}

/** The typed API writing into `registry` (tests and embedders call this; cloud modules use the module functions). */
export function createCloudAPI(registry: CloudRegistry): CloudAPI {
  const objectTrigger = (options: {
    triggerName: 'beforeDelete' | 'afterDelete';
    className: string;
    handler: (request: DeleteContext<Record<string, unknown>>) => Awaitable<void>;
    validator: Validator | undefined;
  }): void => {
    const { handler } = options;
    registry.defineTrigger({
      triggerName: options.triggerName,
      className: options.className,
      source: 'strata',
      ...withValidator(options.validator),
      handler: async (request) => {
        await handler({ ...callerOf(request), object: friendlyObject(request.object) });
        return undefined;
      },
    });
  };
  const authTrigger = (
    triggerName: 'beforeLogin' | 'afterLogin' | 'afterLogout' | 'beforePasswordResetRequest',
    handler: (request: DeleteContext<Record<string, unknown>>) => Awaitable<void>,
    validator: Validator | undefined,
  ): void => {
    registry.defineTrigger({
      triggerName,
      className: triggerName === 'afterLogout' ? '_Session' : '_User',
      source: 'strata',
      ...withValidator(validator),
      handler: async (request) => {
        await handler({ ...callerOf(request), object: friendlyObject(request.object) });
        return undefined;
      },
    });
  };
  const pushHook = (options: {
    name: PushHookName;
    handler: (request: never) => Awaitable<unknown>;
    validator: Validator | undefined;
  }): void => {
    const { handler } = options;
    registerPushHook({
      registry,
      name: options.name,
      source: 'strata',
      validator: options.validator,
      call: {
        caller: callerOf,
        call: async (request) => handler(request as never),
        replaces: (returned) => typeof returned === 'object' && returned !== null,
      },
    });
  };
  return {
    defineFunction(name, handler, validator) {
      registry.defineFunction({
        name,
        source: 'strata',
        ...withValidator(validator),
        handler: async (request): Promise<FunctionResult> => {
          let status: number | undefined;
          const headers: Record<string, string> = {};
          const result = await handler({
            ...callerOf(request),
            functionName: request.functionName,
            params: toFriendly(request.params) as never,
            status: (code) => {
              status = code;
            },
            header: (headerName, value) => {
              headers[headerName] = value;
            },
          });
          return {
            result: fromFriendly(result),
            ...(status === undefined ? {} : { status }),
            ...(Object.keys(headers).length === 0 ? {} : { headers }),
          };
        },
      });
    },
    beforeSave(className, handler, validator) {
      registry.defineTrigger({
        triggerName: 'beforeSave',
        className,
        source: 'strata',
        ...withValidator(validator),
        handler: async (request) => {
          if (className === FILE_TRIGGER_CLASS) {
            // Files are plain JSON already (no dates): the handler edits a deep copy.
            const file = JSON.parse(JSON.stringify(request.object)) as Record<string, unknown>;
            await handler({ ...callerOf(request), object: file as never, dirtyKeys: request.dirtyKeys });
            return fileChanges(request.object, file);
          }
          const object = friendlyObject(request.object);
          await handler({
            ...callerOf(request),
            object: object as never,
            ...(request.original === undefined ? {} : { original: friendlyObject(request.original) as never }),
            dirtyKeys: request.dirtyKeys,
          });
          const changes = diffObjects(request.object, objectJSON(object, className));
          return Object.keys(changes).length === 0 ? undefined : { changes };
        },
      });
    },
    afterSave(className, handler, validator) {
      registry.defineTrigger({
        triggerName: 'afterSave',
        className,
        source: 'strata',
        ...withValidator(validator),
        handler: async (request) => {
          const returned = await handler({
            ...callerOf(request),
            object: friendlyObject(request.object) as never,
            ...(request.original === undefined ? {} : { original: friendlyObject(request.original) as never }),
            dirtyKeys: request.dirtyKeys,
          });
          return returned === undefined || returned === null ? undefined : objectJSON(returned, className);
        },
      });
    },
    beforeDelete: (className, handler, validator) =>
      objectTrigger({ triggerName: 'beforeDelete', className, handler: handler as never, validator }),
    afterDelete: (className, handler, validator) =>
      objectTrigger({ triggerName: 'afterDelete', className, handler: handler as never, validator }),
    beforeFind(className, handler, validator) {
      registry.defineTrigger({
        triggerName: 'beforeFind',
        className,
        source: 'strata',
        ...withValidator(validator),
        handler: async (request) => {
          const query = JSON.parse(JSON.stringify(request.query)) as CloudQuery;
          const answered = await handler({ ...callerOf(request), query, count: request.count, isGet: request.isGet });
          if (Array.isArray(answered)) return { objects: answered.map((o) => objectJSON(o, className)) };
          const changed = JSON.stringify(query) !== JSON.stringify(request.query);
          return changed ? { query: { ...(query as CloudQueryJSON), className } } : undefined;
        },
      });
    },
    afterFind(className, handler, validator) {
      registry.defineTrigger({
        triggerName: 'afterFind',
        className,
        source: 'strata',
        ...withValidator(validator),
        handler: async (request) => {
          const replaced = await handler({
            ...callerOf(request),
            objects: request.objects.map((o) => friendlyObject(o)) as never,
            query: JSON.parse(JSON.stringify(request.query)) as CloudQuery,
            isGet: request.isGet,
          });
          return Array.isArray(replaced) ? replaced.map((o) => objectJSON(o, className)) : undefined;
        },
      });
    },
    beforeLogin: (handler, validator) => authTrigger('beforeLogin', handler, validator),
    afterLogin: (handler, validator) => authTrigger('afterLogin', handler, validator),
    afterLogout: (handler, validator) => authTrigger('afterLogout', handler, validator),
    beforePasswordResetRequest: (handler, validator) => authTrigger('beforePasswordResetRequest', handler, validator),
    beforePush: (handler, validator) => pushHook({ name: 'beforePush', handler, validator }),
    afterPush: (handler, validator) => pushHook({ name: 'afterPush', handler, validator }),
    defineJob(name, handler, options) {
      registry.defineJob({
        name,
        source: 'strata',
        ...(options === undefined ? {} : { options }),
        handler: (request) => Promise.resolve(handler({ ...request, params: toFriendly(request.params) as never })),
      });
    },
  };
}

/** The API of the cloud code being loaded (`--cloud`, the test harness); outside a load, a clear error. */
function active(): CloudAPI {
  const registry = loadingRegistry();
  if (registry === undefined) {
    throw new Error(
      '@strata/server/cloud: hooks register only while Strata loads your cloud code (--cloud); in code, use createCloudAPI(registry).',
    );
  }
  return createCloudAPI(registry);
}

/** Registers `POST /functions/<name>`. The validator runs first. */
export const defineFunction: CloudAPI['defineFunction'] = (name, handler, validator) =>
  active().defineFunction(name, handler, validator);
export const beforeSave: CloudAPI['beforeSave'] = (className, handler, validator) =>
  active().beforeSave(className, handler, validator);
export const afterSave: CloudAPI['afterSave'] = (className, handler, validator) =>
  active().afterSave(className, handler, validator);
export const beforeDelete: CloudAPI['beforeDelete'] = (className, handler, validator) =>
  active().beforeDelete(className, handler, validator);
export const afterDelete: CloudAPI['afterDelete'] = (className, handler, validator) =>
  active().afterDelete(className, handler, validator);
export const beforeFind: CloudAPI['beforeFind'] = (className, handler, validator) =>
  active().beforeFind(className, handler, validator);
export const afterFind: CloudAPI['afterFind'] = (className, handler, validator) =>
  active().afterFind(className, handler, validator);
export const beforeLogin: CloudAPI['beforeLogin'] = (handler, validator) => active().beforeLogin(handler, validator);
export const afterLogin: CloudAPI['afterLogin'] = (handler, validator) => active().afterLogin(handler, validator);
export const afterLogout: CloudAPI['afterLogout'] = (handler, validator) => active().afterLogout(handler, validator);
export const beforePasswordResetRequest: CloudAPI['beforePasswordResetRequest'] = (handler, validator) =>
  active().beforePasswordResetRequest(handler, validator);
export const beforePush: CloudAPI['beforePush'] = (handler, validator) => active().beforePush(handler, validator);
export const afterPush: CloudAPI['afterPush'] = (handler, validator) => active().afterPush(handler, validator);
export const defineJob: CloudAPI['defineJob'] = (name, handler, options) => active().defineJob(name, handler, options);
