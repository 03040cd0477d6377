import type { Algorithm } from 'jsonwebtoken';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { anonymousProvider } from './anonymous.js';
import { createOidcProvider } from './oidc.js';
import type { AuthProvider, AuthProviders } from './provider.js';

/** One entry of the `authProviders` option (JSON keyed by provider name). */
export interface AuthProviderSettings {
  /** `false` turns a configured or built-in provider off (its log-ins answer 252). */
  readonly enabled?: boolean;
  /** The app's client id(s) at the provider: the accepted `aud` values. */
  readonly clientId?: string | readonly string[];
  /** OpenID issuer(s); preset for `google` and `apple`. */
  readonly issuer?: string | readonly string[];
  /** JWKS URL; preset for `google` and `apple`. */
  readonly jwksUri?: string;
  readonly algorithms?: readonly string[];
}

/** Known OpenID Connect providers: only the client id has to be configured. */
export const OIDC_PRESETS: Readonly<Record<string, { issuers: readonly string[]; jwksUri: string }>> = {
  google: {
    issuers: ['https://accounts.google.com', 'accounts.google.com'],
    jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
  },
  apple: { issuers: ['https://appleid.apple.com'], jwksUri: 'https://appleid.apple.com/auth/keys' },
};

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/**
 * Builds the server's providers: `anonymous` (unless disabled), every configured OpenID provider (presets
 * filled in), and custom providers passed in code. One instance per app, so JWKS caches are not shared.
 */
export function createAuthProviders(options: {
  settings: Readonly<Record<string, AuthProviderSettings>>;
  enableAnonymousUsers: boolean;
  custom?: Readonly<Record<string, AuthProvider>>;
  now: () => Date;
  fetch?: typeof fetch;
}): AuthProviders {
  const providers = new Map<string, AuthProvider>();
  if (options.enableAnonymousUsers) providers.set('anonymous', anonymousProvider);
  for (const [name, provider] of Object.entries(options.custom ?? {})) providers.set(name, provider);
  for (const [name, settings] of Object.entries(options.settings)) {
    if (settings.enabled === false) {
      providers.delete(name);
      continue;
    }
    if (name === 'anonymous') continue;
    const preset = OIDC_PRESETS[name];
    const issuers = settings.issuer === undefined ? (preset?.issuers ?? []) : list(settings.issuer);
    const jwksUri = settings.jwksUri ?? preset?.jwksUri;
    if (issuers.length === 0 || jwksUri === undefined) {
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
        message: `Auth provider ${name} needs "issuer" and "jwksUri" (only google and apple have presets).`,
      });
    }
    providers.set(
      name,
      createOidcProvider({
        issuers,
        audiences: list(settings.clientId),
        jwksUri,
        now: options.now,
        ...(settings.algorithms === undefined ? {} : { algorithms: settings.algorithms as Algorithm[] }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      }),
    );
  }
  return { get: (name) => providers.get(name), names: [...providers.keys()] };
}
