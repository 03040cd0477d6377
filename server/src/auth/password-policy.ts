import { ErrorCode, ParseError } from '../errors/index.js';

/** Option `passwordPolicy` (security.md §8), already validated. */
export interface PasswordPolicy {
  /** A regular expression the whole password must match (source text, e.g. `^(?=.*[0-9]).{8,}$`). */
  readonly validatorPattern?: string;
  /** The 142 message for a pattern violation. */
  readonly validationError?: string;
  readonly doNotAllowUsername?: boolean;
  /** How many previous passwords may not be reused (0–20). */
  readonly maxPasswordHistory?: number;
  /** Days after which a password must be reset before logging in again. */
  readonly maxPasswordAge?: number;
  /** Seconds a reset link stays valid. Unset: until used. */
  readonly resetTokenValidityDuration?: number;
  /** Re-send the still-valid token instead of minting a new one. */
  readonly resetTokenReuseIfValid?: boolean;
  /** Answer `{}` to a reset request for an unknown email (default true: no user enumeration). */
  readonly resetPasswordSuccessOnInvalidEmail?: boolean;
}

const DEFAULT_VALIDATION_ERROR = 'Password does not meet the Password Policy requirements.';

/** The shape rules (pattern, username), checked on sign-up, password change and password reset. */
export function assertPasswordAllowed(options: {
  policy: PasswordPolicy | undefined;
  password: string;
  username: string | undefined;
}): void {
  const { policy, password, username } = options;
  if (policy === undefined) return;
  if (policy.validatorPattern !== undefined && !new RegExp(policy.validatorPattern).test(password)) {
    throw new ParseError(ErrorCode.VALIDATION_ERROR, { message: policy.validationError ?? DEFAULT_VALIDATION_ERROR });
  }
  if (policy.doNotAllowUsername === true && username !== undefined && username !== '' && password.includes(username)) {
    throw new ParseError(ErrorCode.VALIDATION_ERROR, { message: 'Password cannot contain your username.' });
  }
}

/**
 * Refuses a new password equal to the current one or to one of the last `maxPasswordHistory - 1` stored
 * hashes (the current password counts as one of the N, as in Parse). `compare` is the password hasher's
 * check, so bcrypt work stays off the event loop.
 */
export async function assertNotInHistory(options: {
  policy: PasswordPolicy | undefined;
  password: string;
  currentHash: string | undefined;
  history: readonly string[];
  compare: (password: string, hash: string) => Promise<boolean>;
}): Promise<void> {
  const max = options.policy?.maxPasswordHistory ?? 0;
  if (max <= 0) return;
  const hashes = [
    ...(options.currentHash === undefined ? [] : [options.currentHash]),
    ...options.history.slice(-(max - 1)),
  ].slice(0, max);
  const matches = await Promise.all(hashes.map((hash) => options.compare(options.password, hash)));
  if (matches.includes(true)) {
    throw new ParseError(ErrorCode.VALIDATION_ERROR, {
      message: `New password should not be the same as last ${max} passwords.`,
    });
  }
}

/** The `_password_history` to store after a change: the replaced hash appended, the oldest dropped. */
export function nextPasswordHistory(options: {
  policy: PasswordPolicy | undefined;
  previousHash: string | undefined;
  history: readonly string[];
}): string[] | undefined {
  const max = options.policy?.maxPasswordHistory ?? 0;
  if (max <= 0 || options.previousHash === undefined) return undefined;
  // With the current hash, the last `max - 1` previous ones make the N passwords that may not return.
  return max > 1 ? [...options.history, options.previousHash].slice(-(max - 1)) : [];
}

/** Log-in is refused once the password is older than `maxPasswordAge` days (security.md §8). */
export function assertPasswordNotExpired(options: {
  policy: PasswordPolicy | undefined;
  passwordChangedAt: Date | undefined;
  now: Date;
}): void {
  const days = options.policy?.maxPasswordAge;
  if (days === undefined || days <= 0 || options.passwordChangedAt === undefined) return;
  if (options.now.getTime() > options.passwordChangedAt.getTime() + days * 86_400_000) {
    throw new ParseError(ErrorCode.OBJECT_NOT_FOUND, {
      message: 'Your password has expired. Please reset your password.',
    });
  }
}
