/**
 * `Parse.Cloud.*` for existing Parse cloud code: each registration becomes a registry entry speaking the
 * hook protocol, with an adapter that turns the protocol's REST JSON into Parse SDK objects on the way in
 * (`request.object` with its dirty keys, `request.user` with its session token, `request.query` as a
 * `Parse.Query`) and reads the handler's changes and results back out. Handlers run inside their app's
 * Parse context, so SDK calls they make reach this server in-process.
 */
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import { CONFIG_TRIGGER_CLASS, FILE_TRIGGER_CLASS } from './registry.js';
import type { ParseBridge } from './parse-bridge.js';
import {
  decodeParams,
  encodeResult,
  fileRequest,
  fileSaveResult,
  toParseConfig,
  fromParseQuery,
  isJsonObject,
  readSavePatch,
  sameJSON,
  toDirtyParseObject,
  toObjectJSON,
  toParseObject,
  toParseQuery,
  toParseUser,
} from './parse-convert.js';
import { callHandler } from './parse-call.js';
import type { UserHandler } from './parse-call.js';
import { parseHttpRequest } from './parse-http-request.js';
import { currentParseApp, parseRuntime, runInParseApp } from './parse-runtime.js';
import type { SdkFile } from './parse-convert.js';
import type { ParseSdk, SdkObject, SdkQuery } from './parse-sdk-types.js';
import { defineParseLiveTrigger } from './parse-live.js';
import { CONNECT_TRIGGER_CLASS, OBJECT_TRIGGER_NAMES } from './types.js';
import type {
  AfterFindRequest,
  AfterPushRequest,
  BeforePushRequest,
  PushJSON,
  AuthTriggerName,
  AuthTriggerRequest,
  BeforeFindRequest,
  BeforeFindResult,
  CloudObjectJSON,
  DeleteTriggerRequest,
  FileSaveResult,
  FunctionRequest,
  FunctionResult,
  HookRequestBase,
  HookServerConfig,
  JobRequest,
  SaveTriggerRequest,
  TriggerHandler,
  TriggerName,
  Validator,
  ValidatorSpec,
} from './types.js';

/** A trigger's answer: the handler's value (status and headers mean nothing to triggers). */
function callTrigger(options: { handler: UserHandler; request: Record<string, unknown> }): Promise<unknown> {
  return callHandler(options).then((answer) => answer.value);
}

const UNSUPPORTED = [
  'onLiveQueryEvent',
  'beforeSaveFile',
  'afterSaveFile',
  'beforeDeleteFile',
  'afterDeleteFile',
] as const;

/**
 * Adds the registration API to the SDK's `Parse.Cloud` (which already has the client half: `run`,
 * `startJob`, `getJobStatus`). Each call registers into the app whose cloud code is loading.
 */
