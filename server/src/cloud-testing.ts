/**
 * The cloud code test harness (`@strata/server/testing`): unit-test a cloud function or trigger without HTTP.
 * It loads the module into an embedded Strata app on a temporary SQLite database — the same loader, registry,
 * runner and validators as a server — so `Parse.Query` and saves inside hooks work against real storage.
 *
 * @example
 * const cloud = await loadCloudForTest('./cloud/main.ts');
 * assert.equal(await cloud.run('hello', { params: { name: 'Ada' } }), 'Hello Ada');
 * const saved = await cloud.beforeSave('Todo', { object: { title: '  x ' } });
 * assert.equal(saved.object.title, 'x');
 * await cloud.close();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp, hookServerConfig } from './app.js';
import { CloudRunner, parseBridgeOf, parseWithCloud, runInParseApp } from './cloud/index.js';
import type { CloudObjectJSON, CloudRegistry, HookCaller, JsonObject, ParseBridge, SavePatch } from './cloud/index.js';
import { resolveOptions } from './config/index.js';
import type { Config } from './config/index.js';
import { ErrorCode, ParseError } from './errors/index.js';
import { createLogger } from './infra/index.js';
import type { Logger } from './infra/index.js';

/** Who calls, as a hook would see it. */
export interface TestCaller {
  /** A `Parse.User` (its session token is passed on) or the user's REST JSON. */
  readonly user?: unknown;
  readonly master?: boolean;
  readonly context?: JsonObject;
  readonly installationId?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SaveTriggerInput extends TestCaller {
  /** The object being saved: a `Parse.Object` (its pending changes are the write) or REST JSON (all fields). */
  readonly object: unknown;
  /** Updates: the object as stored before the write. */
  readonly original?: unknown;
}

export interface BeforeSaveOutcome {
  /** The object as it would be saved: the write with the trigger's changes applied (REST JSON). */
  readonly object: CloudObjectJSON;
  /** The trigger's changes on top of the write (REST values or `__op` operations). */
  readonly changes: JsonObject;
}

export interface JobOutcome {
  readonly result: unknown;
  readonly messages: readonly string[];
  readonly progress: readonly number[];
}

export interface CloudTestHarness {
  /** Calls a cloud function like `POST /functions/<name>`; resolves with its result (Parse types decoded). */
  run(name: string, options?: TestCaller & { params?: JsonObject }): Promise<unknown>;
  /** Runs the beforeSave of `className` (validator included); rejects with the ParseError a client would get. */
  beforeSave(className: string, input: SaveTriggerInput): Promise<BeforeSaveOutcome>;
  /** Runs the afterSave of `className`; resolves with what it returned (errors are logged, as on a server). */
  afterSave(className: string, input: SaveTriggerInput): Promise<CloudObjectJSON | undefined>;
  /** Runs the beforeDelete of `className`. */
  beforeDelete(className: string, input: TestCaller & { object: unknown }): Promise<void>;
  /**
   * Runs a job's handler directly (no queue, no `_JobStatus`): resolves with what it returned and the
   * messages and progress it reported; rejects with what it threw.
   */
  job(name: string, options?: { params?: JsonObject }): Promise<JobOutcome>;
  /** Runs `fn` as this app's cloud code: `Parse` calls inside it reach the embedded database (seed data). */
  withParse<T>(fn: () => Promise<T>): Promise<T>;
  /** Signs a user up in the embedded database and returns the `Parse.User` with its session token. */
  signUp(username: string, password: string, fields?: JsonObject): Promise<unknown>;
  close(): Promise<void>;
}

export interface LoadCloudForTestOptions {
  /** Milliseconds a function or trigger may run (default 30000, like a server). */
  readonly timeoutMs?: number;
  /** Extra options for the embedded app (e.g. `defaultLimit`). */
  readonly config?: Partial<Config>;
  readonly logger?: Logger;
}

export async function loadCloudForTest(file: string, options: LoadCloudForTestOptions = {}): Promise<CloudTestHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cloud-test-'));
  const logger = options.logger ?? createLogger({ level: 'silent' });
  let registry: CloudRegistry | undefined;
  const config: Config = {
    ...resolveOptions({ cwd: dir, env: {} }),
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    databaseURI: `sqlite:${join(dir, 'strata.db')}`,
    role: 'api',
    appId: 'cloud-test',
    masterKey: randomBytes(16).toString('hex'),
    allowClientClassCreation: true,
    logLevel: 'silent',
    ...options.config,
    cloud: file,
  };
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp({
      config,
      logger,
      cloudSetup: (cloud) => {
        registry = cloud;
      },
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const bridge = registry === undefined ? undefined : parseBridgeOf(registry);
  if (registry === undefined || bridge === undefined) throw new Error('the embedded app did not build its cloud code');
  // The embedded app never listens: `request.config.serverURL` is the public URL, or a local one with the mount path.
  const serverURL = config.publicServerURL ?? `http://localhost${config.mountPath}`;
  const runner = new CloudRunner({
    registry,
    timeoutMs: options.timeoutMs ?? config.cloudTimeout ?? 30_000,
    logger,
    serverConfig: () => hookServerConfig({ config, serverURL }),
  });
  return harness({ runner, bridge, logger, close: app.close, dir });
}

function harness(options: {
  runner: CloudRunner;
  bridge: ParseBridge;
  logger: Logger;
  close: () => Promise<void>;
  dir: string;
}): CloudTestHarness {
  const { runner, bridge, logger } = options;
  const sdk = parseWithCloud();
  const caller = (input: TestCaller): HookCaller => callerFor({ input, bridge, logger });
  return {
    async run(name, input = {}) {
      const result = await runner.runFunction({ name, params: input.params ?? {}, caller: caller(input) });
      return sdk._decode(undefined, result.result);
    },
    async beforeSave(className, input) {
      const write = saveInput({ className, input });
      const patch: SavePatch | undefined = await runner.beforeSave({ className, caller: caller(input), ...write });
      const changes = patch?.changes ?? {};
      return { object: applyChanges(write.object, changes), changes };
    },
    afterSave(className, input) {
      const write = saveInput({ className, input });
      return runner.afterSave({ className, caller: caller(input), ...write });
    },
    async beforeDelete(className, input) {
      await runner.deleteTrigger('beforeDelete', {
        className,
        caller: caller(input),
        object: objectJSON({ className, value: input.object }),
      });
    },
    async job(name, input = {}) {
      const job = runner.registry.job(name);
      if (job === undefined) throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'Invalid job.' });
      const messages: string[] = [];
      const progress: number[] = [];
      const result = await job.handler({
        jobName: name,
        jobId: randomBytes(5).toString('hex'),
        params: input.params ?? {},
        message: async (text) => void messages.push(text),
        progress: async (percent) => void progress.push(percent),
        headers: {},
        log: logger,
        signal: new AbortController().signal,
      });
      return { result, messages, progress };
    },
    withParse: (fn) => runInParseApp(bridge, fn),
    signUp: (username, password, fields = {}) =>
      runInParseApp(bridge, async () => {
        const User = (sdk as unknown as { User: new () => { signUp(attrs: JsonObject): Promise<unknown> } }).User;
        return new User().signUp({ ...fields, username, password });
      }),
    async close() {
      await options.close();
      rmSync(options.dir, { recursive: true, force: true });
    },
  };
}

