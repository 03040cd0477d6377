import { isMasterLike, writesAsMaster } from '../../auth/index.js';
import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ACL } from '../../schema/index.js';
import type { OutputObject } from '../output.js';
import type { WriteInput } from '../write-input.js';
import { assertEmail, assertPassword, assertUnique, assertUsername, setValueOf } from './user-fields.js';
import type { ClassRules, WriteContext } from './rules.js';
import { createSession, revokeSessions, sessionsOfUser } from './session-store.js';
import { authDataSignUpEcho, prepareAuthDataLink, prepareAuthDataSignUp, signUpCreatedWith } from './user-auth-data.js';
import { prepareUserCreate, prepareUserUpdate, signUpSessionAllowed } from './user-write-hooks.js';

/**
 * `_User` rules (rest.md §6): sign-up validation, the password stored only as a bcrypt hash, the user's
 * own read/write in its ACL, a session on sign-up, sessions revoked on password change and delete, 206 for
 * writes without the right session, and `authData` shown only to the user itself.
 */
export const userRules: ClassRules = {
  createIsSignUp: true,
  beforeWrite({ auth, input }) {
    // The master and maintenance keys may mark an email verified; clients never can.
    if (writesField(input, 'emailVerified') && !writesAsMaster(auth)) {
      throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
    }
    assertNoServerOwnedField(input);
  },

  async prepareCreate(original) {
    // Again after beforeSave, which sees the write first: a trigger cannot set them either.
    assertNoServerOwnedField(original.input);
    // Email verification, password policy and third-party sign-up (user-write-hooks, user-auth-data).
    const context = {
      ...original,
      input: await prepareAuthDataSignUp(original.deps, prepareUserCreate(original.deps, original.input)),
    };
    const { input } = context;
    const username = setValueOf(input, 'username');
    const password = setValueOf(input, 'password');
    const email = setValueOf(input, 'email');
    // Third-party sign-ups (authData) bring neither; their rules check the provider instead.
    if (!('authData' in input.fields)) {
      assertUsername(username);
      assertPassword(password);
    } else {
      if (username !== undefined) assertUsername(username);
      if (password !== undefined) assertPassword(password);
    }
    if (email !== undefined) assertEmail(email);
    await assertUnique(context.deps, { username: username as string | undefined, email: email as string | undefined });
    return withHashedPassword(context, {
      password: password as string | undefined,
      // Parse 9 (enforcePrivateUsers): a new user is readable and writable by itself only, unless the
      // client gave an ACL; either way the user keeps read/write on itself.
      ACL: withSelf(input.ACL ?? {}, context.objectId),
    });
  },

  async afterCreate(context) {
    // The verification mail went out when the create was published (`verificationMail`, a commit reaction).
    // A master-key request without an installation id is "cloud" in Parse: its sign-ups get no session.
    if (isMasterLike(context.auth) && context.auth.installationId === undefined) return {};
    if (!signUpSessionAllowed(context.deps, context.input)) return {};
    const session = await createSession(context.deps, {
      userId: context.objectId,
      createdWith: signUpCreatedWith(context.input),
      installationId: context.auth.installationId,
    });
    return { ...authDataSignUpEcho(context.input), sessionToken: session.fields['sessionToken'] };
  },

  async prepareUpdate(original) {
    assertNoServerOwnedField(original.input);
    // Password policy/history, reset-token voiding, re-verification, authData link/unlink.
    const hooked = await prepareUserUpdate(original.deps, { userId: original.objectId, input: original.input });
    const context = {
      ...original,
      input: await prepareAuthDataLink(original.deps, { userId: original.objectId, input: hooked }),
    };
    const { input, auth } = context;
    const username = setValueOf(input, 'username');
    const password = setValueOf(input, 'password');
    const email = setValueOf(input, 'email');
    if (username !== undefined) assertUsername(username);
    if (password !== undefined) assertPassword(password);
    if (email !== undefined && email !== null) assertEmail(email);
    await assertUnique(context.deps, {
      username: username as string | undefined,
      email: typeof email === 'string' ? email : undefined,
      exceptUserId: context.objectId,
    });
    // A client that sets the ACL cannot lock the user out of itself (security.md §3).
    const ACL = input.ACL === undefined || isMasterLike(auth) ? input.ACL : withSelf(input.ACL, context.objectId);
    return withHashedPassword(context, { password: password as string | undefined, ACL });
  },

  async afterUpdate(context) {
    if (context.input.internal?.['_hashed_password'] === undefined) return {};
    // A new password revokes every session of the user (revokeSessionOnPasswordReset); the user who
    // changed it gets a fresh one in the response.
    await revokeSessions(context.deps, { where: sessionsOfUser(context.objectId) });
    if (context.auth.kind !== 'user' || context.auth.userId !== context.objectId) return {};
    // parse-server writes no createdWith on the session a password change hands out.
    const session = await createSession(context.deps, {
      userId: context.objectId,
      createdWith: undefined,
      installationId: context.auth.installationId,
    });
    return { sessionToken: session.fields['sessionToken'] };
  },

  async afterDelete(context) {
    await revokeSessions(context.deps, { where: sessionsOfUser(context.objectId) });
  },

  writeDenied: () => new ParseError(ErrorCode.SESSION_MISSING),

  afterRead({ auth, object }) {
    hideForeignUserFields(auth, object);
  },

  // Other users' authData is never shown to clients, so it cannot be queried either.
  privateFields: () => ['authData'],
};

