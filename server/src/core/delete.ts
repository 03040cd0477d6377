import type { Auth } from '../auth/index.js';
import { assertClassAccess } from './access.js';
import { noteClassWrite } from './caller.js';
import { classRules, withClassRestriction, writeDeniedError } from './classes/index.js';
import type { CoreDeps } from './deps.js';
import { permitWrite } from './write-access.js';

export interface DeleteRequest {
  readonly auth: Auth;
  readonly className: string;
  readonly objectId: string;
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
  const deleted = await deps.storage.deleteMany({ schema, where });
  if (deleted === 0) throw writeDeniedError(rules);
  noteClassWrite(deps, request.className);
  await rules.afterDelete?.({ ...request, deps });
}
