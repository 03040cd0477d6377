import { assertNotInHistory, assertPasswordAllowed, mintEmailToken, nextPasswordHistory } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { UpdateOp } from '../../storage/index.js';
import type { ChangeReaction } from '../change-sink.js';
import type { CoreDeps } from '../deps.js';
import type { WriteInput } from '../write-input.js';
import { loadUserRow, sendVerificationEmail, verificationTokenFields } from './user-email.js';

/**
 * What the email and password options add to `_User` writes (security.md §8–9), as functions the `_User`
 * rules call: the password policy on sign-up and password change, a verification token when an email is
 * set, and whether a sign-up gets a session; and the verification mail, a reaction to the committed write.
 */

function withInternal(input: WriteInput, fields: Record<string, UpdateOp>): WriteInput {
  return { ...input, internal: { ...input.internal, ...fields } };
}

function setString(input: WriteInput, field: string): string | undefined {
  const write = input.fields[field];
  return write?.op === 'set' && typeof write.value === 'string' ? write.value : undefined;
}

/** Sign-up: policy check of the password, `_password_changed_at`, and a pending verification. */
export function prepareUserCreate(deps: CoreDeps, input: WriteInput): WriteInput {
  const accounts = deps.accounts;
  if (accounts === undefined) return input;
  const password = setString(input, 'password');
  let next = input;
  if (password !== undefined) {
    assertPasswordAllowed({ policy: accounts.passwordPolicy, password, username: setString(input, 'username') });
    if (accounts.passwordPolicy?.maxPasswordAge !== undefined) {
      next = withInternal(next, { _password_changed_at: { op: 'set', value: accounts.now() } });
    }
  }
  return withPendingVerification(deps, next);
}

/** A new email with `verifyUserEmails`: `emailVerified:false` plus a fresh token (mailed after the write). */
function withPendingVerification(deps: CoreDeps, input: WriteInput): WriteInput {
  const accounts = deps.accounts;
  if (accounts === undefined || !accounts.verifyUserEmails || setString(input, 'email') === undefined) return input;
  const token = mintEmailToken({ now: accounts.now(), validitySeconds: accounts.emailVerifyTokenValidityDuration });
  return withInternal(
    { ...input, fields: { ...input.fields, emailVerified: { op: 'set', value: false } } },
    verificationTokenFields(token),
  );
}

/**
 * Password or email change: the policy and history for a new password, `_password_changed_at`, and a
 * pending reset link is voided (rest.md §6.11). A new email restarts verification.
 */
export async function prepareUserUpdate(
  deps: CoreDeps,
  options: { userId: string; input: WriteInput },
): Promise<WriteInput> {
  const accounts = deps.accounts;
  if (accounts === undefined) return options.input;
  const password = setString(options.input, 'password');
  const emailChanges = options.input.fields['email'] !== undefined;
  let next = options.input;
  if (password !== undefined) {
    const user = await loadUserRow(deps, options.userId);
    const policy = accounts.passwordPolicy;
    const username = setString(next, 'username') ?? (user?.fields['username'] as string | undefined);
    assertPasswordAllowed({ policy, password, username });
    const currentHash = user?.fields['_hashed_password'];
    const stored = user?.fields['_password_history'];
    const history = Array.isArray(stored) ? stored.filter((h): h is string => typeof h === 'string') : [];
    const hash = typeof currentHash === 'string' ? currentHash : undefined;
    await assertNotInHistory({
      policy,
      password,
      currentHash: hash,
      history,
      compare: (plain, h) => deps.users.hasher.verify(plain, h),
    });
    const nextHistory = nextPasswordHistory({ policy, previousHash: hash, history });
    next = withInternal(next, {
      ...(nextHistory === undefined ? {} : { _password_history: { op: 'set', value: nextHistory } }),
      ...(policy?.maxPasswordAge === undefined ? {} : { _password_changed_at: { op: 'set', value: accounts.now() } }),
    });
  }
  if (password !== undefined || emailChanges) {
    next = withInternal(next, { _perishable_token: { op: 'unset' }, _perishable_token_expires_at: { op: 'unset' } });
  }
  return emailChanges ? withPendingVerification(deps, next) : next;
}

/**
 * The verification mail, as a reaction to a committed `_User` create or update whose write set a new email
 * token (`withPendingVerification`). It runs at the `commit` stage, right after the change is published, so the
 * mail goes out even when the sign-up then answers 205; the writer waits for it. Only the writing server's
 * in-process details carry the token: events never hold internal fields.
 */
export function verificationMail(deps: CoreDeps): ChangeReaction {
  return async ({ event, write }) => {
    if (event.className !== '_User' || event.op === 'delete') return;
    const tokenWrite = write.input?.internal?.['_email_verify_token'];
    const email = event.after.fields['email'];
    if (tokenWrite?.op !== 'set' || typeof tokenWrite.value !== 'string' || typeof email !== 'string') return;
    const username = event.after.fields['username'];
    await sendVerificationEmail(deps, {
      userId: event.objectId,
      email,
      username: typeof username === 'string' ? username : '',
      token: tokenWrite.value,
    });
  };
}

/**
 * Whether a new user gets a session (security.md §9): not while its email is unverified under
 * `preventLoginWithUnverifiedEmail`; with `preventSignupWithUnverifiedEmail` the sign-up answers 205
 * instead (the user row stays).
 */
export function signUpSessionAllowed(deps: CoreDeps, input: WriteInput): boolean {
  const accounts = deps.accounts;
  if (accounts === undefined || !accounts.verifyUserEmails || !accounts.preventLoginWithUnverifiedEmail) return true;
  const verified = input.fields['emailVerified'];
  if (verified?.op === 'set' && verified.value === true) return true;
  if (accounts.preventSignupWithUnverifiedEmail) {
    throw new ParseError(ErrorCode.EMAIL_NOT_FOUND, { message: 'User email is not verified.' });
  }
  return false;
}
