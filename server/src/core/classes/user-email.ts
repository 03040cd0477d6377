import {
  assertNotInHistory,
  assertPasswordAllowed,
  isEmailTokenValid,
  looksLikeEmailToken,
  mintEmailToken,
  nextPasswordHistory,
} from '../../auth/index.js';
import type { Auth } from '../../auth/index.js';
import { passwordResetEmail, verificationEmail } from '../../email/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { Condition } from '../../query/index.js';
import type { ClassSchema } from '../../schema/index.js';
import type { StoredObject, UpdateOp } from '../../storage/index.js';
import type { CoreDeps } from '../deps.js';
import type { AccountServices } from './account-services.js';
import { updateObject } from '../object-writes.js';
import { revokeSessions, sessionsOfUser } from './session-store.js';
import { assertPassword } from './user-fields.js';
import { runUserTrigger } from '../auth-hooks.js';
import type { RequestOrigin } from '../hook-caller.js';

/**
 * The email flows of `_User` (rest.md §6.6–6.7, security.md §9): password-reset and verification
 * requests, following a verification link, and setting a new password through a reset link. Tokens are
 * single-use (cleared by a conditional update that matches the token itself) and may expire.
 */

/**
 * A server without an app name, public URL or mailer cannot send the links. Parse answers code 1 with its
 * message, which is kept for the SDKs, but as HTTP 400 instead of Parse's 500: the server is not failing,
 * it does not offer the feature, and a 5xx would make the SDKs retry a request that cannot succeed.
 */
function configMissing(): ParseError {
  return new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
    message:
      'An appName, publicServerURL, and emailAdapter are required for password reset and email verification functionality.',
    httpStatus: 400,
  });
}

function accountsOf(deps: CoreDeps): AccountServices {
  if (deps.accounts === undefined) throw configMissing();
  return deps.accounts;
}

/** The app name and public URL every mailed link needs; code 1 (HTTP 400) when either is missing. */
function mailSettings(accounts: AccountServices): { appName: string; publicServerURL: string } {
  const { appName, publicServerURL } = accounts;
  if (appName === undefined || publicServerURL === undefined) throw configMissing();
  return { appName, publicServerURL: publicServerURL.replace(/\/+$/, '') };
}

function requestedEmail(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new ParseError(ErrorCode.EMAIL_MISSING, { message: 'you must provide an email' });
  }
  if (typeof value !== 'string') {
    throw new ParseError(ErrorCode.INVALID_EMAIL_ADDRESS, { message: 'you must provide a valid email string' });
  }
  return value;
}

async function userSchema(deps: CoreDeps): Promise<ClassSchema | undefined> {
  return deps.schemas.get('_User');
}

const eq = (field: string, value: string): Condition => ({ kind: 'eq', path: [field], value });

async function findOne(deps: CoreDeps, where: Condition): Promise<StoredObject | undefined> {
  const schema = await userSchema(deps);
  if (schema === undefined) return undefined;
  const [row] = await deps.storage.find({ schema, where, limit: 1 });
  return row;
}

/**
 * One `_User` row with its internal fields. (user-read.ts has the same; it is not imported here because it
 * depends on user.ts, which calls these hooks: the import would close a cycle.)
 */
export function loadUserRow(deps: CoreDeps, userId: string): Promise<StoredObject | undefined> {
  return findOne(deps, eq('objectId', userId));
}

function dateField(row: StoredObject, field: string): Date | undefined {
  const value = row.fields[field];
  return value instanceof Date ? value : undefined;
}

const stringField = (row: StoredObject, field: string): string | undefined => {
  const value = row.fields[field];
  return typeof value === 'string' ? value : undefined;
};

/** The link a mail carries, e.g. `<publicServerURL>/apps/<appId>/verify_email?token=…`. */
function pageLink(options: { publicServerURL: string; appId: string; page: string; token: string }): string {
  const { publicServerURL, appId, page, token } = options;
  return `${publicServerURL}/apps/${encodeURIComponent(appId)}/${page}?token=${encodeURIComponent(token)}`;
}