export function installParseCloud(sdk: ParseSdk): void {
  const cloud = sdk.Cloud;
  if (cloud['__strata'] === true) return;
  const bridge = (what: string): ParseBridge => {
    const app = currentParseApp();
    if (app === undefined) {
      throw new Error(`Parse.Cloud.${what} was called outside of cloud code loaded by a Strata server.`);
    }
    return app;
  };
  cloud['define'] = (name: string, handler: UserHandler, validator?: unknown) =>
    defineFunction({ sdk, bridge: bridge('define'), name, handler, validator });
  cloud['job'] = (name: string, handler: UserHandler) => defineJob({ sdk, bridge: bridge('job'), name, handler });
  for (const triggerName of OBJECT_TRIGGER_NAMES) {
    cloud[triggerName] = (target: unknown, handler: UserHandler, validator?: unknown) =>
      defineTrigger({
        sdk,
        bridge: bridge(triggerName),
        triggerName,
        className: classNameOf(sdk, target),
        handler,
        validator,
      });
  }
  const authTriggers: ReadonlyArray<[AuthTriggerName, string]> = [
    ['beforeLogin', '_User'],
    ['afterLogin', '_User'],
    ['afterLogout', '_Session'],
    ['beforePasswordResetRequest', '_User'],
  ];
  for (const [triggerName, defaultClass] of authTriggers) {
    cloud[triggerName] = (first: unknown, second?: unknown, third?: unknown) => {
      // Both `beforeLogin(fn, validator)` and `beforeLogin(Parse.User, fn, validator)` are Parse's forms.
      const classFirst = typeof first !== 'function' || isParseClass(sdk, first);
      const className = classFirst ? classNameOf(sdk, first) : defaultClass;
      defineTrigger({
        sdk,
        bridge: bridge(triggerName),
        triggerName,
        className,
        handler: (classFirst ? second : first) as UserHandler,
        validator: classFirst ? third : second,
      });
    };
  }
  // LiveQuery: `beforeConnect(fn)`, `beforeSubscribe(className, fn)`, `afterLiveQueryEvent(className, fn)`.
  cloud['beforeConnect'] = (handler: UserHandler, validator?: unknown) =>
    defineParseLiveTrigger({
      sdk,
      bridge: bridge('beforeConnect'),
      triggerName: 'beforeConnect',
      className: CONNECT_TRIGGER_CLASS,
      handler,
      validator,
      base: (request) => baseRequest(sdk, request),
    });
  for (const triggerName of ['beforeSubscribe', 'afterLiveQueryEvent'] as const) {
    cloud[triggerName] = (target: unknown, handler: UserHandler, validator?: unknown) =>
      defineParseLiveTrigger({
        sdk,
        bridge: bridge(triggerName),
        triggerName,
        className: classNameOf(sdk, target),
        handler,
        validator,
        base: (request) => baseRequest(sdk, request),
      });
  }
  cloud['beforePush'] = (handler: UserHandler, validator?: unknown) =>
    definePushHook({ sdk, bridge: bridge('beforePush'), name: 'beforePush', handler, validator });
  cloud['afterPush'] = (handler: UserHandler, validator?: unknown) =>
    definePushHook({ sdk, bridge: bridge('afterPush'), name: 'afterPush', handler, validator });
  cloud['useMasterKey'] = () => {
    // A no-op since Parse Server 2.3: pass `{ useMasterKey: true }` to the call that needs it.
  };
  cloud['httpRequest'] = (options: unknown) => parseHttpRequest(bridge('httpRequest').outbound, options);
  cloud['sendEmail'] = (data: unknown) => sendEmail(bridge('sendEmail'), data);
  for (const name of UNSUPPORTED) {
    cloud[name] = () => {
      throw new Error(`Parse.Cloud.${name} is not supported by Strata yet.`);
    };
  }
  cloud['__strata'] = true;
}

/** `Parse.Cloud.sendEmail({to, subject, text, html})`: a malformed message is refused before sending. */
async function sendEmail(bridge: ParseBridge, data: unknown): Promise<void> {
  const record = isJsonObject(data) ? data : {};
  const { to, subject, text, html } = record;
  if (typeof to !== 'string' || typeof subject !== 'string' || (typeof text !== 'string' && typeof html !== 'string')) {
    throw new Error('Parse.Cloud.sendEmail needs { to, subject, text or html } as strings.');
  }
  await bridge.sendEmail({
    to,
    subject,
    text: typeof text === 'string' ? text : String(html),
    ...(typeof html === 'string' ? { html } : {}),
  });
}

function defineFunction(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  name: string;
  handler: UserHandler;
  validator: unknown;
}): void {
  const { sdk, bridge, name, handler } = options;
  assertHandler(handler, `Parse.Cloud.define("${String(name)}")`);
  const validator = adaptValidator({ sdk, bridge, validator: options.validator });
  bridge.registry.defineFunction({
    name,
    source: 'parse',
    ...(validator === undefined ? {} : { validator }),
    handler: (request: FunctionRequest): Promise<FunctionResult> =>
      inScope(bridge, request, async () => {
        const parseRequest = {
          ...baseRequest(sdk, request),
          params: decodeParams(sdk, request.params),
          functionName: request.functionName,
        };
        const answer = await callHandler({ handler, request: parseRequest });
        return {
          result: encodeResult(sdk, answer.value),
          ...(answer.status === undefined ? {} : { status: answer.status }),
          ...(Object.keys(answer.headers).length === 0 ? {} : { headers: answer.headers }),
        };
      }),
  });
}

function defineJob(options: { sdk: ParseSdk; bridge: ParseBridge; name: string; handler: UserHandler }): void {
  const { sdk, bridge, name, handler } = options;
  assertHandler(handler, `Parse.Cloud.job("${String(name)}")`);
  bridge.registry.defineJob({
    name,
    source: 'parse',
    handler: (request: JobRequest) =>
      inScope(bridge, request, async () => {
        const result = await handler({
          params: decodeParams(sdk, request.params),
          jobName: request.jobName,
          jobId: request.jobId,
          message: (text: unknown) => request.message(String(text)),
          progress: (percent: number) => request.progress(percent),
          headers: request.headers,
          ip: request.ip,
          log: request.log,
          signal: request.signal,
          ...(request.config === undefined ? {} : { config: parseConfigView(request.config) }),
        });
        return typeof result === 'string' ? result : encodeResult(sdk, result);
      }),
  });
}

