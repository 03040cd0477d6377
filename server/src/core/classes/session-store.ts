import type { Auth } from '../../auth/index.js';
import { isRevocableToken, newSessionToken } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { randomString } from '../../lib/index.js';
import type { Condition } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ClassSchema, ParseValue } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';
import type { CoreDeps } from '../deps.js';
import { deleteObjects, insertObject } from '../object-writes.js';
import type { CachedSession } from './session-cache.js';

/**
 * `_Session` rows: creating one (sign-up, log-in, loginAs, POST /sessions, password change), resolving a
 * token to its user through the session cache, and revoking. Internal to core; the operations call it.
 */

export interface CreatedWith {
  readonly action: 'signup' | 'login' | 'create' | 'upgrade';
  readonly authProvider?: string;
}

export function sessionSchema(deps: CoreDeps): Promise<ClassSchema> {
  return deps.schemas.ensureFields({ className: '_Session', fields: {} });
}

export function userPointer(userId: string): Pointer {
  return new Pointer('_User', userId);
}

/** Inserts a new session for `userId` and returns it (the token is in `fields.sessionToken`). */
export async function createSession(
  deps: CoreDeps,
  options: {
    userId: string;
    /** How the session came to be; none for the session a password change hands out, as parse-server. */
    createdWith: CreatedWith | undefined;
    installationId?: string | undefined;
    /** Extra fields (POST /sessions copies the body's). */
    extra?: Record<string, ParseValue>;
  },
): Promise<StoredObject> {
  const schema = await sessionSchema(deps);
  const now = deps.users.now();
  const lengthMs = deps.users.sessionLengthMs;
  const object: StoredObject = {
    objectId: randomString(10),
    createdAt: now,
    updatedAt: now,
    fields: {
      ...options.extra,
      sessionToken: newSessionToken(),
      user: userPointer(options.userId),
      ...(options.createdWith === undefined ? {} : { createdWith: { ...options.createdWith } }),
      ...(lengthMs === undefined ? {} : { expiresAt: new Date(now.getTime() + lengthMs) }),
      ...(options.installationId === undefined ? {} : { installationId: options.installationId }),
    },
  };
  await insertObject(deps, { schema, object });
  return object;
}

/**
 * The caller a session token stands for: 209 "Invalid session token" when no session has it, 209
 * "Session token is expired." after `expiresAt` (checked on every request, cached or not).
 */
export async function resolveSession(
  deps: CoreDeps,
  options: { sessionToken: string; installationId?: string | undefined },
): Promise<Auth> {
  const { sessionToken, installationId } = options;
  let session = deps.users.sessionCache.get(sessionToken);
  if (session === undefined) {
    session = await loadSession(deps, sessionToken);
    deps.users.sessionCache.set(sessionToken, session);
  }
  if (session.expiresAt !== undefined && session.expiresAt.getTime() <= deps.users.now().getTime()) {
    throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, { message: 'Session token is expired.' });
  }
  return {
    kind: 'user',
    userId: session.userId,
    sessionToken,
    ...(installationId === undefined ? {} : { installationId }),
  };
}

async function loadSession(deps: CoreDeps, sessionToken: string): Promise<CachedSession> {
  const schema = await deps.schemas.get('_Session');
  const [row] =
    schema === undefined
      ? []
      : await deps.storage.find({
          schema,
          where: { kind: 'eq', path: ['sessionToken'], value: sessionToken },
          limit: 1,
        });
  const user = row?.fields['user'];
  if (row === undefined || !(user instanceof Pointer)) {
    if (!isRevocableToken(sessionToken)) return loadLegacySession(deps, sessionToken);
    throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, { message: 'Invalid session token' });
  }
  const expiresAt = row.fields['expiresAt'];
  return {
    sessionId: row.objectId,
    userId: user.objectId,
    expiresAt: expiresAt instanceof Date ? expiresAt : undefined,
  };
}

/**
 * A legacy (pre-revocable, non-`r:`) token lives on the user as `_session_token`; it never expires and is
 * only good for `upgradeToRevocableSession` and ordinary requests until then.
 */
async function loadLegacySession(deps: CoreDeps, sessionToken: string): Promise<CachedSession> {
  const schema = await deps.schemas.get('_User');
  const [user] =
    schema === undefined
      ? []
      : await deps.storage.find({
          schema,
          where: { kind: 'eq', path: ['_session_token'], value: sessionToken },
          keys: ['objectId'],
          limit: 1,
        });
  if (user === undefined) throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, { message: 'Invalid session token' });
  return { sessionId: `legacy:${user.objectId}`, userId: user.objectId, expiresAt: undefined };
}

/**
 * Deletes the sessions matching `where`; returns them as they were. Each delete is published, and the session
 * cache drops them (here and on every server) as a subscriber of those changes.
 */
export async function revokeSessions(deps: CoreDeps, options: { where: Condition }): Promise<StoredObject[]> {
  const schema = await deps.schemas.get('_Session');
  if (schema === undefined) return [];
  return (await deleteObjects(deps, { schema, where: options.where })).map((change) => change.event.before);
}

export function sessionsOfUser(userId: string): Condition {
  return { kind: 'eq', path: ['user'], value: userPointer(userId) };
}
