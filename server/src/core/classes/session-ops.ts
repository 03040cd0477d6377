import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { CoreDeps } from '../deps.js';
import { updateObject } from '../object-writes.js';
import type { OutputObject } from '../output.js';
import { shapeObject } from '../shape.js';
import { createSession, sessionSchema } from './session-store.js';

/**
 * GET /sessions/me (rest.md §7): the session of the presented token, read with the server's rights.
 * Parse resolves no token for this route, so it answers its own 209 messages.
 */
export async function currentSession(
  deps: CoreDeps,
  request: { auth: Auth; sessionToken: string | undefined },
): Promise<OutputObject> {
  const token = request.auth.kind === 'user' ? request.auth.sessionToken : request.sessionToken;
  if (token === undefined) {
    throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, { message: 'Session token required.' });
  }
  const schema = await deps.schemas.get('_Session');
  const [row] =
    schema === undefined
      ? []
      : await deps.storage.find({ schema, where: { kind: 'eq', path: ['sessionToken'], value: token }, limit: 1 });
  if (schema === undefined || row === undefined) {
    throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, { message: 'Session token not found.' });
  }
  return shapeObject({ schema, object: row, projection: {} });
}

/**
 * POST /upgradeToRevocableSession (rest.md §7): a new revocable session for the caller
 * (`createdWith.action: "upgrade"`); the legacy token stored on the user is removed. No user → 101.
 */
export async function upgradeToRevocableSession(deps: CoreDeps, request: { auth: Auth }): Promise<OutputObject> {
  const { auth } = request;
  if (auth.kind !== 'user') throw new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: 'invalid session' });
  const session = await createSession(deps, {
    userId: auth.userId,
    createdWith: { action: 'upgrade' },
    installationId: auth.installationId,
  });
  const users = await deps.schemas.get('_User');
  if (users !== undefined) {
    await updateObject(deps, {
      schema: users,
      objectId: auth.userId,
      where: { kind: 'eq', path: ['objectId'], value: auth.userId },
      update: { fields: { _session_token: { op: 'unset' } }, updatedAt: deps.users.now() },
    });
  }
  return shapeObject({ schema: await sessionSchema(deps), object: session, projection: {} });
}
