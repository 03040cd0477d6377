import type { AccountLockoutPolicy, AuthProviders, PasswordPolicy } from '../../auth/index.js';
import type { EmailAdapter } from '../../email/index.js';

/**
 * What the email flows, lockout, password policy and third-party log-in need, built once by `app.ts`
 * from the config. Absent features are `undefined` (no lockout, no policy).
 */
export interface AccountServices {
  readonly email: EmailAdapter;
  readonly appId: string;
  /** Both are required before any link can be mailed (rest.md §6.6: otherwise code 1). */
  readonly appName: string | undefined;
  readonly publicServerURL: string | undefined;
  readonly verifyUserEmails: boolean;
  readonly preventLoginWithUnverifiedEmail: boolean;
  readonly preventSignupWithUnverifiedEmail: boolean;
  /** Seconds; undefined: verification links never expire. */
  readonly emailVerifyTokenValidityDuration: number | undefined;
  readonly emailVerifySuccessOnInvalidEmail: boolean;
  readonly accountLockout: AccountLockoutPolicy | undefined;
  readonly passwordPolicy: PasswordPolicy | undefined;
  readonly providers: AuthProviders;
  readonly now: () => Date;
}
