import type { Auth } from '../auth/index.js';
import type { CloudObjectJSON } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { ClassSchema, ParseValue } from '../schema/index.js';
import type { StoredObject, UpdateOp, UpdateSpec } from '../storage/index.js';
import { assertClassAccess } from './access.js';
import { classRules, withClassRestriction, writeDeniedError } from './classes/index.js';
import type { CoreDeps } from './deps.js';
import type { SaveResult } from './output.js';
import { writeRelations } from './relations.js';
import type { RequestOrigin } from './hook-caller.js';
import { settle, updateObject } from './object-writes.js';
import { keptEchoes, runBeforeSave, saveHooksFor, storedToJSON } from './save-hooks.js';
import { echoFilter } from './write-echo.js';
import { applySchemaToWrite } from './schema-step.js';
import { permitWrite } from './write-access.js';
import { isRelationWrite } from './write-input.js';
import type { WriteInput } from './write-input.js';

export interface UpdateRequest {
  readonly auth: Auth;
  readonly className: string;
  readonly objectId: string;
  readonly input: WriteInput;
  /** Where the call came from, for cloud code (context, ip, headers). */
  readonly origin?: RequestOrigin;
}

/**
 * PUT /classes/:className/:objectId. The change is applied atomically by storage, guarded by the
 * caller's write ACL; an object that is missing or not writable answers 101, as Parse does. The update
 * publishes an `update` change (before and after); afterSave reacts to it before the response.
 */
export async function update(deps: CoreDeps, request: UpdateRequest): Promise<SaveResult> {
  checkAccess(request);
  const rules = classRules(request.className);
  const current = await deps.schemas.get(request.className);
  if (current === undefined) throw writeDeniedError(rules);
  // Checked against the schema before this write grows it: new fields need CLP `addField`.
  const permitted = await permitWrite({
    deps,
    auth: request.auth,
    schema: current,
    operation: 'update',
    where: { kind: 'eq', path: ['objectId'], value: request.objectId },
    input: request.input,
  });
  const where = withClassRestriction(permitted, { rules, auth: request.auth, access: 'write' });
  const hooks = await saveHooksFor(deps, request);
  let hooked: { input: WriteInput; echoed: Record<string, unknown> } = { input: request.input, echoed: {} };
  let original: CloudObjectJSON | undefined;
  if (hooks?.before === true) {
    // beforeSave sees the object as stored: fetched under the same write condition, so a caller who may not
    // write it gets 101 before any trigger runs (spec/cloud.md §2). Without a beforeSave there is no read: the
    // update itself returns the state before, for afterSave and the change feed.
    const [row] = await deps.storage.find({ schema: current, where, limit: 1 });
    if (row === undefined) throw writeDeniedError(rules);
    original = storedToJSON({ schema: current, stored: row, encode: hooks.encode });
    hooked = await runBeforeSave(deps, { hooks, input: request.input, original, signUp: false });
  }
  const context = { ...request, input: hooked.input, deps };
  // A system class may validate and rewrite the write first (e.g. `_User` hashes a new password).
  const input = rules.prepareUpdate === undefined ? hooked.input : await rules.prepareUpdate(context);
  const schema = await applySchemaToWrite({
    deps,
    auth: request.auth,
    className: request.className,
    input,
  });
  const spec = buildUpdateSpec({ schema, input });
  // The update, relation edges, then the change is published with the states before and after.
  const updated = await updateObject(deps, {
    schema,
    objectId: request.objectId,
    where,
    update: spec,
    relations: (storage) =>
      writeRelations({ storage, ownerClass: request.className, owningId: request.objectId, input }),
    write: {
      auth: request.auth,
      input,
      ...(hooks === undefined
        ? {}
        : {
            save: {
              hooks,
              schema,
              originalSchema: current,
              dirtyKeys: Object.keys(request.input.fields),
              ...(original === undefined ? {} : { original }),
            },
          }),
    },
  });
  if (updated === null) throw writeDeniedError(rules);
  const extra = rules.afterUpdate === undefined ? {} : await rules.afterUpdate({ ...context, input });
  const changedAfter = await settle(deps, updated.change);
  // Echoed minus what the caller may not read of the object (protectedFields), as on create.
  const readable = await echoFilter(deps, { auth: request.auth, schema, stored: updated.stored });
  return {
    objectId: request.objectId,
    updatedAt: spec.updatedAt,
    fields: {
      ...readable({ ...keptEchoes(hooked.echoed, input), ...operationResults(input, updated.stored) }),
      ...extra,
      ...readable(changedAfter),
    },
  };
}

function checkAccess(request: UpdateRequest): void {
  assertClassAccess({ auth: request.auth, className: request.className, operation: 'write' });
  classRules(request.className).beforeWrite?.({ auth: request.auth, input: request.input, isCreate: false });
}

function buildUpdateSpec(options: { schema: ClassSchema; input: WriteInput }): UpdateSpec {
  const { schema, input } = options;
  const fields: Record<string, UpdateOp> = {};
  for (const [key, write] of Object.entries(input.fields)) {
    if (isRelationWrite(write)) continue;
    const field = schema.fields[key];
    const clears = write.op === 'unset' || (write.op === 'set' && write.value === null);
    if (clears && field?.required === true) {
      throw new ParseError(ErrorCode.VALIDATION_ERROR, { message: `${key} is required` });
    }
    fields[key] = write;
  }
  Object.assign(fields, input.internal);
  return { fields, updatedAt: new Date(), ...(input.ACL === undefined ? {} : { ACL: input.ACL }) };
}

/** The resulting values of Increment / Add / AddUnique / Remove, which the response echoes (types.md §5). */
function operationResults(input: WriteInput, after: StoredObject): Record<string, unknown> {
  const echoed: Record<string, unknown> = {};
  for (const [key, write] of Object.entries(input.fields)) {
    if (write.op === 'increment' || write.op === 'add' || write.op === 'addUnique' || write.op === 'remove') {
      echoed[key] = readPath(after.fields, key);
    }
  }
  return echoed;
}

function readPath(fields: Record<string, ParseValue>, path: string): ParseValue | undefined {
  let node: ParseValue | undefined = fields as ParseValue;
  for (const part of path.split('.')) {
    if (
      node === null ||
      node === undefined ||
      typeof node !== 'object' ||
      Array.isArray(node) ||
      node instanceof Date
    ) {
      return undefined;
    }
    node = (node as Record<string, ParseValue>)[part];
  }
  return node;
}
