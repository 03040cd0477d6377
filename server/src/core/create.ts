import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { randomString } from '../lib/index.js';
import type { ClassSchema, ParseValue } from '../schema/index.js';
import type { StoredObject } from '../storage/index.js';
import { assertClassAccess } from './access.js';
import { classRules } from './classes/index.js';
import type { CoreDeps } from './deps.js';
import type { SaveResult } from './output.js';
import { writeRelations } from './relations.js';
import type { RequestOrigin } from './hook-caller.js';
import { insertObject, settle } from './object-writes.js';
import { keptEchoes, runBeforeSave, saveHooksFor } from './save-hooks.js';
import { echoFilter } from './write-echo.js';
import { applySchemaToWrite } from './schema-step.js';
import { update } from './update.js';
import { permitCreate } from './write-access.js';
import { isRelationWrite, valueOnCreate } from './write-input.js';
import type { WriteInput } from './write-input.js';

const OBJECT_ID_LENGTH = 10;

export interface CreateRequest {
  readonly auth: Auth;
  readonly className: string;
  readonly input: WriteInput;
  /** Where the call came from, for cloud code (context, ip, headers). */
  readonly origin?: RequestOrigin;
}

/**
 * POST /classes/:className. Each step is named after what it does; reading this function tells the story.
 * Cloud code's beforeSave runs after the permission check and before the class rules and schema see the
 * write; the insert publishes a `create` change; afterSave reacts to it before the response.
 */
export async function create(deps: CoreDeps, request: CreateRequest): Promise<SaveResult> {
  checkAccess(request);
  const rules = classRules(request.className);
  // A system class may turn the create into an update (an installation registering again): no createdAt.
  const existing = await rules.existingForCreate?.({ deps, auth: request.auth, input: request.input });
  if (existing !== undefined) return update(deps, { ...request, objectId: existing });
  const permitted = await permitCreate({ deps, ...request });
  const objectId = randomString(OBJECT_ID_LENGTH);
  // beforeSave runs once the caller may create here, before the class rules and the schema see the write.
  const hooks = await saveHooksFor(deps, request);
  const hooked =
    hooks === undefined
      ? { input: permitted.input, echoed: {} }
      : await runBeforeSave(deps, { hooks, input: permitted.input, signUp: rules.createIsSignUp === true });
  const context = { deps, auth: request.auth, className: request.className, objectId, input: hooked.input };
  // A system class may validate and rewrite the write first (e.g. `_User` hashes the password).
  const input = rules.prepareCreate === undefined ? hooked.input : await rules.prepareCreate(context);
  const schema = await applySchemaToWrite({
    deps,
    auth: request.auth,
    className: request.className,
    input,
  });
  const { object, echoed } = buildObject(input, objectId);
  applyDefaults({ schema, object, echoed });
  // Insert, relation edges, then the create is published (and the commit reactions, e.g. a verification mail).
  const change = await insertObject(deps, {
    schema,
    object,
    relations: (storage) => writeRelations({ storage, ownerClass: request.className, owningId: objectId, input }),
    write: {
      auth: request.auth,
      input,
      ...(hooks === undefined ? {} : { save: { hooks, schema, dirtyKeys: Object.keys(request.input.fields) } }),
    },
  });
  const extra = rules.afterCreate === undefined ? {} : await rules.afterCreate({ ...context, input });
  // afterSave, once the class rules are done (a sign-up's session exists by then, as in Parse).
  const changedAfter = await settle(deps, change);
  // What beforeSave changed, operation results and afterSave's fields are echoed, minus what the caller may
  // not read of the object (protectedFields).
  const readable = await echoFilter(deps, { auth: request.auth, schema, stored: object });
  return {
    objectId: object.objectId,
    createdAt: object.createdAt as Date,
    updatedAt: object.updatedAt as Date,
    // A default ACL from the class's CLP is echoed, as Parse does (spec/security.md §4.5).
    fields: {
      ...(permitted.defaultedAcl === undefined ? {} : { ACL: permitted.defaultedAcl }),
      ...readable({ ...keptEchoes(hooked.echoed, input), ...echoed }),
      ...extra,
      ...readable(changedAfter),
    },
  };
}

function checkAccess(request: CreateRequest): void {
  assertClassAccess({ auth: request.auth, className: request.className, operation: 'write' });
  classRules(request.className).beforeWrite?.({ auth: request.auth, input: request.input, isCreate: true });
  if (request.input.objectId !== undefined) {
    throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: 'objectId is an invalid field name.' });
  }
}

/** The new object, with operations flattened as Parse does on create, and what the response echoes. */
function buildObject(input: WriteInput, objectId: string): { object: StoredObject; echoed: Record<string, unknown> } {
  const now = new Date();
  const fields: Record<string, ParseValue> = {};
  const echoed: Record<string, unknown> = {};
  for (const [key, write] of Object.entries(input.fields)) {
    if (isRelationWrite(write)) continue;
    const value = valueOnCreate(write);
    if (value === undefined) continue;
    setPath(fields, key, value);
    // Operation results are echoed back (types.md §5); plain values the client sent are not.
    if (write.op !== 'set') echoed[key] = value;
  }
  for (const [key, write] of Object.entries(input.internal ?? {})) {
    const value = valueOnCreate(write);
    if (value !== undefined) fields[key] = value;
  }
  const object: StoredObject = {
    objectId,
    createdAt: now,
    updatedAt: now,
    ...(input.ACL === undefined ? {} : { ACL: input.ACL }),
    fields,
  };
  return { object, echoed };
}

/** Schema `defaultValue`s fill missing fields and are echoed; `required` fields must then be present. */
function applyDefaults(options: { schema: ClassSchema; object: StoredObject; echoed: Record<string, unknown> }): void {
  const { schema, object, echoed } = options;
  for (const [name, field] of Object.entries(schema.fields)) {
    const current = object.fields[name];
    if ((current === undefined || current === null) && field.defaultValue !== undefined) {
      object.fields[name] = field.defaultValue;
      echoed[name] = field.defaultValue;
    }
    if (field.required === true && (object.fields[name] === undefined || object.fields[name] === null)) {
      throw new ParseError(ErrorCode.VALIDATION_ERROR, { message: `${name} is required` });
    }
  }
}

/** Sets `a.b.c` inside nested plain objects, creating the intermediate objects. */
function setPath(target: Record<string, ParseValue>, path: string, value: ParseValue): void {
  const parts = path.split('.');
  let node: Record<string, ParseValue> = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string;
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next) || next instanceof Date) {
      const created: Record<string, ParseValue> = {};
      node[key] = created;
      node = created;
    } else {
      node = next as Record<string, ParseValue>;
    }
  }
  node[parts[parts.length - 1] as string] = value;
}
