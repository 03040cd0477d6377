import type { Auth } from '../auth/index.js';
import { assertClassAccess } from './access.js';
import { classRules, withClassRestriction, writeDeniedError } from './classes/index.js';
import type { CoreDeps } from './deps.js';
import { objectToJSON } from './rest-json.js';
import type { DeleteTriggers } from './trigger-state.js';
import { findWithoutHooks } from './find.js';
import { deleteObjects, settle } from './object-writes.js';
import { encodeOptionsOf, hookCaller, hooksFor } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';
import { permitWrite } from './write-access.js';

export interface DeleteRequest {
  readonly auth: Auth;
  readonly className: string;
  readonly objectId: string;
  /** Where the call came from, for cloud code (context, ip, headers). */
  readonly origin?: RequestOrigin;
}

/**
 * DELETE /classes/:className/:objectId. Missing or not writable → 101. Relation edges pointing at the
 * object are left alone, as Parse does (no cascade).
 */
export async function destroy(deps: CoreDeps, request: DeleteRequest): Promise<void> {
  assertClassAccess({ auth: request.auth, className: request.className, operation: 'write' });
  const rules = classRules(request.className);
  rules.beforeDelete?.({ auth: request.auth });
  const schema = await deps.schemas.get(request.className);
  if (schema === undefined) throw writeDeniedError(rules);
  const permitted = await permitWrite({
    deps,
    auth: request.auth,
    schema,
    operation: 'delete',
    where: { kind: 'eq', path: ['objectId'], value: request.objectId },
  });
  const where = withClassRestriction(permitted, { rules, auth: request.auth, access: 'write' });
  const hooks = await deleteHooksFor(deps, request);
  if (hooks !== undefined) await hooks.run('beforeDelete');
  // The delete publishes a `delete` change with the object's last state.
  const [change] = await deleteObjects(deps, {
    schema,
    where,
    objectId: request.objectId,
    write: { auth: request.auth, ...(hooks === undefined ? {} : { deleteTriggers: hooks }) },
  });
  if (change === undefined) throw writeDeniedError(rules);
  await rules.afterDelete?.({ ...request, deps });
  // afterDelete reacts to it; its failure reaches the client although the object is gone, as in Parse.
  await settle(deps, change);
}

/**
 * beforeDelete / afterDelete, when the class has either: the object is first read with the caller's own
 * rights (missing or unreadable → 101 before any trigger), and both triggers share one caller and context.
 */
async function deleteHooksFor(deps: CoreDeps, request: DeleteRequest): Promise<DeleteTriggers | undefined> {
  const runner = hooksFor(deps, request.className);
  if (runner === undefined) return undefined;
  if (!runner.has('beforeDelete', request.className) && !runner.has('afterDelete', request.className)) return undefined;
  const { results } = await findWithoutHooks(deps, {
    auth: request.auth,
    className: request.className,
    where: { objectId: request.objectId },
    limit: 1,
  });
  const found = results[0];
  if (found === undefined) throw writeDeniedError(classRules(request.className));
  const object = objectToJSON(found, encodeOptionsOf(request.origin));
  const caller = await hookCaller(deps, { auth: request.auth, origin: request.origin });
  return {
    run: (triggerName) => runner.deleteTrigger(triggerName, { className: request.className, caller, object }),
  };
}
