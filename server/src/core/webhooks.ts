import { createHash } from 'node:crypto';
import { requireMaster } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { TRIGGER_NAMES, assertHookName, assertTriggerAllowed } from '../cloud/index.js';
import type { FunctionHook, TriggerHook, TriggerName, WebhookSource } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import { MATCH_ALL } from '../query/index.js';
import type { Condition } from '../query/index.js';
import { defaultFieldsOf, isValidClassName } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { StorageAdapter, StoredObject } from '../storage/index.js';
import type { CoreDeps } from './deps.js';
import { deleteObjects, insertObject, updateObject } from './object-writes.js';
import type { ObjectWriteDeps } from './object-writes.js';

export type { WebhookChanges } from './deps.js';

/**
 * The webhooks registered through `/hooks` (spec/rest.md §18) as operations, kept in `_Hooks` as
 * parse-server keeps them (`{functionName, url}` / `{className, triggerName, url}`, no timestamps or ACL;
 * mongo-layout.md §3.13). Master key only: a webhook makes the server post requests to any URL, so only the
 * app's owner may add one; the read-only master key may list them. After a change, cloud's webhook overlay
 * reloads here and on every other server (`deps.webhooks.changed()`). Invalid, duplicate and missing hooks
 * answer 143. Writes go through core's object writes (`object-writes.ts`), so each is on the change feed.
 */

/** `_Hooks` has a fixed definition and no stored schema. */
const HOOKS_SCHEMA: ClassSchema = Object.freeze({ className: '_Hooks', fields: defaultFieldsOf('_Hooks') });
const CHANGE_WEBHOOKS = 'change webhooks';

type HookRequest<T = object> = { readonly auth: Auth } & T;

// ---- functions ----

export async function listFunctionHooks(deps: CoreDeps, request: HookRequest): Promise<FunctionHook[]> {
  requireMaster(request.auth, { access: 'read' });
  return (await readHooks({ storage: deps.storage })).functions;
}

export async function getFunctionHook(
  deps: CoreDeps,
  request: HookRequest<{ functionName: string }>,
): Promise<FunctionHook> {
  requireMaster(request.auth, { access: 'read' });
  const found = await findFunction(deps.storage, request.functionName);
  if (found === undefined) throw noFunction(request.functionName);
  return found;
}

export async function createFunctionHook(
  deps: CoreDeps,
  request: HookRequest<{ functionName: unknown; url: unknown }>,
): Promise<FunctionHook> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_WEBHOOKS });
  const hook = functionHook(request.functionName, request.url);
  const exists = `function name: ${hook.functionName} already exists`;
  if ((await findFunction(deps.storage, hook.functionName)) !== undefined) {
    throw new ParseError(ErrorCode.WEBHOOK_ERROR, { message: exists });
  }
  await insertHook(deps, { id: `function:${hook.functionName}`, fields: { ...hook }, exists });
  await deps.webhooks?.changed();
  return hook;
}

export async function updateFunctionHook(
  deps: CoreDeps,
  request: HookRequest<{ functionName: string; url: unknown }>,
): Promise<FunctionHook> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_WEBHOOKS });
  const hook = functionHook(request.functionName, request.url);
  const matched = await setHookURL(deps, { where: functionWhere(hook.functionName), url: hook.url });
  if (matched === 0) throw noFunction(hook.functionName);
  await deps.webhooks?.changed();
  return hook;
}

export async function deleteFunctionHook(
  deps: CoreDeps,
  request: HookRequest<{ functionName: string }>,
): Promise<void> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_WEBHOOKS });
  const deleted = await deleteObjects(deps, { schema: HOOKS_SCHEMA, where: functionWhere(request.functionName) });
  if (deleted.length === 0) throw noFunction(request.functionName);
  await deps.webhooks?.changed();
}

// ---- triggers ----

export async function listTriggerHooks(deps: CoreDeps, request: HookRequest): Promise<TriggerHook[]> {
  requireMaster(request.auth, { access: 'read' });
  return (await readHooks({ storage: deps.storage })).triggers;
}

export async function getTriggerHook(
  deps: CoreDeps,
  request: HookRequest<{ className: string; triggerName: string }>,
): Promise<TriggerHook> {
  requireMaster(request.auth, { access: 'read' });
  const found = await findTrigger(deps.storage, request);
  if (found === undefined) throw noTrigger(request.className);
  return found;
}

export async function createTriggerHook(
  deps: CoreDeps,
  request: HookRequest<{ className: unknown; triggerName: unknown; url: unknown }>,
): Promise<TriggerHook> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_WEBHOOKS });
  const hook = triggerHook(request);
  const exists = `class ${hook.className} already has trigger ${hook.triggerName}`;
  if ((await findTrigger(deps.storage, hook)) !== undefined) {
    throw new ParseError(ErrorCode.WEBHOOK_ERROR, { message: exists });
  }
  await insertHook(deps, { id: `trigger:${hook.triggerName}:${hook.className}`, fields: { ...hook }, exists });
  await deps.webhooks?.changed();
  return hook;
}

