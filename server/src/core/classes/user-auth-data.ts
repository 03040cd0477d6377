import { ErrorCode, ParseError } from '../../errors/index.js';
import { randomString } from '../../lib/index.js';
import type { Condition } from '../../query/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';
import type { CoreDeps } from '../deps.js';
import type { WriteInput } from '../write-input.js';
import type { CreatedWith } from './session-store.js';
import { loadUserRow } from './user-email.js';

/**
 * Third-party log-in on `_User` (rest.md §6.10): validating `authData` with the configured providers,
 * finding the user a provider id belongs to, and the rules for linking and unlinking. Creating the user
 * or the session is left to sign-up and log-in.
 */

export type AuthDataMap = Readonly<Record<string, Readonly<Record<string, unknown>> | null>>;

const USERNAME_LENGTH = 25;

/** The `authData` a write sets, or undefined when it does not touch it; malformed values answer 252. */
function authDataOf(input: WriteInput, options: { isCreate: boolean }): AuthDataMap | undefined {
  const write = input.fields['authData'];
  if (write === undefined) return undefined;
  const value = write.op === 'set' ? write.value : undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    throw new ParseError(ErrorCode.UNSUPPORTED_SERVICE);
  }
  const map: Record<string, Readonly<Record<string, unknown>> | null> = {};
  for (const [name, data] of Object.entries(value as Record<string, unknown>)) {
    if (data === null && !options.isCreate) {
      map[name] = null;
      continue;
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ParseError(ErrorCode.UNSUPPORTED_SERVICE);
    }
    map[name] = data as Record<string, unknown>;
  }
  return map;
}

/** Each provider must be enabled (else 252) and must accept its data (its error, or 101). Unlinks skip. */
export async function validateAuthData(deps: CoreDeps, authData: AuthDataMap): Promise<void> {
  const providers = deps.accounts?.providers;
  for (const [name, data] of Object.entries(authData)) {
    if (data === null) continue;
    const provider = providers?.get(name);
    if (provider === undefined) throw new ParseError(ErrorCode.UNSUPPORTED_SERVICE);
    try {
      await provider.validateAuthData({ authData: data });
    } catch (err) {
      if (err instanceof ParseError) throw err;
      throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'Invalid authData.', cause: err });
    }
  }
}

/** Users holding any of the given provider ids (`authData.<p>.id`). */
async function usersWithAuthData(deps: CoreDeps, authData: AuthDataMap): Promise<StoredObject[]> {
  const schema = await deps.schemas.get('_User');
  if (schema === undefined) return [];
  const conditions: Condition[] = [];
  for (const [name, data] of Object.entries(authData)) {
    const id = data?.['id'];
    if (typeof id === 'string' || typeof id === 'number') {
      conditions.push({ kind: 'eq', path: ['authData', name, 'id'], value: id as ParseValue });
    }
  }
  if (conditions.length === 0) return [];
  const where: Condition = conditions.length === 1 ? (conditions[0] as Condition) : { kind: 'or', conditions };
  return deps.storage.find({ schema, where, limit: 2 });
}

/**
 * `POST /users` with authData: `login` when exactly one user holds one of the provider ids (after
 * validation), `signup` when none does (the create then gets a random username), 208 when several do.
 */
export async function resolveAuthDataSignUp(
  deps: CoreDeps,
  input: WriteInput,
): Promise<
  | { kind: 'login'; user: StoredObject; provider: string }
  | { kind: 'signup'; input: WriteInput; provider: string }
  | undefined
> {
  const authData = authDataOf(input, { isCreate: true });
  if (authData === undefined) return undefined;
  const names = Object.keys(authData);
  if (names.length === 0) throw new ParseError(ErrorCode.UNSUPPORTED_SERVICE);
  await validateAuthData(deps, authData);
  const provider = names[0] as string;
  const users = await usersWithAuthData(deps, authData);
  if (users.length > 1) throw new ParseError(ErrorCode.ACCOUNT_ALREADY_LINKED);
  if (users.length === 1) return { kind: 'login', user: users[0] as StoredObject, provider };
  const hasUsername = input.fields['username'] !== undefined;
  return {
    kind: 'signup',
    provider,
    input: hasUsername
      ? input
      : { ...input, fields: { ...input.fields, username: { op: 'set', value: randomString(USERNAME_LENGTH) } } },
  };
}

/**
 * `PUT /users/:id` with authData: validates the new providers, refuses ids already linked to another user
 * (208), and merges with the stored providers so the others stay linked; a provider set to null is
 * unlinked (the Mongo layout unsets its `_auth_data_<p>` key, reads drop null providers).
 */
export async function prepareAuthDataLink(
  deps: CoreDeps,
  options: { userId: string; input: WriteInput },
): Promise<WriteInput> {
  const authData = authDataOf(options.input, { isCreate: false });
  if (authData === undefined) return options.input;
  await validateAuthData(deps, authData);
  const others = (await usersWithAuthData(deps, authData)).filter((u) => u.objectId !== options.userId);
  if (others.length > 0) throw new ParseError(ErrorCode.ACCOUNT_ALREADY_LINKED);
  const user = await loadUserRow(deps, options.userId);
  const stored = user?.fields['authData'];
  const current = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? stored : {};
  const merged = { ...(current as Record<string, ParseValue>), ...(authData as Record<string, ParseValue>) };
  return { ...options.input, fields: { ...options.input.fields, authData: { op: 'set', value: merged } } };
}

/**
 * The sign-up session's `createdWith`, as parse-server writes it: `{"action":"signup","authProvider":"password"}`
 * for a username and password, but `{"action":"login","authProvider":"<providers>"}` (comma-joined) for a
 * sign-up through authData, anonymous included, since parse-server records any authData as a log-in.
 */
export function signUpCreatedWith(input: WriteInput): CreatedWith {
  const write = input.fields['authData'];
  if (write?.op !== 'set' || write.value === null || typeof write.value !== 'object') {
    return { action: 'signup', authProvider: 'password' };
  }
  const providers = Object.keys(write.value);
  if (providers.length === 0) return { action: 'signup', authProvider: 'password' };
  return { action: 'login', authProvider: providers.join(',') };
}

/**
 * A create carrying authData (the log-in case was answered before, by `logInWithAuthData`): validated,
 * 208 when the provider id already belongs to a user, and a random 25-char username when none is given.
 */
export async function prepareAuthDataSignUp(deps: CoreDeps, input: WriteInput): Promise<WriteInput> {
  const resolved = await resolveAuthDataSignUp(deps, input);
  if (resolved === undefined) return input;
  if (resolved.kind === 'login') throw new ParseError(ErrorCode.ACCOUNT_ALREADY_LINKED);
  return resolved.input;
}

/**
 * What an authData sign-up adds to the 201 answer: the username, which the server usually generated
 * (Parse echoes it only when generated; echoing a client-given one too is harmless).
 */
export function authDataSignUpEcho(input: WriteInput): Record<string, unknown> {
  const username = input.fields['username'];
  if (input.fields['authData'] === undefined || username?.op !== 'set') return {};
  return { username: username.value };
}
