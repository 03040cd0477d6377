import { createHash, randomUUID } from 'node:crypto';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError, masterKeyRequired } from '../errors/index.js';
import type { Logger, PubSub } from '../infra/index.js';
import { MATCH_ALL } from '../query/index.js';
import type { Condition } from '../query/index.js';
import { defaultFieldsOf, isValidClassName } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { StorageAdapter, StoredObject } from '../storage/index.js';
import { assertName, assertTriggerAllowed } from './registry.js';
import type { CloudRegistry } from './registry.js';
import { TRIGGER_NAMES } from './types.js';
import type { TriggerName } from './types.js';
import { WebhookCaller } from './webhooks-call.js';
import type { WebhookCallSettings } from './webhooks-call.js';
import { buildOverlay } from './webhooks-handlers.js';
import type { FunctionHook, TriggerHook } from './webhooks-handlers.js';

/**
 * The webhooks registered through `/hooks` (spec/rest.md §18), kept in `_Hooks` as parse-server keeps
 * them (`{functionName, url}` / `{className, triggerName, url}`, no timestamps or ACL; mongo-layout.md
 * §3.13), and laid over the registry's in-process hooks. Every server loads them at start; a change made
 * on one server is announced over pub/sub and the others reload, so all of them call the same URLs.
 * Master key only: a webhook makes the server post requests to any URL, so only the app's owner may add one.
 */
export class WebhookStore {
  readonly #storage: StorageAdapter;
  readonly #registry: CloudRegistry;
  readonly #caller: WebhookCaller;
  readonly #onChange: () => void;
  /** `_Hooks` has a fixed definition and no stored schema. */
  readonly #schema: ClassSchema = Object.freeze({ className: '_Hooks', fields: defaultFieldsOf('_Hooks') });
  /** Reloads run one after another, so the last one installs the latest stored state. */
  #reloading: Promise<void> = Promise.resolve();

  constructor(options: {
    storage: StorageAdapter;
    registry: CloudRegistry;
    caller: WebhookCaller;
    onChange?: () => void;
  }) {
    this.#storage = options.storage;
    this.#registry = options.registry;
    this.#caller = options.caller;
    this.#onChange = options.onChange ?? (() => undefined);
  }

  /** Reads `_Hooks` and replaces the registry's webhook overlay with it. */
  reload(options: { logger?: Logger } = {}): Promise<void> {
    const run = async (): Promise<void> => {
      const { functions, triggers } = await this.#readAll(options.logger);
      this.#registry.setWebhooks(buildOverlay({ functions, triggers, caller: this.#caller }));
    };
    const next = this.#reloading.then(run, run);
    this.#reloading = next.catch(() => undefined);
    return next;
  }

  // ---- functions ----

  async listFunctions(options: { auth: Auth }): Promise<FunctionHook[]> {
    assertMaster(options.auth, { write: false });
    return (await this.#readAll()).functions;
  }

  async getFunction(options: { auth: Auth; functionName: string }): Promise<FunctionHook> {
    assertMaster(options.auth, { write: false });
    const found = await this.#findFunction(options.functionName);
    if (found === undefined) throw noFunction(options.functionName);
    return found;
  }

  async createFunction(options: { auth: Auth; functionName: unknown; url: unknown }): Promise<FunctionHook> {
    assertMaster(options.auth, { write: true });
    const hook = functionHook(options.functionName, options.url);
    const exists = `function name: ${hook.functionName} already exists`;
    if ((await this.#findFunction(hook.functionName)) !== undefined) {
      throw new ParseError(ErrorCode.WEBHOOK_ERROR, { message: exists });
    }
    await this.#insert({ id: `function:${hook.functionName}`, fields: { ...hook }, exists });
    await this.#changed();
    return hook;
  }

  async updateFunction(options: { auth: Auth; functionName: string; url: unknown }): Promise<FunctionHook> {
    assertMaster(options.auth, { write: true });
    const hook = functionHook(options.functionName, options.url);
    const matched = await this.#storage.updateMany({
      schema: this.#schema,
      where: functionWhere(hook.functionName),
      update: { fields: { url: { op: 'set', value: hook.url } }, updatedAt: new Date() },
    });
    if (matched === 0) throw noFunction(hook.functionName);
    await this.#changed();
    return hook;
  }

