import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { StoredObject } from '../../storage/index.js';
import type { CoreDeps } from '../deps.js';
import type { OutputObject } from '../output.js';
import { shapeObject } from '../shape.js';
import { hideForeignUserFields } from './user.js';

/** Loads one `_User` row with full rights (server-internal fields included), or undefined. */
export async function loadUser(deps: CoreDeps, userId: string): Promise<StoredObject | undefined> {
  const schema = await deps.schemas.get('_User');
  if (schema === undefined) return undefined;
  const [row] = await deps.storage.find({ schema, where: { kind: 'eq', path: ['objectId'], value: userId }, limit: 1 });
  return row;
}

/** A user as it reads itself (log-in, sign-up, me): every public field, no internal `_` field. */
export async function shapeOwnUser(deps: CoreDeps, row: StoredObject): Promise<OutputObject> {
  const schema = await deps.schemas.get('_User');
  if (schema === undefined) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
  const self: Auth = { kind: 'user', userId: row.objectId, sessionToken: '' };
  const shaped = shapeObject({ schema, object: row, projection: {} });
  hideForeignUserFields(self, shaped);
  return shaped;
}