function callerFor(options: { input: TestCaller; bridge: ParseBridge; logger: Logger }): HookCaller {
  const { input, bridge, logger } = options;
  const user = input.user === undefined ? undefined : userJSON(input.user);
  return {
    info: {
      master: input.master === true,
      isReadOnly: false,
      ...(user === undefined ? {} : { user: user.json }),
      ...(user?.sessionToken === undefined ? {} : { sessionToken: user.sessionToken }),
      ...(input.installationId === undefined ? {} : { installationId: input.installationId }),
      headers: input.headers ?? {},
    },
    context: { ...input.context },
    log: logger,
    roleNames: async () => {
      if (user?.json.objectId === undefined) return [];
      // The user's roles as the server resolves them for validators: `_Role`s whose `users` hold the user.
      return runInParseApp(bridge, async () => {
        const sdk = parseWithCloud() as unknown as {
          Query: new (className: string) => {
            equalTo(key: string, value: unknown): void;
            find(options: { useMasterKey: boolean }): Promise<Array<{ get(key: string): unknown }>>;
          };
        };
        const query = new sdk.Query('_Role');
        query.equalTo('users', { __type: 'Pointer', className: '_User', objectId: user.json.objectId });
        const roles = await query.find({ useMasterKey: true });
        return roles.map((role) => String(role.get('name')));
      });
    },
  };
}

