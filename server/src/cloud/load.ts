/**
 * Loads the developer's cloud code module (`--cloud`): TypeScript or JavaScript, ESM or CommonJS, through
 * tsx's loader. Each load imports under its own tsx namespace, so the module and everything it imports run
 * afresh and register into this app's registry (two apps in one process, or a reload, each get their own
 * registrations). While it imports, the global `Parse` is the official SDK with `Parse.Cloud.*` pointed at
 * this app. A module that fails to import stops the start with the file and the error.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import type { ParseBridge } from './parse-bridge.js';
import { parseWithCloud } from './parse-cloud.js';
import { registerParseApp, runInParseApp } from './parse-runtime.js';
import { installConsoleBridge } from './load-console.js';
import { installServerModuleResolution } from './load-resolve.js';
import { withLoadingRegistry } from './load-context.js';
import { describeLoadError } from './load-errors.js';
import type { ParseSdk } from './parse-sdk-types.js';
import type { CloudRegistry } from './registry.js';
import type { RegisteredFunction, RegisteredJob, RegisteredPushHook, RegisteredTrigger } from './types.js';

export interface LoadedCloudCode {
  /** The absolute path of the module. */
  readonly file: string;
  /** Stops the module's loader namespace (on app close). */
  unload(): Promise<void>;
}

export interface LoadCloudOptions {
  /** Path of the module, relative to the working directory or absolute. */
  readonly file: string;
  readonly bridge: ParseBridge;
  /**
   * Entered around the import so module-level registration calls of other APIs (the typed API) reach this
   * app's registry; returns the function that leaves it.
   */
  readonly activate?: (registry: CloudRegistry) => () => void;
}

export async function loadCloudCode(options: LoadCloudOptions): Promise<LoadedCloudCode> {
  const file = resolve(options.file);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
      message: `--cloud ${options.file}: no such file (${file}).`,
    });
  }
  const { bridge } = options;
  const sdk = parseWithCloud();
  exposeGlobalParse({ sdk, bridge });
  installConsoleBridge();
  forgetCommonJsModules(dirname(file));
  installServerModuleResolution();
  const { register } = await import('tsx/esm/api');
  const api = register({ namespace: `strata-cloud-${randomUUID()}` });
  const before = snapshot(bridge.registry);
  const leave = options.activate?.(bridge.registry);
  bridge.setLoading(true);
  try {
    await withLoadingRegistry(bridge.registry, () =>
      runInParseApp(bridge, () => api.import(pathToFileURL(file).href, import.meta.url)),
    );
  } catch (err) {
    await api.unregister().catch(() => undefined);
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
      message: `--cloud ${options.file}: the cloud code failed to load: ${describeLoadError(err, dirname(file))}`,
      cause: err,
    });
  } finally {
    bridge.setLoading(false);
    leave?.();
  }
  enterContextForNewHooks({ bridge, before });
  bridge.logger.info({ file, ...counts(bridge.registry) }, 'cloud code loaded');
  const forget = registerParseApp(bridge);
  return {
    file,
    unload: () => {
      forget();
      return api.unregister();
    },
  };
}

/** Parse cloud code reads `Parse` as a global; the SDK knows its app id and master key as in Parse Server. */
function exposeGlobalParse(options: { sdk: ParseSdk; bridge: ParseBridge }): void {
  const { sdk, bridge } = options;
  const global = globalThis as unknown as Record<string, unknown>;
  global['Parse'] = sdk;
  // A process that already initialized the SDK (e.g. as a test client) keeps its settings; the in-process
  // controller does not read them.
  if (sdk.applicationId === undefined || sdk.applicationId === null) {
    sdk.initialize(bridge.appId, undefined, bridge.masterKey);
  }
}

/**
 * CommonJS modules are cached by path for the whole process, outside tsx's namespaces: drop the cached
 * copies under the cloud code's directory so a second load (another app, a reload) runs them again.
 */
function forgetCommonJsModules(directory: string): void {
  const require = createRequire(import.meta.url);
  const prefix = directory.endsWith(sep) ? directory : `${directory}${sep}`;
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(prefix) && !key.includes(`${sep}node_modules${sep}`)) delete require.cache[key];
  }
}

interface RegistrySnapshot {
  readonly functions: ReadonlySet<RegisteredFunction>;
  readonly triggers: ReadonlySet<RegisteredTrigger>;
  readonly jobs: ReadonlySet<RegisteredJob>;
  readonly pushHooks: ReadonlySet<RegisteredPushHook>;
}

function snapshot(registry: CloudRegistry): RegistrySnapshot {
  const list = registry.list();
  return {
    functions: new Set(list.functions),
    triggers: new Set(list.triggers),
    jobs: new Set(list.jobs),
    pushHooks: new Set(list.pushHooks),
  };
}

/**
 * Hooks the module registered through another API (the typed one) also run in this app's Parse context, so
 * a `Parse.Query` inside them reaches this server. Parse-API hooks enter it themselves.
 */
function enterContextForNewHooks(options: { bridge: ParseBridge; before: RegistrySnapshot }): void {
  const { bridge, before } = options;
  const { registry } = bridge;
  const list = registry.list();
  for (const fn of list.functions) {
    if (before.functions.has(fn) || fn.source === 'parse') continue;
    const handler = fn.handler;
    registry.defineFunction({
      ...fn,
      handler: (request) => runInParseApp(bridge, () => handler(request), request.log),
    });
  }
  for (const trigger of list.triggers) {
    if (before.triggers.has(trigger) || trigger.source === 'parse') continue;
    const handler = trigger.handler as unknown as (request: unknown) => Promise<unknown>;
    const wrapped = (request: unknown): Promise<unknown> =>
      runInParseApp(bridge, () => handler(request), (request as { log?: Logger }).log);
    registry.defineTrigger({ ...trigger, handler: wrapped as unknown as typeof trigger.handler });
  }
  for (const job of list.jobs) {
    if (before.jobs.has(job) || job.source === 'parse') continue;
    const handler = job.handler;
    registry.defineJob({ ...job, handler: (request) => runInParseApp(bridge, () => handler(request), request.log) });
  }
  for (const hook of list.pushHooks) {
    if (before.pushHooks.has(hook) || hook.source === 'parse') continue;
    const handler = hook.handler as unknown as (request: { log: Logger }) => Promise<unknown>;
    registry.definePushHook({
      ...hook,
      handler: ((request: { log: Logger }) =>
        runInParseApp(bridge, () => handler(request), request.log)) as unknown as typeof hook.handler,
    });
  }
}

function counts(registry: CloudRegistry): { functions: number; triggers: number; jobs: number } {
  const list = registry.list();
  return { functions: list.functions.length, triggers: list.triggers.length, jobs: list.jobs.length };
}
