import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { Condition } from '../../query/index.js';
import type { StoredObject } from '../../storage/index.js';
import { requireMaster } from '../../auth/index.js';
import type { CoreDeps } from '../deps.js';
import type { OutputObject } from '../output.js';
import { createSession, revokeSessions, sessionSchema, sessionsOfUser } from './session-store.js';
import type { CreatedWith } from './session-store.js';
import { loadUser, shapeOwnUser } from './user-read.js';
import { assertLoginAllowed, checkAfterPassword, recordFailedLogin } from './user-login-guards.js';
import { runAfterLogout, runUserTrigger } from '../auth-hooks.js';
import type { RequestOrigin } from '../hook-caller.js';

/** Username / email and password as a client sent them (body, else query string); validated here. */
export interface PasswordCredentials {
  readonly auth: Auth;
  readonly username?: unknown;
  readonly email?: unknown;
  readonly password?: unknown;
  /** Master / maintenance only: log in although the email is not verified (security.md §9). */
  readonly ignoreEmailVerification?: unknown;
  /** Where the call came from, for the log-in triggers. */
  readonly origin?: RequestOrigin;
}

export interface LoggedIn {
  readonly user: OutputObject;
  readonly sessionToken: string;
}

const INVALID_LOGIN = 'Invalid username/password.';

/**
 * GET|POST /login (rest.md §6.2): check the password, open a session (closing the user's other sessions
 * on the same installation), answer the user as it reads itself plus the token.
 */
export async function logIn(deps: CoreDeps, request: PasswordCredentials): Promise<LoggedIn> {
  const user = await authenticate(deps, request);
  // beforeLogin sees a verified user and may still refuse: no session exists yet.
  await runUserTrigger(deps, { triggerName: 'beforeLogin', auth: request.auth, origin: request.origin, user });
  const installationId = request.auth.installationId;
  if (installationId !== undefined) {
    await revokeSessions(deps, {
      where: { kind: 'and', conditions: [sessionsOfUser(user.objectId), installationIs(installationId)] },
    });
  }
  const loggedIn = await openSession(deps, {
    user,
    createdWith: { action: 'login', authProvider: 'password' },
    installationId,
  });
  await runUserTrigger(deps, { triggerName: 'afterLogin', auth: request.auth, origin: request.origin, user });
  return loggedIn;
}

/** GET|POST /verifyPassword (rest.md §6.8): the same checks as log-in, no session. */
export async function verifyPassword(deps: CoreDeps, request: PasswordCredentials): Promise<OutputObject> {
  return shapeOwnUser(deps, await authenticate(deps, request));
}

/** POST /loginAs (rest.md §6.5): master key only (not read-only); a session for any user. */
export async function logInAs(deps: CoreDeps, request: { auth: Auth; userId?: unknown }): Promise<LoggedIn> {
  requireMaster(request.auth, { access: 'write' });
  const { userId } = request;
  if (typeof userId !== 'string' || userId === '') {
    throw new ParseError(ErrorCode.INVALID_VALUE, { message: 'userId must not be empty, null, or undefined' });
  }
  const user = await loadUser(deps, userId);
  if (user === undefined) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: 'user not found' });
  return openSession(deps, {
    user,
    createdWith: { action: 'login', authProvider: 'masterkey' },
    installationId: request.auth.installationId,
  });
}

/** GET /users/me: the caller's own user plus its session token; 209 without a session. */
export async function me(deps: CoreDeps, request: { auth: Auth }): Promise<LoggedIn> {
  const { auth } = request;
  if (auth.kind !== 'user') throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN);
  const user = await loadUser(deps, auth.userId);
  if (user === undefined) throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN);
  return { user: await shapeOwnUser(deps, user), sessionToken: auth.sessionToken };
}

/** POST /logout: deletes the caller's session (and evicts it everywhere); without a session, nothing. */
export async function logOut(deps: CoreDeps, request: { auth: Auth; origin?: RequestOrigin }): Promise<void> {
  const { auth } = request;
  if (auth.kind !== 'user') return;
  const where: Condition = { kind: 'eq', path: ['sessionToken'], value: auth.sessionToken };
  // afterLogout receives the deleted session: its last state, as the delete returned it.
  const [session] = await revokeSessions(deps, { where });
  if (session !== undefined && deps.cloud?.has('afterLogout', '_Session') === true) {
    await runAfterLogout(deps, { auth, origin: request.origin, schema: await sessionSchema(deps), session });
  }
}

/**
 * The password check shared by log-in and verifyPassword. Every failure answers the same 101, and an
 * unknown user still costs one bcrypt verification, so nothing tells whether the account exists.
 */
async function authenticate(deps: CoreDeps, request: PasswordCredentials): Promise<StoredObject> {
  const { username, email, password } = request;
  if (username === undefined && email === undefined) {
    throw new ParseError(ErrorCode.USERNAME_MISSING, { message: 'username/email is required.' });
  }
  if (password === undefined) throw new ParseError(ErrorCode.PASSWORD_MISSING, { message: 'password is required.' });
  const wellFormed =
    typeof password === 'string' &&
    (username === undefined || typeof username === 'string') &&
    (email === undefined || typeof email === 'string');
  const user = wellFormed
    ? await findLoginUser(deps, { username, email } as { username?: string; email?: string })
    : undefined;
  assertLoginAllowed(deps, user);
  const hash = user?.fields['_hashed_password'];
  const ok =
    typeof hash === 'string' && typeof password === 'string'
      ? await deps.users.hasher.verify(password, hash)
      : await deps.users.hasher.verifyAgainstNothing(typeof password === 'string' ? password : '');
  // A user whose ACL is `{}` cannot log in (security.md §3); existing sessions stay valid.
  const locked = user?.ACL !== undefined && Object.keys(user.ACL).length === 0;
  if (!ok && user !== undefined) await recordFailedLogin(deps, user);
  if (!ok || user === undefined || locked) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: INVALID_LOGIN });
  await checkAfterPassword(deps, {
    user,
    auth: request.auth,
    ignoreEmailVerification: request.ignoreEmailVerification,
  });
  return user;
}

/** `username` alone matches the username or the email field (the username match wins); both must match when both are given. */
async function findLoginUser(
  deps: CoreDeps,
  credentials: { username?: string; email?: string },
): Promise<StoredObject | undefined> {
  const schema = await deps.schemas.get('_User');
  if (schema === undefined) return undefined;
  const { username, email } = credentials;
  const eq = (field: string, value: string): Condition => ({ kind: 'eq', path: [field], value });
  let where: Condition;
  if (username !== undefined && email !== undefined) {
    where = { kind: 'and', conditions: [eq('username', username), eq('email', email)] };
  } else if (username !== undefined) {
    where = { kind: 'or', conditions: [eq('username', username), eq('email', username)] };
  } else {
    where = eq('email', email as string);
  }
  const rows = await deps.storage.find({ schema, where, limit: 2 });
  return rows.find((row) => row.fields['username'] === username) ?? rows[0];
}

async function openSession(
  deps: CoreDeps,
  options: { user: StoredObject; createdWith: CreatedWith; installationId: string | undefined },
): Promise<LoggedIn> {
  const session = await createSession(deps, {
    userId: options.user.objectId,
    createdWith: options.createdWith,
    installationId: options.installationId,
  });
  return { user: await shapeOwnUser(deps, options.user), sessionToken: session.fields['sessionToken'] as string };
}

function installationIs(installationId: string): Condition {
  return { kind: 'eq', path: ['installationId'], value: installationId };
}