/**
 * `Parse.Cloud.beforePush(handler, validator?)` / `afterPush(...)` (Strata's, Parse Server has none): the
 * request carries the caller as every Parse hook request does. beforePush: `request.push` is a plain object
 * (`where`, `data`, and `push_time` / `expiration_time` / `expiration_interval` when sent) the handler may
 * change in place or replace by returning a new one; throwing refuses the push. afterPush: `pushStatusId`,
 * `status`, `numSent`, `numFailed`, `sentPerType`, `failedPerType`.
 */
function definePushHook(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  name: 'beforePush' | 'afterPush';
  handler: UserHandler;
  validator: unknown;
}): void {
  const { sdk, bridge, name, handler } = options;
  assertHandler(handler, `Parse.Cloud.${name}`);
  const validator = adaptValidator({ sdk, bridge, validator: options.validator });
  const extra = validator === undefined ? {} : { validator };
  if (name === 'beforePush') {
    bridge.registry.definePushHook({
      name,
      source: 'parse',
      ...extra,
      handler: (request: BeforePushRequest) =>
        inScope(bridge, request, async () => {
          const parseRequest = { ...baseRequest(sdk, request), push: request.push, source: request.source };
          const returned = await callTrigger({ handler, request: parseRequest });
          const push = isJsonObject(returned) && isJsonObject(returned['data']) ? returned : parseRequest.push;
          return { push: push as unknown as PushJSON };
        }),
    });
    return;
  }
  bridge.registry.definePushHook({
    name,
    source: 'parse',
    ...extra,
    handler: (request: AfterPushRequest) =>
      inScope(bridge, request, async () => {
        const { pushStatusId, status, numSent, numFailed, sentPerType, failedPerType } = request;
        await callTrigger({
          handler,
          request: {
            ...baseRequest(sdk, request),
            pushStatusId,
            status,
            numSent,
            numFailed,
            sentPerType,
            failedPerType,
          },
        });
        return undefined;
      }),
  });
}

function defineTrigger(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  triggerName: TriggerName;
  className: string;
  handler: UserHandler;
  validator: unknown;
}): void {
  const { sdk, bridge, triggerName, className, handler } = options;
  assertHandler(handler, `Parse.Cloud.${triggerName}("${className}")`);
  const validator = adaptValidator({ sdk, bridge, validator: options.validator });
  const special = className === FILE_TRIGGER_CLASS || className === CONFIG_TRIGGER_CLASS;
  const adapted = special
    ? specialTriggerAdapter({ sdk, bridge, className, handler })
    : triggerAdapter({ sdk, bridge, triggerName, handler });
  bridge.registry.defineTrigger({
    triggerName,
    className,
    source: 'parse',
    handler: adapted as TriggerHandler<typeof triggerName>,
    ...(validator === undefined ? {} : { validator }),
  });
}

function triggerAdapter(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  triggerName: TriggerName;
  handler: UserHandler;
}): (request: never) => Promise<unknown> {
  const { sdk, bridge, triggerName, handler } = options;
  const call = (request: Record<string, unknown>): Promise<unknown> => callTrigger({ handler, request });
  switch (triggerName) {
    case 'beforeSave':
      return (request: SaveTriggerRequest) =>
        inScope(bridge, request, async () => {
          const object = toDirtyParseObject(sdk, { object: request.object, dirtyKeys: request.dirtyKeys });
          await call({ ...objectRequest(sdk, request), object });
          return readSavePatch(object, { original: request.object, dirtyKeys: request.dirtyKeys });
        });
    case 'afterSave':
      return (request: SaveTriggerRequest) =>
        inScope(bridge, request, async () => toObjectJSON(sdk, await call(objectRequest(sdk, request))));
    case 'beforeDelete':
    case 'afterDelete':
      return (request: DeleteTriggerRequest) =>
        inScope(bridge, request, async () => {
          await call(objectRequest(sdk, request));
          return undefined;
        });
    case 'beforeFind':
      return (request: BeforeFindRequest) => inScope(bridge, request, () => beforeFind({ sdk, handler, request }));
    case 'afterFind':
      return (request: AfterFindRequest) =>
        inScope(bridge, request, async () => {
          const objects = request.objects.map((object) => toParseObject(sdk, object));
          const parseRequest = {
            ...baseRequest(sdk, request),
            objects,
            query: toParseQuery(sdk, request.query),
            isGet: request.isGet,
          };
          const result = await call(parseRequest);
          const list = Array.isArray(result) ? result : parseRequest.objects;
          return list.map((item) => toObjectJSON(sdk, item)).filter((item) => item !== undefined);
        });
    default:
      return (request: AuthTriggerRequest) =>
        inScope(bridge, request, async () => {
          const object = toParseObject(sdk, request.object);
          const extra = triggerName === 'afterLogin' ? { user: object } : {};
          await call({ ...baseRequest(sdk, request), object, ...extra });
          return undefined;
        });
  }
}