/** POST /requestPasswordReset: mails a reset link; unknown emails answer success unless configured otherwise. */
export async function requestPasswordReset(
  deps: CoreDeps,
  request: { email: unknown; auth?: Auth; origin?: RequestOrigin },
): Promise<void> {
  const accounts = accountsOf(deps);
  const settings = mailSettings(accounts);
  const email = requestedEmail(request.email);
  // Users without an email address reset through their username (Parse looks both up).
  const user = await findOne(deps, {
    kind: 'or',
    conditions: [
      eq('email', email),
      { kind: 'and', conditions: [eq('username', email), { kind: 'exists', path: ['email'], exists: false }] },
    ],
  });
  if (user === undefined) {
    if (accounts.passwordPolicy?.resetPasswordSuccessOnInvalidEmail ?? true) return;
    throw new ParseError(ErrorCode.EMAIL_NOT_FOUND, { message: 'A user with that email does not exist.' });
  }
  await runUserTrigger(deps, {
    triggerName: 'beforePasswordResetRequest',
    auth: request.auth ?? { kind: 'public' },
    origin: request.origin,
    user,
  });
  const now = accounts.now();
  const existing = stringField(user, '_perishable_token');
  const existingExpiry = dateField(user, '_perishable_token_expires_at');
  const reuse =
    accounts.passwordPolicy?.resetTokenReuseIfValid === true &&
    existing !== undefined &&
    isEmailTokenValid({ expiresAt: existingExpiry, now });
  const token = reuse
    ? { token: existing, expiresAt: existingExpiry }
    : mintEmailToken({ now, validitySeconds: accounts.passwordPolicy?.resetTokenValidityDuration });
  if (!reuse) {
    await setInternal(deps, {
      userId: user.objectId,
      fields: {
        _perishable_token: { op: 'set', value: token.token },
        _perishable_token_expires_at:
          token.expiresAt === undefined ? { op: 'unset' } : { op: 'set', value: token.expiresAt },
      },
    });
  }
  const to = stringField(user, 'email') ?? email;
  await accounts.email.send(
    passwordResetEmail({
      appName: settings.appName,
      to,
      username: stringField(user, 'username') ?? '',
      link: pageLink({ ...settings, appId: accounts.appId, page: 'request_password_reset', token: token.token }),
    }),
  );
}

/** POST /verificationEmailRequest: a fresh verification link for an unverified email. */
export async function requestVerificationEmail(deps: CoreDeps, request: { email: unknown }): Promise<void> {
  const accounts = accountsOf(deps);
  mailSettings(accounts);
  const email = requestedEmail(request.email);
  const user = await findOne(deps, eq('email', email));
  if (user === undefined) {
    if (accounts.emailVerifySuccessOnInvalidEmail) return;
    throw new ParseError(ErrorCode.EMAIL_NOT_FOUND, { message: `No user found with email ${email}.` });
  }
  if (user.fields['emailVerified'] === true) {
    if (accounts.emailVerifySuccessOnInvalidEmail) return;
    throw new ParseError(ErrorCode.OTHER_CAUSE, { message: `Email ${email} is already verified.` });
  }
  await sendVerificationEmail(deps, { userId: user.objectId, email, username: stringField(user, 'username') ?? '' });
}

/**
 * Stores a new verification token on the user and mails the link. Used by the request above and by
 * sign-up / email change when `verifyUserEmails` is on (see `emailVerificationFields`).
 */
export async function sendVerificationEmail(
  deps: CoreDeps,
  user: { userId: string; email: string; username: string; token?: string },
): Promise<void> {
  const accounts = accountsOf(deps);
  const settings = mailSettings(accounts);
  let token = user.token;
  if (token === undefined) {
    const minted = mintEmailToken({ now: accounts.now(), validitySeconds: accounts.emailVerifyTokenValidityDuration });
    token = minted.token;
    await setInternal(deps, { userId: user.userId, fields: verificationTokenFields(minted) });
  }
  await accounts.email.send(
    verificationEmail({
      appName: settings.appName,
      to: user.email,
      username: user.username,
      link: pageLink({ ...settings, appId: accounts.appId, page: 'verify_email', token }),
    }),
  );
}

export function verificationTokenFields(token: {
  token: string;
  expiresAt: Date | undefined;
}): Record<string, UpdateOp> {
  return {
    _email_verify_token: { op: 'set', value: token.token },
    _email_verify_token_expires_at:
      token.expiresAt === undefined ? { op: 'unset' } : { op: 'set', value: token.expiresAt },
  };
}

