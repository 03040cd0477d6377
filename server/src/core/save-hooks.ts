import type { Auth } from '../auth/index.js';
import type { CloudObjectJSON } from '../cloud/index.js';
import type { ClassSchema, EncodeOptions } from '../schema/index.js';
import type { SaveHooks } from './trigger-state.js';
import type { StoredObject } from '../storage/index.js';
import { pendingObjectJSON } from './pending-object.js';
import { objectFromJSON, objectToJSON } from './rest-json.js';
import { decodeWriteBody } from './decode-write.js';
import type { CoreDeps } from './deps.js';
import { encodeOptionsOf, hookCaller, hooksFor } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';
import { shapeObject } from './shape.js';
import type { WriteInput } from './write-input.js';

export type { SaveHooks } from './trigger-state.js';

/**
 * beforeSave / afterSave around create and update (spec/cloud.md §2). Only built when the class has a save
 * trigger, so a class without hooks pays nothing; the caller (user JSON, context) is built once and shared by
 * both triggers, so a beforeSave's writes to `context` reach the afterSave.
 */
export async function saveHooksFor(
  deps: CoreDeps,
  options: { auth: Auth; className: string; origin?: RequestOrigin | undefined },
): Promise<SaveHooks | undefined> {
  const runner = hooksFor(deps, options.className);
  if (runner === undefined) return undefined;
  const before = runner.has('beforeSave', options.className);
  const after = runner.has('afterSave', options.className);
  if (!before && !after) return undefined;
  return {
    runner,
    caller: await hookCaller(deps, { auth: options.auth, origin: options.origin }),
    encode: encodeOptionsOf(options.origin),
    className: options.className,
    before,
    after,
  };
}

/**
 * Runs beforeSave on the pending object and folds its changes into the write, decoded exactly like client
 * input. Answers the new write and what the response must echo of the trigger's changes (types.md §5: set
 * values, and `{"__op":"Delete"}` for removed fields).
 */
export async function runBeforeSave(
  deps: CoreDeps,
  options: { hooks: SaveHooks; input: WriteInput; original?: CloudObjectJSON; signUp: boolean },
): Promise<{ input: WriteInput; echoed: Record<string, unknown> }> {
  const { hooks, input, original } = options;
  if (!hooks.before) return { input, echoed: {} };
  const object = pendingObjectJSON({ className: hooks.className, base: original, input, encode: hooks.encode });
  const patch = await hooks.runner.beforeSave({
    className: hooks.className,
    caller: hooks.caller,
    object,
    ...(original === undefined ? {} : { original }),
    dirtyKeys: Object.keys(input.fields),
    signUp: options.signUp,
  });
  if (patch === undefined) return { input, echoed: {} };
  const changes = decodeWriteBody({ ...patch.changes }, { maxDepth: deps.options.maxNestingDepth });
  const echoed: Record<string, unknown> = {};
  for (const [key, write] of Object.entries(changes.fields)) {
    if (write.op === 'set') echoed[key] = write.value;
    else if (write.op === 'unset') echoed[key] = { __op: 'Delete' };
  }
  if (changes.ACL !== undefined) echoed['ACL'] = changes.ACL;
  return {
    input: {
      ...input,
      fields: { ...input.fields, ...changes.fields },
      ...(changes.ACL === undefined ? {} : { ACL: changes.ACL }),
    },
    echoed,
  };
}

/**
 * Runs afterSave on the object as saved. Its errors are only logged (by the runner); when it returns an
 * object, the fields that differ from the saved object are added to the response.
 */
export async function runAfterSave(
  deps: CoreDeps,
  options: {
    hooks: SaveHooks;
    schema: ClassSchema;
    saved: StoredObject;
    original?: CloudObjectJSON;
    dirtyKeys: readonly string[];
  },
): Promise<Record<string, unknown>> {
  const { hooks } = options;
  if (!hooks.after) return {};
  const object = storedToJSON({ schema: options.schema, stored: options.saved, encode: hooks.encode });
  const returned = await hooks.runner.afterSave({
    className: hooks.className,
    caller: hooks.caller,
    object,
    ...(options.original === undefined ? {} : { original: options.original }),
    dirtyKeys: options.dirtyKeys,
  });
  if (returned === undefined) return {};
  const differing: Record<string, unknown> = { className: hooks.className, objectId: options.saved.objectId };
  for (const key of Object.keys(returned)) {
    if (key === 'className' || key === 'objectId' || key === 'createdAt' || key === 'updatedAt') continue;
    const value = returned[key];
    if (value === null || value === undefined) continue;
    if (JSON.stringify(value) !== JSON.stringify((object as Record<string, unknown>)[key])) differing[key] = value;
  }
  try {
    const decoded = objectFromJSON(differing as CloudObjectJSON, {
      className: hooks.className,
      maxDepth: deps.options.maxNestingDepth,
    });
    return { ...decoded.fields, ...(decoded.ACL === undefined ? {} : { ACL: decoded.ACL }) };
  } catch (err) {
    hooks.caller.log.error({ err, className: hooks.className }, 'afterSave returned an object that cannot be sent');
    return {};
  }
}

/** A stored row as hooks see it: internal fields removed, REST JSON. */
export function storedToJSON(options: {
  schema: ClassSchema;
  stored: StoredObject;
  encode: EncodeOptions;
}): CloudObjectJSON {
  return objectToJSON(shapeObject({ schema: options.schema, object: options.stored, projection: {} }), options.encode);
}

/** beforeSave's echoes of fields the class rules kept (a `_User` password is hashed away, never echoed). */
export function keptEchoes(echoed: Record<string, unknown>, input: WriteInput): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(echoed)) {
    if (key === 'ACL' || Object.hasOwn(input.fields, key)) kept[key] = value;
  }
  return kept;
}