/**
 * `Parse.File` and `Parse.Config` triggers: the file as `request.file` (a `Parse.File`, with `fileSize`),
 * the config as `request.object` / `request.original` (`Parse.Config`s). They refuse by throwing. A file
 * beforeSave may return a different `Parse.File` (or change `request.file`'s metadata and tags), which is
 * stored instead; what other special triggers return is not used.
 */
function specialTriggerAdapter(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  className: string;
  handler: UserHandler;
}): (request: never) => Promise<FileSaveResult | undefined> {
  const { sdk, bridge, className, handler } = options;
  return (
    request: HookRequestBase & { triggerName: TriggerName; object: CloudObjectJSON; original?: CloudObjectJSON },
  ) =>
    inScope(bridge, request, async () => {
      const extra =
        className === FILE_TRIGGER_CLASS
          ? fileRequest(sdk, request.object)
          : {
              object: toParseConfig(sdk, request.object),
              ...(request.original === undefined ? {} : { original: toParseConfig(sdk, request.original) }),
            };
      const result = await callTrigger({
        handler,
        request: { ...baseRequest(sdk, request), triggerName: request.triggerName, ...extra },
      });
      if (className !== FILE_TRIGGER_CLASS || request.triggerName !== 'beforeSave') return undefined;
      return fileSaveResult({ sdk, returned: result, given: extra['file'] as SdkFile, object: request.object });
    });
}

async function beforeFind(options: {
  sdk: ParseSdk;
  handler: UserHandler;
  request: BeforeFindRequest;
}): Promise<BeforeFindResult> {
  const { sdk, handler, request } = options;
  const parseRequest: Record<string, unknown> = {
    ...baseRequest(sdk, request),
    query: toParseQuery(sdk, request.query),
    count: request.count,
    isGet: request.isGet,
  };
  const before = request.query;
  const result = await callTrigger({ handler, request: parseRequest });
  const ParseObject = sdk.Object as unknown as new (className: string) => SdkObject;
  // Returning objects answers the find without the database (re-checked for non-master callers).
  if (result instanceof ParseObject || (Array.isArray(result) && result.every((item) => item instanceof ParseObject))) {
    const list = Array.isArray(result) ? result : [result];
    return { objects: list.map((item) => toObjectJSON(sdk, item)).filter((item) => item !== undefined) };
  }
  const ParseQuery = sdk.Query as unknown as new (className: string) => SdkQuery;
  const query = result instanceof ParseQuery ? result : parseRequest['query'];
  if (!(query instanceof ParseQuery)) return undefined;
  const after: Record<string, unknown> = { ...fromParseQuery(query) };
  for (const key of ['readPreference', 'includeReadPreference', 'subqueryReadPreference']) {
    if (typeof parseRequest[key] === 'string') after[key] = parseRequest[key];
  }
  return sameJSON(after, { ...before }) ? undefined : { query: after as unknown as BeforeFindRequest['query'] };
}

/** The fields every Parse hook request carries (spec/cloud.md §3), `user` as a `Parse.User`. */
function baseRequest(sdk: ParseSdk, request: HookRequestBase): Record<string, unknown> {
  const user = toParseUser(sdk, { user: request.user, sessionToken: request.sessionToken });
  return {
    master: request.master,
    useMasterKey: request.master,
    isReadOnly: request.isReadOnly,
    ...(user === undefined ? {} : { user }),
    installationId: request.installationId,
    ip: request.ip,
    headers: request.headers,
    log: request.log,
    context: request.context,
    ...(request.config === undefined ? {} : { config: parseConfigView(request.config) }),
  };
}

