/**
 * `Parse.Cloud.*` for existing Parse cloud code: each registration becomes a registry entry speaking the
 * hook protocol, with an adapter that turns the protocol's REST JSON into Parse SDK objects on the way in
 * (`request.object` with its dirty keys, `request.user` with its session token, `request.query` as a
 * `Parse.Query`) and reads the handler's changes and results back out. Handlers run inside their app's
 * Parse context, so SDK calls they make reach this server in-process.
 */
import { ErrorCode, ParseError } from '../errors/index.js';
import type { ParseBridge } from './parse-bridge.js';
import { callHandler } from './parse-call.js';
import type { UserHandler } from './parse-call.js';
import { decodeParams, encodeResult, isJsonObject } from './parse-convert.js';
import {
  adaptValidator,
  assertHandler,
  baseRequest,
  callTrigger,
  inScope,
  parseConfigView,
} from './parse-hook-request.js';
import { parseHttpRequest } from './parse-http-request.js';
import { defineParseLiveTrigger } from './parse-live.js';
import { currentParseApp, parseRuntime } from './parse-runtime.js';
import type { ParseSdk } from './parse-sdk-types.js';
import { defineTrigger } from './parse-triggers.js';
import { registerPushHook } from './push-hook-registration.js';
import { CONNECT_TRIGGER_CLASS, OBJECT_TRIGGER_NAMES } from './types.js';
import type { AuthTriggerName, FunctionRequest, FunctionResult, JobRequest, LiveTriggerName } from './types.js';

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
  const live = (options: {
    triggerName: LiveTriggerName;
    className: string;
    handler: UserHandler;
    validator: unknown;
  }) =>
    defineParseLiveTrigger({
      sdk,
      bridge: bridge(options.triggerName),
      ...options,
      base: (request) => baseRequest(sdk, request),
    });
  cloud['beforeConnect'] = (handler: UserHandler, validator?: unknown) =>
    live({ triggerName: 'beforeConnect', className: CONNECT_TRIGGER_CLASS, handler, validator });
  for (const triggerName of ['beforeSubscribe', 'afterLiveQueryEvent'] as const) {
    cloud[triggerName] = (target: unknown, handler: UserHandler, validator?: unknown) =>
      live({ triggerName, className: classNameOf(sdk, target), handler, validator });
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
  registerPushHook({
    registry: bridge.registry,
    name,
    source: 'parse',
    validator: adaptValidator({ sdk, bridge, validator: options.validator }),
    call: {
      caller: (request) => baseRequest(sdk, request),
      call: (request) => callTrigger({ handler, request }),
      replaces: (returned) => isJsonObject(returned) && isJsonObject(returned['data']),
      scope: (request, run) => inScope(bridge, request, run),
    },
  });
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

/** The SDK with `Parse.Cloud`'s registration API in place. */
export function parseWithCloud(): ParseSdk {
  const { sdk } = parseRuntime();
  installParseCloud(sdk);
  return sdk;
}
