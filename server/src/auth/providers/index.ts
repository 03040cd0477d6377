/**
 * Third-party log-in providers: the `AuthProvider` interface, the built-in anonymous provider, OpenID
 * Connect (JWKS-verified id tokens, with Google and Apple presets) and the per-app registry built from the
 * `authProviders` option. It verifies identities only; finding or creating the user is `core`'s job.
 */
export type { AuthProvider, AuthProviders } from './provider.js';
export { anonymousProvider } from './anonymous.js';
export { createOidcProvider } from './oidc.js';
export type { OidcOptions } from './oidc.js';
export { createAuthProviders, OIDC_PRESETS } from './registry.js';
export type { AuthProviderSettings } from './registry.js';