/**
 * `_User` fields only the server writes, whoever asks (master key included) and whatever a beforeSave did.
 * `sessionToken` is what MongoDB stores as `_session_token`, the legacy (pre-revocable) token the legacy
 * log-in reads: a user who could write it would mint itself a token that never expires and survives
 * log-out and password changes. Tokens come from log-in and sign-up only. The `_`-prefixed internal fields
 * cannot be named in a write at all (field names start with a letter).
 */
const SERVER_OWNED_FIELDS = ['sessionToken'] as const;

function assertNoServerOwnedField(input: WriteInput): void {
  for (const field of SERVER_OWNED_FIELDS) {
    if (writesField(input, field)) {
      throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid key name: ${field}` });
    }
  }
}

/** The write sets `field` itself or a dot path inside it. */
function writesField(input: WriteInput, field: string): boolean {
  return Object.keys(input.fields).some((key) => key === field || key.startsWith(`${field}.`));
}

/** `authData` only for the user itself and the master key; providers set to null and empty maps dropped. */
export function hideForeignUserFields(auth: Auth, object: OutputObject): void {
  const fields = object.fields;
  const own = isMasterLike(auth) || (auth.kind === 'user' && auth.userId === object.objectId);
  const authData = fields['authData'];
  if (authData === undefined) return;
  if (!own || authData === null || typeof authData !== 'object') {
    delete fields['authData'];
    return;
  }
  const kept = Object.fromEntries(Object.entries(authData).filter(([, value]) => value !== null));
  if (Object.keys(kept).length === 0) delete fields['authData'];
  else fields['authData'] = kept;
}

function withSelf(acl: ACL, userId: string): ACL {
  return { ...acl, [userId]: { read: true, write: true } };
}

/** Moves a plain-text `password` out of the fields into the internal `_hashed_password`. */
async function withHashedPassword(
  context: WriteContext,
  options: { password: string | undefined; ACL: ACL | undefined },
): Promise<WriteInput> {
  const { input } = context;
  const fields = { ...input.fields };
  delete fields['password'];
  const internal = { ...input.internal };
  if (options.password !== undefined) {
    internal['_hashed_password'] = { op: 'set', value: await context.deps.users.hasher.hash(options.password) };
  }
  return {
    ...input,
    fields,
    internal,
    ...(options.ACL === undefined ? {} : { ACL: options.ACL }),
  };
}
