/**
 * The accounts services the composition root hands to `core`: email flows, lockout, password policy and
 * log-in providers, from the config. Part of the composition root (only `app.ts` imports it).
 */
import { createAuthProviders } from './auth/index.js';
import type { AuthProvider } from './auth/index.js';
import type { Config } from './config/index.js';
import type { AccountServices } from './core/index.js';
import type { EmailAdapter } from './email/index.js';
import { ErrorCode, ParseError } from './errors/index.js';
import type { Logger } from './infra/index.js';

/**
 * Email flows, lockout, password policy and log-in providers. Verification needs somewhere to link to, so
 * `verifyUserEmails` without an app name and public URL stops the server at start.
 */
export function createAccountServices(options: {
  config: Config;
  logger: Logger;
  now: () => Date;
  email: EmailAdapter;
  custom: Readonly<Record<string, AuthProvider>> | undefined;
}): AccountServices {
  const { config, now, email } = options;
  if (config.verifyUserEmails === true && (config.appName === undefined || config.publicServerURL === undefined)) {
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
      message: '--verify-user-emails needs --app-name and --public-server-url (the links point there).',
    });
  }
  return {
    email,
    appId: config.appId,
    appName: config.appName,
    publicServerURL: config.publicServerURL,
    verifyUserEmails: config.verifyUserEmails,
    preventLoginWithUnverifiedEmail: config.preventLoginWithUnverifiedEmail,
    preventSignupWithUnverifiedEmail: config.preventSignupWithUnverifiedEmail,
    emailVerifyTokenValidityDuration: config.emailVerifyTokenValidityDuration,
    emailVerifySuccessOnInvalidEmail: config.emailVerifySuccessOnInvalidEmail,
    accountLockout: config.accountLockout,
    passwordPolicy: config.passwordPolicy,
    providers: createAuthProviders({
      settings: config.authProviders ?? {},
      enableAnonymousUsers: config.enableAnonymousUsers,
      ...(options.custom === undefined ? {} : { custom: options.custom }),
      now,
    }),
    now,
  };
}
