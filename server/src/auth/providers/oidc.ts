import type { KeyObject } from 'node:crypto';
import type * as JwtModule from 'jsonwebtoken';
import type { Algorithm, JwtPayload } from 'jsonwebtoken';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { JwksClient } from './jwks.js';
import type { AuthProvider } from './provider.js';

export interface OidcOptions {
  /** Accepted `iss` values (Google signs with both `https://accounts.google.com` and `accounts.google.com`). */
  readonly issuers: readonly string[];
  /** Accepted `aud` values: the app's client ids at the provider. At least one is required. */
  readonly audiences: readonly string[];
  /** Where the provider publishes its signing keys. */
  readonly jwksUri: string;
  readonly algorithms?: readonly Algorithm[];
  readonly now: () => Date;
  /** For tests and proxies; default: the global fetch. */
  readonly fetch?: typeof fetch;
}

const DEFAULT_ALGORITHMS: readonly Algorithm[] = ['RS256', 'ES256'];

/**
 * OpenID Connect: `authData.<name>` carries `id` and a signed `id_token` (or `token`, as the Apple SDKs
 * send it). The signature is checked against the provider's JWKS, then issuer, audience, expiry, and that
 * `sub` is the claimed `id`. Every failure answers 101, as Parse's Apple and Google adapters do.
 */
export function createOidcProvider(options: OidcOptions): AuthProvider {
  if (options.audiences.length === 0) {
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'An OpenID provider needs a client id.' });
  }
  const jwks = new JwksClient({
    jwksUri: options.jwksUri,
    now: options.now,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  return {
    async validateAuthData({ authData }) {
      const id = authData['id'];
      const token = authData['id_token'] ?? authData['token'];
      if (typeof id !== 'string' || id === '' || typeof token !== 'string' || token === '') {
        throw invalid('The id token and the user id are required.');
      }
      // Imported with the first OpenID log-in, not at start (with its dependencies ~70 modules of a cold start).
      const jwt = (await import('jsonwebtoken')).default;
      const header = jwt.decode(token, { complete: true })?.header;
      if (header === undefined || typeof header.kid !== 'string') throw invalid('The id token is malformed.');
      if (!algorithms.includes(header.alg as Algorithm)) throw invalid('The id token algorithm is not accepted.');
      const key = await jwks.key(header.kid);
      const payload = verify({ jwt, token, key, options, algorithms });
      if (payload.sub !== id) throw invalid('The id token was issued for another user.');
    },
  };
}

function verify(input: {
  jwt: Pick<typeof JwtModule, 'verify' | 'TokenExpiredError'>;
  token: string;
  key: KeyObject;
  options: OidcOptions;
  algorithms: Algorithm[];
}): JwtPayload {
  const { jwt, token, key, options, algorithms } = input;
  try {
    const payload = jwt.verify(token, key, {
      algorithms,
      issuer: options.issuers as [string, ...string[]],
      audience: options.audiences as [string, ...string[]],
      clockTimestamp: Math.floor(options.now().getTime() / 1000),
    });
    if (typeof payload === 'string') throw invalid('The id token has no claims.');
    return payload;
  } catch (err) {
    if (err instanceof ParseError) throw err;
    if (err instanceof jwt.TokenExpiredError) throw invalid('The id token has expired.', err);
    throw invalid(`The id token is not valid: ${err instanceof Error ? err.message : 'unknown reason'}.`, err);
  }
}

function invalid(message: string, cause?: unknown): ParseError {
  return new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message, ...(cause === undefined ? {} : { cause }) });
}