/** Following a verification link: marks the email verified and burns the token. */
export async function verifyEmail(
  deps: CoreDeps,
  request: { token: unknown },
): Promise<{ verified: true; username: string } | { verified: false }> {
  const accounts = accountsOf(deps);
  if (!looksLikeEmailToken(request.token)) return { verified: false };
  const user = await findOne(deps, eq('_email_verify_token', request.token));
  if (user === undefined) return { verified: false };
  if (!isEmailTokenValid({ expiresAt: dateField(user, '_email_verify_token_expires_at'), now: accounts.now() })) {
    return { verified: false };
  }
  const updated = await setInternal(deps, {
    userId: user.objectId,
    onlyIf: eq('_email_verify_token', request.token),
    fields: {
      emailVerified: { op: 'set', value: true },
      _email_verify_token: { op: 'unset' },
      _email_verify_token_expires_at: { op: 'unset' },
    },
  });
  return updated ? { verified: true, username: stringField(user, 'username') ?? '' } : { verified: false };
}

/** The user a reset link stands for while it is valid (the reset form is only shown then). */
async function findResetUser(deps: CoreDeps, request: { token: unknown }): Promise<StoredObject | undefined> {
  const accounts = accountsOf(deps);
  if (!looksLikeEmailToken(request.token)) return undefined;
  const user = await findOne(deps, eq('_perishable_token', request.token));
  if (user === undefined) return undefined;
  const valid = isEmailTokenValid({ expiresAt: dateField(user, '_perishable_token_expires_at'), now: accounts.now() });
  return valid ? user : undefined;
}

/**
 * Submitting the reset form: checks the password against the policy, stores its hash, burns the token,
 * revokes every session of the user (none is created) and, with `unlockOnPasswordReset`, lifts a lockout.
 */
export async function resetPassword(
  deps: CoreDeps,
  request: { token: unknown; password: unknown },
): Promise<{ username: string }> {
  const accounts = accountsOf(deps);
  const user = await findResetUser(deps, request);
  if (user === undefined) {
    throw new ParseError(ErrorCode.OTHER_CAUSE, {
      message: 'Failed to reset password: the link is invalid or expired.',
    });
  }
  assertPassword(request.password);
  const password = request.password;
  const username = stringField(user, 'username') ?? '';
  const policy = accounts.passwordPolicy;
  assertPasswordAllowed({ policy, password, username });
  const currentHash = stringField(user, '_hashed_password');
  const history = Array.isArray(user.fields['_password_history'])
    ? (user.fields['_password_history'] as unknown[]).filter((h): h is string => typeof h === 'string')
    : [];
  await assertNotInHistory({
    policy,
    password,
    currentHash,
    history,
    compare: (plain, hash) => deps.users.hasher.verify(plain, hash),
  });
  const nextHistory = nextPasswordHistory({ policy, previousHash: currentHash, history });
  const fields: Record<string, UpdateOp> = {
    _hashed_password: { op: 'set', value: await deps.users.hasher.hash(password) },
    _perishable_token: { op: 'unset' },
    _perishable_token_expires_at: { op: 'unset' },
    ...(nextHistory === undefined ? {} : { _password_history: { op: 'set', value: nextHistory } }),
    ...(policy?.maxPasswordAge === undefined ? {} : { _password_changed_at: { op: 'set', value: accounts.now() } }),
    ...(accounts.accountLockout?.unlockOnPasswordReset === true
      ? { _failed_login_count: { op: 'unset' }, _account_lockout_expires_at: { op: 'unset' } }
      : {}),
  };
  const updated = await setInternal(deps, {
    userId: user.objectId,
    onlyIf: eq('_perishable_token', request.token as string),
    fields,
  });
  if (!updated) {
    throw new ParseError(ErrorCode.OTHER_CAUSE, {
      message: 'Failed to reset password: the link is invalid or expired.',
    });
  }
  await revokeSessions(deps, { where: sessionsOfUser(user.objectId) });
  return { username };
}

/** Server-side write of `_User` fields, bypassing ACLs; `onlyIf` makes it conditional (single-use tokens). */
export async function setInternal(
  deps: CoreDeps,
  options: { userId: string; fields: Record<string, UpdateOp>; onlyIf?: Condition },
): Promise<boolean> {
  const schema = await userSchema(deps);
  if (schema === undefined) return false;
  const byId = eq('objectId', options.userId);
  const where: Condition = options.onlyIf === undefined ? byId : { kind: 'and', conditions: [byId, options.onlyIf] };
  const updated = await updateObject(deps, {
    schema,
    objectId: options.userId,
    where,
    update: { fields: options.fields, updatedAt: accountsOf(deps).now() },
  });
  return updated !== null;
}

/** For the reset form page: whose link this is, while it is valid. */
export async function findPasswordResetUser(
  deps: CoreDeps,
  request: { token: unknown },
): Promise<{ username: string } | undefined> {
  const user = await findResetUser(deps, request);
  return user === undefined ? undefined : { username: stringField(user, 'username') ?? '' };
}
