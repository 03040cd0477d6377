/**
 * The official Parse JS SDK (`parse/node`) as cloud code's global `Parse`, with its REST calls answered
 * in-process. The SDK is a process-wide singleton by design (Parse cloud code reads the global `Parse`), so
 * this is the one place Strata keeps process-level state: which app a call belongs to travels in an
 * `AsyncLocalStorage` entered around every Parse-API hook and around loading. A call made outside any cloud
 * context (e.g. a test process using the same SDK as a client) goes to the SDK's own HTTP controller.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { toParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import type { ParseBridge } from './parse-bridge.js';
import type { JsonObject } from './types.js';
import type { ParseSdk, SdkRestController, SdkRequestOptions } from './parse-sdk-types.js';

/** Whose cloud code is running: the app, and the logger of the request a hook serves (if any). */
interface ParseScope {
  readonly bridge: ParseBridge;
  readonly log?: Logger;
}

interface ParseRuntime {
  readonly sdk: ParseSdk;
  readonly context: AsyncLocalStorage<ParseScope>;
  readonly original: SdkRestController;
  /** The apps with cloud code loaded in this process. */
  readonly apps: Set<ParseBridge>;
}

/** The SDK's server URL when nobody configured one. */
const SDK_DEFAULT_SERVER_URL = 'https://api.parse.com/1';

// Kept on a global symbol: cloud code imported under its own module namespace gets fresh copies of Strata's
// ES modules, and every copy must share the one SDK instance and context.
const RUNTIME_KEY = Symbol.for('strata.cloud.parse-runtime');

/** The process's Parse SDK, its controller installed on first use. */
export function parseRuntime(): ParseRuntime {
  const holder = globalThis as unknown as Record<symbol, ParseRuntime | undefined>;
  const existing = holder[RUNTIME_KEY];
  if (existing !== undefined) return existing;
  const require = createRequire(import.meta.url);
  const sdk = require('parse/node') as ParseSdk;
  const original = sdk.CoreManager.getRESTController();
  const context = new AsyncLocalStorage<ParseScope>();
  const runtime: ParseRuntime = { sdk, context, original, apps: new Set() };
  sdk.CoreManager.setRESTController(inProcessController(runtime));
  holder[RUNTIME_KEY] = runtime;
  return runtime;
}

/**
 * Runs `fn` as `bridge`'s app: SDK calls inside it (and in what it schedules) reach that app, and the
 * operations they start log with `log` (the hook's request logger, so its request id) when given.
 */
export function runInParseApp<T>(bridge: ParseBridge, fn: () => T, log?: Logger): T {
  return parseRuntime().context.run(log === undefined ? { bridge } : { bridge, log }, fn);
}

/** The logger of the request the running hook serves, if any. */
export function currentHookLogger(): Logger | undefined {
  return parseRuntime().context.getStore()?.log;
}

/** The app of the cloud context the caller runs in, if any. */
export function currentParseApp(): ParseBridge | undefined {
  return parseRuntime().context.getStore()?.bridge;
}

function inProcessController(runtime: ParseRuntime): SdkRestController {
  return {
    ajax: (...args) => runtime.original.ajax(...args),
    // The SDK calls it positionally (method, path, data, options): its interface, not ours.
    request: (...args: Parameters<SdkRestController['request']>) => {
      const [method, path, data, options] = args;
      const scope = runtime.context.getStore() ?? scopeOutsideHooks(runtime);
      if (scope === undefined) return runtime.original.request(method, path, data, options);
      return requestInProcess({ runtime, scope, call: { method, path, data, options } });
    },
    handleError: (error) => runtime.original.handleError(error),
  };
}

/**
 * A call that lost its hook's context (e.g. made from a library's own callback queue): with the SDK pointed
 * nowhere (its default parse.com URL), the one app of this process answers it; with several, it fails
 * rather than guess. A process that set a server URL (a client, such as a test) keeps using it.
 */