function userJSON(value: unknown): { json: CloudObjectJSON; sessionToken?: string } {
  const record = value as { toJSON?: () => JsonObject; getSessionToken?: () => string | undefined };
  if (typeof record.toJSON === 'function' && typeof record.getSessionToken === 'function') {
    const token = record.getSessionToken();
    const json = { ...record.toJSON(), className: '_User' };
    delete (json as JsonObject)['sessionToken'];
    return { json, ...(token === undefined ? {} : { sessionToken: token }) };
  }
  if (typeof value !== 'object' || value === null) throw new TypeError('user: a Parse.User or its JSON');
  const json: JsonObject = { ...(value as JsonObject), className: '_User' };
  const token = json['sessionToken'];
  delete json['sessionToken'];
  return { json: json as CloudObjectJSON, ...(typeof token === 'string' ? { sessionToken: token } : {}) };
}

/** The protocol's view of a save: the stored object (original) with the write applied, and the written keys. */
function saveInput(options: { className: string; input: SaveTriggerInput }): {
  object: CloudObjectJSON;
  original?: CloudObjectJSON;
  dirtyKeys: string[];
} {
  const { className, input } = options;
  const original = input.original === undefined ? undefined : objectJSON({ className, value: input.original });
  const record = input.object as { dirtyKeys?: () => string[]; _getSaveJSON?: () => JsonObject };
  const written =
    typeof record.dirtyKeys === 'function' && typeof record._getSaveJSON === 'function'
      ? record.dirtyKeys()
      : Object.keys(objectJSON({ className, value: input.object })).filter(
          (key) => !['className', 'objectId', 'createdAt', 'updatedAt'].includes(key),
        );
  const object = { ...original, ...objectJSON({ className, value: input.object }), className } as CloudObjectJSON;
  return { object, ...(original === undefined ? {} : { original }), dirtyKeys: written };
}

function objectJSON(options: { className: string; value: unknown }): CloudObjectJSON {
  const { className, value } = options;
  const record = value as { toJSON?: () => JsonObject };
  if (typeof value === 'object' && value !== null && typeof record.toJSON === 'function') {
    return { ...record.toJSON(), className };
  }
  if (typeof value !== 'object' || value === null) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'object: a Parse.Object or its JSON' });
  }
  const json: JsonObject = { ...(value as JsonObject), className };
  delete json['__type'];
  return json as CloudObjectJSON;
}

/** The object after a beforeSave's changes (set values, `Delete`, `Increment`; other operations as given). */
function applyChanges(object: CloudObjectJSON, changes: JsonObject): CloudObjectJSON {
  const result: JsonObject = { ...object };
  for (const [key, change] of Object.entries(changes)) {
    const op = typeof change === 'object' && change !== null ? (change as JsonObject)['__op'] : undefined;
    if (op === 'Delete') delete result[key];
    else if (op === 'Increment') result[key] = (Number(result[key]) || 0) + Number((change as JsonObject)['amount']);
    else result[key] = change;
  }
  return result as CloudObjectJSON;
}