/**
 * `request.config` with parse-server's names for what Strata shares (`applicationId`, `mount`, `serverURL`,
 * `publicServerURL`, `appName`) next to Strata's: read-only, and never a key.
 */
function parseConfigView(config: HookServerConfig): Readonly<Record<string, unknown>> {
  return Object.freeze({
    ...config,
    applicationId: config.appId,
    mount: config.serverURL,
  });
}

function objectRequest(sdk: ParseSdk, request: SaveTriggerRequest | DeleteTriggerRequest): Record<string, unknown> {
  const original =
    'original' in request && request.original !== undefined ? toParseObject(sdk, request.original) : undefined;
  return {
    ...baseRequest(sdk, request),
    triggerName: request.triggerName,
    object: toParseObject(sdk, request.object),
    ...(original === undefined ? {} : { original }),
  };
}

/**
 * Parse validators see Parse objects: a function validator gets the request as the handler would, and role
 * lists given as functions too. The object form's other rules work on the protocol's JSON as they are.
 */
function adaptValidator(options: { sdk: ParseSdk; bridge: ParseBridge; validator: unknown }): Validator | undefined {
  const { sdk, bridge, validator } = options;
  if (validator === undefined || validator === null) return undefined;
  const toParse = (request: HookRequestBase): Record<string, unknown> => {
    const record = request as unknown as Record<string, unknown>;
    const parseRequest: Record<string, unknown> = { ...record, ...baseRequest(sdk, request) };
    if (isJsonObject(record['params'])) parseRequest['params'] = decodeParams(sdk, record['params']);
    for (const key of ['object', 'original'] as const) {
      const value = record[key];
      if (isJsonObject(value) && typeof value['className'] === 'string') {
        parseRequest[key] = toParseObject(sdk, value as CloudObjectJSON);
      }
    }
    return parseRequest;
  };
  if (typeof validator === 'function') {
    const fn = validator as (request: Record<string, unknown>) => unknown;
    return async (request: HookRequestBase) => {
      await inScope(bridge, request, () => fn(toParse(request)));
    };
  }
  if (typeof validator !== 'object') return validator as Validator;
  const spec: Record<string, unknown> = { ...(validator as Record<string, unknown>) };
  for (const key of ['requireAnyUserRoles', 'requireAllUserRoles'] as const) {
    const roles = spec[key];
    if (typeof roles === 'function') {
      const fn = roles as (request: Record<string, unknown>) => unknown;
      spec[key] = async (request: HookRequestBase) =>
        (await inScope(bridge, request, () => fn(toParse(request)))) as readonly string[];
    }
  }
  return spec as ValidatorSpec;
}

/** `Parse.User` → `_User`, `Parse.File` → `@File`, `Parse.Config` → `@Config`, a subclass → its class. */
function classNameOf(sdk: ParseSdk, target: unknown): string {
  if (typeof target === 'string') return target;
  if (target === (sdk as unknown as Record<string, unknown>)['File']) return '@File';
  if (target === (sdk as unknown as Record<string, unknown>)['Config']) return '@Config';
  if (typeof target === 'function' || (typeof target === 'object' && target !== null)) {
    const record = target as { className?: unknown; prototype?: { className?: unknown } };
    if (typeof record.className === 'string') return record.className;
    if (typeof record.prototype?.className === 'string') return record.prototype.className;
  }
  throw new ParseError(ErrorCode.INVALID_CLASS_NAME, {
    message: `A trigger needs a class name or a Parse.Object subclass, got ${typeof target}.`,
  });
}

function isParseClass(sdk: ParseSdk, value: unknown): boolean {
  if (typeof value !== 'function') return false;
  const sdkRecord = sdk as unknown as Record<string, unknown>;
  if (value === sdkRecord['File'] || value === sdkRecord['Config']) return true;
  return typeof (value as { className?: unknown }).className === 'string';
}

/** Runs a hook in its app's Parse context, with the request's logger for the operations it starts. */
function inScope<T>(bridge: ParseBridge, request: { readonly log: Logger }, fn: () => T): T {
  return runInParseApp(bridge, fn, request.log);
}

function assertHandler(handler: unknown, where: string): void {
  if (typeof handler !== 'function') throw new Error(`${where} needs a handler function.`);
}

/** The SDK with `Parse.Cloud`'s registration API in place. */
export function parseWithCloud(): ParseSdk {
  const { sdk } = parseRuntime();
  installParseCloud(sdk);
  return sdk;
}
