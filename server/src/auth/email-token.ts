import { randomString } from '../lib/index.js';

/** Verification and reset tokens are 25 random alphanumerics, as Parse's (rest.md §6.6, §6.7). */
export const EMAIL_TOKEN_LENGTH = 25;

/** A single-use token with its optional expiry (no validity duration: valid until used). */
export interface EmailToken {
  readonly token: string;
  readonly expiresAt: Date | undefined;
}

/** Mints a token valid for `validitySeconds` from `now` (unset: no expiry). */
export function mintEmailToken(options: { now: Date; validitySeconds: number | undefined }): EmailToken {
  const { now, validitySeconds } = options;
  return {
    token: randomString(EMAIL_TOKEN_LENGTH),
    expiresAt: validitySeconds === undefined ? undefined : new Date(now.getTime() + validitySeconds * 1000),
  };
}

/** Whether a stored token is still usable: present, matching in shape, not expired. */
export function isEmailTokenValid(options: { expiresAt: Date | undefined; now: Date }): boolean {
  return options.expiresAt === undefined || options.expiresAt.getTime() > options.now.getTime();
}

/** Guards look-ups: anything that is not a 25-char alphanumeric string can never be a token we issued. */
export function looksLikeEmailToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9]{25}$/.test(value);
}
