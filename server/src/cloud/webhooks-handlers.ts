import { triggerKey } from './registry.js';
import type { WebhookOverlay } from './registry.js';
import type {
  AfterFindRequest,
  CloudObjectJSON,
  FunctionHandler,
  JsonObject,
  RegisteredFunction,
  RegisteredTrigger,
  SavePatch,
  SaveTriggerRequest,
  TriggerHandler,
  TriggerName,
} from './types.js';
import type { WebhookCaller } from './webhooks-call.js';

/**
 * Webhooks as hooks of the cloud protocol: each stored `_Hooks` entry becomes a function or trigger whose
 * handler posts the request to its URL and maps the answer back (spec/cloud.md §9). The registry's overlay
 * puts them over the in-process hooks of the same name.
 */
export interface FunctionHook {
  readonly functionName: string;
  readonly url: string;
}

export interface TriggerHook {
  readonly className: string;
  readonly triggerName: TriggerName;
  readonly url: string;
}

/** Fields a beforeSave webhook's object may not set: the server owns them (Parse strips the first three). */
const SERVER_FIELDS = new Set(['createdAt', 'updatedAt', 'className', 'objectId']);

export function buildOverlay(options: {
  functions: readonly FunctionHook[];
  triggers: readonly TriggerHook[];
  caller: WebhookCaller;
}): WebhookOverlay {
  const { caller } = options;
  const functions = new Map<string, RegisteredFunction>();
  for (const hook of options.functions) functions.set(hook.functionName, webhookFunction(hook, caller));
  const triggers = new Map<string, RegisteredTrigger>();
  for (const hook of options.triggers) {
    triggers.set(triggerKey(hook.triggerName, hook.className), webhookTrigger(hook, caller));
  }
  return { functions, triggers };
}

function webhookFunction(hook: FunctionHook, caller: WebhookCaller): RegisteredFunction {
  const what = `function "${hook.functionName}"`;
  const handler: FunctionHandler = async (request) => ({
    result: await caller.call({ url: hook.url, what, request }),
  });
  return { name: hook.functionName, handler, source: 'webhook' };
}

function webhookTrigger(hook: TriggerHook, caller: WebhookCaller): RegisteredTrigger {
  const what = `${hook.triggerName} of ${hook.className}`;
  const post = (request: object): Promise<unknown> => caller.call({ url: hook.url, what, request });
  const base = { triggerName: hook.triggerName, className: hook.className, source: 'webhook' as const };
  // Each branch builds a handler typed for its own trigger; the registry stores them under the common
  // type, as its own defineTrigger does.
  if (hook.triggerName === 'beforeSave') {
    const handler: TriggerHandler<'beforeSave'> = async (request) => savePatchFrom(request, await post(request));
    return { ...base, handler } as unknown as RegisteredTrigger;
  }
  if (hook.triggerName === 'afterFind') {
    const handler: TriggerHandler<'afterFind'> = async (request) => objectsFrom(request, await post(request));
    return { ...base, handler } as unknown as RegisteredTrigger;
  }
  // afterSave's answer could replace the response body, but Parse ignores a webhook's: so do we. The other
  // triggers return nothing (a beforeFind webhook cannot answer with a Parse.Query; Parse ignores it too).
  const handler = async (request: object): Promise<undefined> => {
    await post(request);
    return undefined;
  };
  return { ...base, handler } as unknown as RegisteredTrigger;
}

/**
 * A beforeSave webhook answers with the object to save; Parse strips createdAt/updatedAt/className and
 * saves the rest in place of the client's data. As a patch over the client's write: the fields the answer
 * sets differently, and the client's fields the answer left out go back to their stored value (unset on a
 * create). A non-object answer (`true`, nothing) saves the object unchanged.
 */
export function savePatchFrom(request: SaveTriggerRequest, answer: unknown): SavePatch | undefined {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return undefined;
  const result = answer as JsonObject;
  const changes: JsonObject = {};
  for (const [field, value] of Object.entries(result)) {
    if (SERVER_FIELDS.has(field) || isProtoKey(field)) continue;
    if (!jsonEqual(request.object[field], value)) changes[field] = value;
  }
  for (const field of request.dirtyKeys) {
    if (SERVER_FIELDS.has(field) || Object.hasOwn(result, field)) continue;
    const original = request.original;
    changes[field] = original !== undefined && Object.hasOwn(original, field) ? original[field] : { __op: 'Delete' };
  }
  return Object.keys(changes).length === 0 ? undefined : { changes };
}

/** An afterFind webhook may answer with the objects to return (REST JSON); anything else keeps them. */
function objectsFrom(request: AfterFindRequest, answer: unknown): CloudObjectJSON[] | undefined {
  if (!Array.isArray(answer)) return undefined;
  const className = request.query.className;
  return answer
    .filter((item): item is JsonObject => item !== null && typeof item === 'object' && !Array.isArray(item))
    .map((item) => ({ ...item, className }));
}

function isProtoKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}
