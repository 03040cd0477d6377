/**
 * A third-party log-in method (rest.md §6.10). `authData.<name>` from the client is handed to the
 * provider, which proves it (a signed token, a call to the provider's API, ...) or throws a ParseError.
 * Strata then finds or creates the user whose `authData.<name>.id` equals that id.
 *
 * @example
 * const github: AuthProvider = {
 *   async validateAuthData({ authData }) {
 *     const login = await fetchGithubUser(authData['access_token']);
 *     if (String(login.id) !== authData['id']) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
 *   },
 * };
 */
export interface AuthProvider {
  /** Resolves when `authData` proves the identity `authData.id`; rejects with a ParseError otherwise. */
  validateAuthData(request: { readonly authData: Readonly<Record<string, unknown>> }): Promise<void>;
}

/** The providers a server accepts, by the name used as the key in `authData`. */
export interface AuthProviders {
  /** Undefined for an unknown or disabled provider (the caller answers 252). */
  get(name: string): AuthProvider | undefined;
  readonly names: readonly string[];
}