export async function updateTriggerHook(
  deps: CoreDeps,
  request: HookRequest<{ className: string; triggerName: string; url: unknown }>,
): Promise<TriggerHook> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_WEBHOOKS });
  const hook = triggerHook(request);
  const matched = await setHookURL(deps, { where: triggerWhere(hook), url: hook.url });
  if (matched === 0) throw noTrigger(hook.className);
  await deps.webhooks?.changed();
  return hook;
}

export async function deleteTriggerHook(
  deps: CoreDeps,
  request: HookRequest<{ className: string; triggerName: string }>,
): Promise<void> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_WEBHOOKS });
  const deleted = await deleteObjects(deps, { schema: HOOKS_SCHEMA, where: triggerWhere(request) });
  if (deleted.length === 0) throw noTrigger(request.className);
  await deps.webhooks?.changed();
}

// ---- storage ----

/** Cloud's `WebhookSource`: what the webhook overlay loads at start and after every change. */
export function createWebhookSource(options: { storage: StorageAdapter }): WebhookSource {
  return { readAll: (read) => readHooks({ storage: options.storage, ...read }) };
}

async function findFunction(storage: StorageAdapter, functionName: string): Promise<FunctionHook | undefined> {
  const [row] = await storage.find({ schema: HOOKS_SCHEMA, where: functionWhere(functionName), limit: 1 });
  return row === undefined ? undefined : asFunction(row);
}

async function findTrigger(
  storage: StorageAdapter,
  where: { className: string; triggerName: string },
): Promise<TriggerHook | undefined> {
  const [row] = await storage.find({ schema: HOOKS_SCHEMA, where: triggerWhere(where), limit: 1 });
  return row === undefined ? undefined : asTrigger(row);
}

/**
 * Inserts with an id derived from the hook's name, so two servers creating the same hook at once cannot
 * both succeed: the second insert hits the first one's id (137) and answers "already exists".
 */
async function insertHook(
  deps: ObjectWriteDeps,
  options: { id: string; fields: Record<string, string>; exists: string },
): Promise<void> {
  const objectId = createHash('sha256').update(options.id).digest('hex').slice(0, 24);
  const object: StoredObject = { objectId, fields: options.fields };
  try {
    await insertObject(deps, { schema: HOOKS_SCHEMA, object });
  } catch (err) {
    if (err instanceof ParseError && err.code === ErrorCode.DUPLICATE_VALUE) {
      throw new ParseError(ErrorCode.WEBHOOK_ERROR, { message: options.exists, cause: err });
    }
    throw err;
  }
}

/**
 * Sets the url of the hooks matching `where`; answers how many matched. Each write names the hook by `where`
 * rather than by id: a document parse-server wrote has an ObjectId `_id`, which no objectId string matches. A
 * database with duplicates (two documents of one hook) gets each updated: a document already holding the new url
 * no longer matches the write.
 */
async function setHookURL(deps: CoreDeps, options: { where: Condition; url: string }): Promise<number> {
  const rows = await deps.storage.find({ schema: HOOKS_SCHEMA, where: options.where });
  const stale: Condition = {
    kind: 'and',
    conditions: [options.where, { kind: 'ne', path: ['url'], value: options.url }],
  };
  for (const row of rows) {
    await updateObject(deps, {
      schema: HOOKS_SCHEMA,
      objectId: row.objectId,
      where: stale,
      update: { fields: { url: { op: 'set', value: options.url } }, updatedAt: deps.users.now() },
    });
  }
  return rows.length;
}

/**
 * Every stored hook, functions and triggers apart, sorted by name. A document no hook can come from (a
 * parse-server trigger type Strata has no equivalent of, a class the registry refuses) is skipped with a
 * warning: one odd row must not stop the server or hide the other hooks.
 */
async function readHooks(options: {
  storage: StorageAdapter;
  logger?: Logger;
}): Promise<{ functions: FunctionHook[]; triggers: TriggerHook[] }> {
  const { logger } = options;
  const rows = await options.storage.find({ schema: HOOKS_SCHEMA, where: MATCH_ALL });
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

// ---- declarations ----

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
    assertHookName(functionName, 'function');
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

function triggerWhere(hook: { className: string; triggerName: string }): Condition {
  return {
    kind: 'and',
    conditions: [
      { kind: 'eq', path: ['className'], value: hook.className },
      { kind: 'eq', path: ['triggerName'], value: hook.triggerName },
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