function scopeOutsideHooks(runtime: ParseRuntime): ParseScope | undefined {
  if (runtime.sdk.CoreManager.get('SERVER_URL') !== SDK_DEFAULT_SERVER_URL) return undefined;
  const [only, ...others] = runtime.apps;
  if (only !== undefined && others.length === 0) return { bridge: only };
  throw new runtime.sdk.Error(
    runtime.sdk.Error.INVALID_JSON,
    'A Parse SDK call was made outside of a cloud code function, trigger or job, and this process serves several apps: make it inside one.',
  );
}

/** Tracks the apps with loaded cloud code (for calls that lost their hook's context). */
export function registerParseApp(bridge: ParseBridge): () => void {
  const { apps } = parseRuntime();
  apps.add(bridge);
  return () => {
    apps.delete(bridge);
  };
}

async function requestInProcess(options: {
  runtime: ParseRuntime;
  scope: ParseScope;
  call: { method: string; path: string; data: unknown; options: SdkRequestOptions | undefined };
}): Promise<unknown> {
  const { runtime, scope, call } = options;
  const { bridge } = scope;
  const { sdk } = runtime;
  const requestOptions = call.options ?? {};
  const method = call.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'DELETE') {
    throw new sdk.Error(sdk.Error.INVALID_JSON, `Unsupported method ${call.method}.`);
  }
  const path = `/${call.path.replace(/^\/+/, '')}`;
  // A copy: the route may keep or change what it is given, and the SDK may reuse its payload.
  let body = call.data === undefined || call.data === null ? {} : (JSON.parse(JSON.stringify(call.data)) as JsonObject);
  if (path === '/batch') body = rebaseBatchPaths({ body, sdk, mountPath: bridge.mountPath });
  const useMasterKey = requestOptions.useMasterKey ?? sdk.CoreManager.get('USE_MASTER_KEY') === true;
  try {
    const response = await bridge.dispatch({
      method,
      path,
      body,
      useMasterKey: useMasterKey === true,
      ...(scope.log === undefined ? {} : { log: scope.log }),
      ...(typeof requestOptions.sessionToken === 'string' ? { sessionToken: requestOptions.sessionToken } : {}),
      ...(typeof requestOptions.installationId === 'string' ? { installationId: requestOptions.installationId } : {}),
      ...(isJsonObject(requestOptions.context) ? { context: requestOptions.context } : {}),
    });
    const result = JSON.parse(JSON.stringify(response.body ?? {})) as JsonObject;
    if (requestOptions.returnStatus === true) {
      return { ...result, _status: response.status, _headers: response.headers ?? {} };
    }
    return result;
  } catch (err) {
    const error = toParseError(err);
    throw new sdk.Error(error.code, error.message);
  }
}

/**
 * `saveAll`/`destroyAll` put the SDK's server path in front of each sub-request (`/1/classes/X` when no
 * server URL is set); the batch route expects this app's mount path.
 */
function rebaseBatchPaths(options: { body: JsonObject; sdk: ParseSdk; mountPath: string }): JsonObject {
  const { body, sdk, mountPath } = options;
  const requests = body['requests'];
  if (!Array.isArray(requests)) return body;
  const serverURL = String(sdk.CoreManager.get('SERVER_URL') ?? '');
  const sdkPath = serverURL.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/\/+$/, '');
  const mount = mountPath === '/' ? '' : mountPath.replace(/\/+$/, '');
  const rebased = requests.map((item: unknown) => {
    if (!isJsonObject(item) || typeof item['path'] !== 'string') return item;
    const path = item['path'];
    const relative = sdkPath !== '' && path.startsWith(`${sdkPath}/`) ? path.slice(sdkPath.length) : path;
    return { ...item, path: `${mount}${relative.startsWith('/') ? '' : '/'}${relative}` };
  });
  return { ...body, requests: rebased };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
