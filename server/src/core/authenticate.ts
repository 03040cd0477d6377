import type { Auth, Credentials } from '../auth/index.js';
import type { CoreDeps } from './deps.js';
import { resolveSession } from './classes/index.js';

/**
 * The caller of a request whose keys `CredentialResolver` accepted: a presented session token is resolved to
 * its user (209 when unknown or expired, rest.md §1.3), unless a master-like key was accepted, which ignores
 * the token as Parse does. Every door calls this after its own decoding.
 */
export function authenticate(deps: CoreDeps, credentials: Credentials): Promise<Auth> {
  const { auth, sessionToken } = credentials;
  if (sessionToken === undefined || auth.kind !== 'public') return Promise.resolve(auth);
  return resolveSession(deps, { sessionToken, installationId: auth.installationId });
}