  async deleteFunction(options: { auth: Auth; functionName: string }): Promise<void> {
    assertMaster(options.auth, { write: true });
    const deleted = await this.#storage.deleteMany({
      schema: this.#schema,
      where: functionWhere(options.functionName),
    });
    if (deleted === 0) throw noFunction(options.functionName);
    await this.#changed();
  }

  // ---- triggers ----

  async listTriggers(options: { auth: Auth }): Promise<TriggerHook[]> {
    assertMaster(options.auth, { write: false });
    return (await this.#readAll()).triggers;
  }

  async getTrigger(options: { auth: Auth; className: string; triggerName: string }): Promise<TriggerHook> {
    assertMaster(options.auth, { write: false });
    const found = await this.#findTrigger(options.className, options.triggerName);
    if (found === undefined) throw noTrigger(options.className);
    return found;
  }

  async createTrigger(options: {
    auth: Auth;
    className: unknown;
    triggerName: unknown;
    url: unknown;
  }): Promise<TriggerHook> {
    assertMaster(options.auth, { write: true });
    const hook = triggerHook(options);
    const exists = `class ${hook.className} already has trigger ${hook.triggerName}`;
    if ((await this.#findTrigger(hook.className, hook.triggerName)) !== undefined) {
      throw new ParseError(ErrorCode.WEBHOOK_ERROR, { message: exists });
    }
    await this.#insert({ id: `trigger:${hook.triggerName}:${hook.className}`, fields: { ...hook }, exists });
    await this.#changed();
    return hook;
  }

  async updateTrigger(options: {
    auth: Auth;
    className: string;
    triggerName: string;
    url: unknown;
  }): Promise<TriggerHook> {
    assertMaster(options.auth, { write: true });
    const hook = triggerHook(options);
    const matched = await this.#storage.updateMany({
      schema: this.#schema,
      where: triggerWhere(hook.className, hook.triggerName),
      update: { fields: { url: { op: 'set', value: hook.url } }, updatedAt: new Date() },
    });
    if (matched === 0) throw noTrigger(hook.className);
    await this.#changed();
    return hook;
  }

  async deleteTrigger(options: { auth: Auth; className: string; triggerName: string }): Promise<void> {
    assertMaster(options.auth, { write: true });
    const deleted = await this.#storage.deleteMany({
      schema: this.#schema,
      where: triggerWhere(options.className, options.triggerName),
    });
    if (deleted === 0) throw noTrigger(options.className);
    await this.#changed();
  }

  // ---- storage ----

  async #changed(): Promise<void> {
    await this.reload();
    this.#onChange();
  }

  async #findFunction(functionName: string): Promise<FunctionHook | undefined> {
    const [row] = await this.#storage.find({ schema: this.#schema, where: functionWhere(functionName), limit: 1 });
    return row === undefined ? undefined : asFunction(row);
  }

  async #findTrigger(className: string, triggerName: string): Promise<TriggerHook | undefined> {
    const [row] = await this.#storage.find({
      schema: this.#schema,
      where: triggerWhere(className, triggerName),
      limit: 1,
    });
    return row === undefined ? undefined : asTrigger(row);
  }

  /**
   * Inserts with an id derived from the hook's name, so two servers creating the same hook at once cannot
   * both succeed: the second insert hits the first one's id (137) and answers "already exists".
   */
  async #insert(options: { id: string; fields: Record<string, string>; exists: string }): Promise<void> {
    const objectId = createHash('sha256').update(options.id).digest('hex').slice(0, 24);
    const object: StoredObject = { objectId, fields: options.fields };
    try {
      await this.#storage.insert({ schema: this.#schema, object });
    } catch (err) {
      if (err instanceof ParseError && err.code === ErrorCode.DUPLICATE_VALUE) {
        throw new ParseError(ErrorCode.WEBHOOK_ERROR, { message: options.exists, cause: err });
      }
      throw err;
    }
  }

  /**
   * Every stored hook, functions and triggers apart, sorted by name. A document no hook can come from (a
   * parse-server trigger type Strata has no equivalent of, a class the registry refuses) is skipped with a
   * warning: one odd row must not stop the server or hide the other hooks.
   */
  async #readAll(logger?: Logger): Promise<{ functions: FunctionHook[]; triggers: TriggerHook[] }> {
    const rows = await this.#storage.find({ schema: this.#schema, where: MATCH_ALL });
    const functions = new Map<string, FunctionHook>();
    const triggers = new Map<string, TriggerHook>();
    for (const row of rows) {
      try {
        const fn = asFunction(row);
        if (fn !== undefined) {
          if (!functions.has(fn.functionName)) functions.set(fn.functionName, fn);
          continue;
        }
        const trigger = asTrigger(row);
        if (trigger === undefined) {
          logger?.warn({ objectId: row.objectId }, 'skipping a _Hooks entry that is no hook');
          continue;
        }
        const key = `${trigger.className}\u0000${trigger.triggerName}`;
        if (!triggers.has(key)) triggers.set(key, trigger);
      } catch (err) {
        logger?.warn({ err, objectId: row.objectId }, 'skipping a _Hooks entry Strata cannot run');
      }
    }
    const byName = <T>(entries: Map<string, T>): T[] =>
      [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
    return { functions: byName(functions), triggers: byName(triggers) };
  }
}

