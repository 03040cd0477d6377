import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { assertClassAccess, withAcl } from './access.js';
import { classRules } from './classes/index.js';
import type { CoreDeps } from './deps.js';

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
  classRules(request.className).beforeDelete?.({ auth: request.auth });
  const schema = await deps.schemas.get(request.className);
  if (schema === undefined) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
  const where = withAcl({ kind: 'eq', path: ['objectId'], value: request.objectId }, request.auth, 'write');
  const deleted = await deps.storage.deleteMany({ schema, where });
  if (deleted === 0) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
}