/**
 * Builds the store, loads `_Hooks` into the registry and keeps it coherent across servers: a change here is
 * announced on `channel`; an announcement from another server makes this one reload.
 */
export async function createWebhookStore(options: {
  storage: StorageAdapter;
  registry: CloudRegistry;
  pubsub: PubSub;
  logger: Logger;
  settings: Omit<WebhookCallSettings, 'logger'>;
}): Promise<WebhookStore> {
  const { pubsub, logger } = options;
  const origin = randomUUID();
  const channel = 'hooks-changed';
  const store = new WebhookStore({
    storage: options.storage,
    registry: options.registry,
    caller: new WebhookCaller({ ...options.settings, logger }),
    onChange: () => {
      pubsub.publish(channel, origin).catch((err: unknown) => {
        logger.warn({ err }, 'could not announce a webhook change');
      });
    },
  });
  await store.reload({ logger });
  await pubsub.subscribe(channel, (message) => {
    if (message === origin) return;
    store.reload({ logger }).catch((err: unknown) => {
      logger.error({ err }, 'could not reload the webhooks after a change on another server');
    });
  });
  return store;
}

function assertMaster(auth: Auth, options: { write: boolean }): void {
  if (auth.kind === 'master') return;
  if (auth.kind === 'readOnlyMaster') {
    if (!options.write) return;
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
      message: 'The read-only master key cannot change webhooks.',
    });
  }
  throw masterKeyRequired();
}

const MAX_URL_LENGTH = 2048;

function invalidDeclaration(detail?: string): ParseError {
  return new ParseError(ErrorCode.WEBHOOK_ERROR, {
    message: detail === undefined ? 'invalid hook declaration' : `invalid hook declaration: ${detail}`,
  });
}

/** Only plain http(s) URLs: no other scheme reaches anything but a web server, and fetch refuses credentials. */
function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || url === '') throw invalidDeclaration();
  if (url.length > MAX_URL_LENGTH) throw invalidDeclaration(`the url is longer than ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidDeclaration('the url is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidDeclaration('the url must start with http:// or https://');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalidDeclaration('the url may not contain a user name or password');
  }
  return url;
}

function functionHook(functionName: unknown, url: unknown): FunctionHook {
  if (typeof functionName !== 'string' || functionName === '') throw invalidDeclaration();
  try {
    assertName(functionName, 'function');
    // Maps hold the hooks, but a name like these is never meant and is refused wherever names become keys.
    if (functionName === '__proto__' || functionName === 'constructor' || functionName === 'prototype')
      throw new Error();
  } catch {
    throw invalidDeclaration(`invalid function name ${JSON.stringify(functionName)}`);
  }
  return { functionName, url: checkUrl(url) };
}

function triggerHook(options: { className: unknown; triggerName: unknown; url: unknown }): TriggerHook {
  const { className, triggerName } = options;
  if (typeof className !== 'string' || className === '' || typeof triggerName !== 'string') {
    throw invalidDeclaration();
  }
  if (!(TRIGGER_NAMES as readonly string[]).includes(triggerName)) throw invalidDeclaration();
  if (!isValidClassName(className) || className.startsWith('_Join:')) {
    throw invalidDeclaration(`invalid class name ${JSON.stringify(className)}`);
  }
  try {
    assertTriggerAllowed(triggerName as TriggerName, className);
  } catch (err) {
    throw invalidDeclaration(err instanceof Error ? err.message : undefined);
  }
  return { className, triggerName: triggerName as TriggerName, url: checkUrl(options.url) };
}

function noFunction(functionName: string): ParseError {
  return new ParseError(ErrorCode.WEBHOOK_ERROR, { message: `no function named: ${functionName} is defined` });
}

function noTrigger(className: string): ParseError {
  return new ParseError(ErrorCode.WEBHOOK_ERROR, { message: `class ${className} does not exist` });
}

function functionWhere(functionName: string): Condition {
  return { kind: 'eq', path: ['functionName'], value: functionName };
}

function triggerWhere(className: string, triggerName: string): Condition {
  return {
    kind: 'and',
    conditions: [
      { kind: 'eq', path: ['className'], value: className },
      { kind: 'eq', path: ['triggerName'], value: triggerName },
    ],
  };
}

function asFunction(row: StoredObject): FunctionHook | undefined {
  const { functionName, url } = row.fields;
  if (typeof functionName !== 'string' || typeof url !== 'string') return undefined;
  return { functionName, url };
}

/** A stored trigger; throws when the registry would refuse it (checked on load, not only on create). */
function asTrigger(row: StoredObject): TriggerHook | undefined {
  const { className, triggerName, url } = row.fields;
  if (typeof className !== 'string' || typeof triggerName !== 'string' || typeof url !== 'string') return undefined;
  assertTriggerAllowed(triggerName as TriggerName, className);
  return { className, triggerName: triggerName as TriggerName, url };
}
