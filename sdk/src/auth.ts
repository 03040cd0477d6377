import { decodeRecord, encode } from './codec.js';
import { mergeWrite } from './collection.js';
import { ErrorCodes, StrataError } from './errors.js';
import type { CreateInput, Patch } from './ops.js';
import { newRequestId } from './request-id.js';
import type { SessionState } from './session-state.js';
import { call } from './transport.js';
import type { CallOptions, TransportContext } from './transport.js';
import type { Pointer, Stored } from './types.js';

/**
 * `client.auth`: sign-up and log-in (password, anonymous, third-party `authData`), the logged-in user
 * (kept in the client's storage and sent with every call), linking providers, password reset and email
 * verification requests, and change notifications. `client.sessions`: the user's own sessions.
 */

type Json = Record<string, unknown>;

/** The fields `_User` always has. */
export interface UserFields {
  username?: string;
  email?: string;
  emailVerified?: boolean;
  authData?: Record<string, Record<string, unknown> | null>;
}

/** The logged-in user: the stored `_User` object and its session token. */
export type CurrentUser<U> = Stored<U> & { readonly sessionToken: string };

/** A signed-up user; without `sessionToken` when the server wants the email verified before log-in. */
export type SignedUpUser<U> = Stored<U> & { readonly sessionToken?: string };

export interface Auth<U> {
  /** Creates a user and logs it in. @example await client.auth.signUp({ username: 'ann', password: 's3cret!', email: 'ann@example.com' }) */
  signUp(fields: CreateInput<U> & { password: string }, options?: CallOptions): Promise<SignedUpUser<U>>;
  /** Logs in with a username (or email) and password. */
  logIn(username: string, password: string, options?: CallOptions): Promise<CurrentUser<U>>;
  /** Ends the session on the server and forgets the user locally (locally even when the server fails). */
  logOut(options?: CallOptions): Promise<void>;
  /** The logged-in user, or null. */
  currentUser(): Promise<CurrentUser<U> | null>;
  /** The logged-in user's session token, if any. */
  sessionToken(): Promise<string | undefined>;
  /** Logs in with an existing session token (e.g. handed over from your server). */
  become(sessionToken: string, options?: CallOptions): Promise<CurrentUser<U>>;
  /** Reloads the logged-in user from the server. */
  refresh(options?: CallOptions): Promise<CurrentUser<U>>;
  /** Changes the logged-in user's fields (a new `password` keeps you logged in with a fresh session). */
  update(patch: Patch<U> & { password?: string }, options?: CallOptions): Promise<CurrentUser<U>>;
  /** Mails a password-reset link (succeeds for unknown addresses too, by default). */
  requestPasswordReset(email: string, options?: CallOptions): Promise<void>;
  /** Mails a new email-verification link. */
  requestEmailVerification(email: string, options?: CallOptions): Promise<void>;
  /** Creates an anonymous user (no credentials) and logs it in. */
  logInAnonymously(options?: CallOptions): Promise<CurrentUser<U>>;
  /** Signs up or logs in with a provider's `authData`, e.g. `('oidc', { id, token })`. */
  logInWith(provider: string, authData: Record<string, unknown>, options?: CallOptions): Promise<CurrentUser<U>>;
  /** Adds a provider to the logged-in user. */
  linkWith(provider: string, authData: Record<string, unknown>, options?: CallOptions): Promise<CurrentUser<U>>;
  /** Removes a provider from the logged-in user. */
  unlink(provider: string, options?: CallOptions): Promise<CurrentUser<U>>;
  /** Calls `listener` whenever the logged-in user changes (log-in, log-out, update); returns an unsubscribe. */
  onChange(listener: (user: CurrentUser<U> | null) => void): () => void;
}

export interface SessionFields {
  sessionToken: string;
  user: Pointer;
  installationId?: string;
  expiresAt?: Date;
  createdWith?: { action: string; authProvider?: string };
}

export interface Sessions {
  /** The session of the logged-in user. */
  current(options?: CallOptions): Promise<Stored<SessionFields>>;
  /** Every session of the logged-in user (other devices included). */
  list(options?: CallOptions): Promise<Array<Stored<SessionFields>>>;
  /** Ends one of the user's sessions (its token stops working at once). */
  revoke(objectId: string, options?: CallOptions): Promise<void>;
}

export function createAuth<U>(options: { transport: TransportContext; state: SessionState<CurrentUser<U>> }): Auth<U> {
  const { transport, state } = options;
  const userPath = (id: string): string => `/classes/_User/${encodeURIComponent(id)}`;

  const remember = async (user: object, sessionToken: string): Promise<CurrentUser<U>> => {
    const current = { ...user, sessionToken } as unknown as CurrentUser<U>;
    await state.set(current);
    return current;
  };
  const requireUser = async (): Promise<CurrentUser<U>> => {
    const user = await state.user();
    if (user === null) {
      throw new StrataError({ code: ErrorCodes.SESSION_MISSING, message: 'no user is logged in', status: 0 });
    }
    return user;
  };
  /** Loads `/users/me` with a token and makes that user the current one. */
  const loadMe = async (sessionToken: string, callOptions: CallOptions): Promise<CurrentUser<U>> => {
    const body = await call(transport, { ...callOptions, sessionToken, method: 'GET', path: '/users/me' });
    return remember(decodeRecord<Json>(body), sessionToken);
  };
  const patchMe = async (patch: Json, callOptions: CallOptions): Promise<CurrentUser<U>> => {
    const user = await requireUser();
    const response = (await call(transport, {
      ...callOptions,
      method: 'PUT',
      path: userPath(user.objectId),
      body: encode(patch),
    })) as Json;
    const { password: _password, ...sent } = patch;
    const changes = mergeWrite({ sent, response });
    const token = typeof response['sessionToken'] === 'string' ? response['sessionToken'] : user.sessionToken;
    return remember({ ...user, ...changes }, token);
  };
  const viaAuthData = async (authData: Json, callOptions: CallOptions): Promise<CurrentUser<U>> => {
    // Without a session token: with one, the server would link instead of logging in.
    const response = (await call(transport, {
      ...callOptions,
      sessionToken: null,
      method: 'POST',
      path: '/users',
      body: { authData },
    })) as Json;
    const user = mergeWrite({ sent: { authData }, response });
    return remember({ updatedAt: user['createdAt'], ...user }, response['sessionToken'] as string);
  };

  return {
    signUp: async (fields, callOptions = {}) => {
      const response = (await call(transport, {
        ...callOptions,
        sessionToken: null,
        method: 'POST',
        path: '/users',
        body: encode(fields),
      })) as Json;
      const { password: _password, ...sent } = fields as Json;
      const user = mergeWrite({ sent, response });
      const created = { updatedAt: user['createdAt'], ...user };
      const token = response['sessionToken'];
      if (typeof token !== 'string') return created as SignedUpUser<U>;
      return remember(created, token);
    },
    logIn: async (username, password, callOptions = {}) => {
      const body = (await call(transport, {
        ...callOptions,
        sessionToken: null,
        method: 'POST',
        path: '/login',
        body: { username, password },
      })) as Json;
      return remember(decodeRecord<Json>(body), body['sessionToken'] as string);
    },
    logOut: async (callOptions = {}) => {
      const token = await state.token();
      try {
        if (token !== undefined) {
          await call(transport, { ...callOptions, sessionToken: token, method: 'POST', path: '/logout', body: {} });
        }
      } catch (err) {
        // An already invalid session is as logged out as it gets.
        if (!(err instanceof StrataError && err.code === ErrorCodes.INVALID_SESSION_TOKEN)) throw err;
      } finally {
        await state.set(null);
      }
    },
    currentUser: () => state.user(),
    sessionToken: () => state.token(),
    become: (sessionToken, callOptions = {}) => loadMe(sessionToken, callOptions),
    refresh: async (callOptions = {}) => loadMe((await requireUser()).sessionToken, callOptions),
    update: (patch, callOptions = {}) => patchMe(patch as Json, callOptions),
    requestPasswordReset: async (email, callOptions = {}) => {
      await call(transport, { ...callOptions, method: 'POST', path: '/requestPasswordReset', body: { email } });
    },
    requestEmailVerification: async (email, callOptions = {}) => {
      await call(transport, { ...callOptions, method: 'POST', path: '/verificationEmailRequest', body: { email } });
    },
    logInAnonymously: (callOptions = {}) => viaAuthData({ anonymous: { id: newRequestId() } }, callOptions),
    logInWith: (provider, authData, callOptions = {}) => viaAuthData({ [provider]: authData }, callOptions),
    linkWith: async (provider, authData, callOptions = {}) => {
      const user = await requireUser();
      const linked = await patchMe({ authData: { [provider]: authData } }, callOptions);
      const before = (user as { authData?: Json }).authData;
      return remember({ ...linked, authData: { ...before, [provider]: authData } }, linked.sessionToken);
    },
    unlink: async (provider, callOptions = {}) => {
      const user = await requireUser();
      const unlinked = await patchMe({ authData: { [provider]: null } }, callOptions);
      const authData: Json = { ...(user as { authData?: Json }).authData };
      delete authData[provider];
      return remember({ ...unlinked, authData }, unlinked.sessionToken);
    },
    onChange: (listener) => state.onChange(listener),
  };
}

export function createSessions(transport: TransportContext): Sessions {
  return {
    current: async (options = {}) =>
      decodeRecord(await call(transport, { ...options, method: 'GET', path: '/sessions/me' })),
    list: async (options = {}) => {
      const body = (await call(transport, { ...options, method: 'GET', path: '/sessions' })) as { results: unknown[] };
      return body.results.map((s) => decodeRecord<Stored<SessionFields>>(s));
    },
    revoke: async (objectId, options = {}) => {
      await call(transport, { ...options, method: 'DELETE', path: `/sessions/${encodeURIComponent(objectId)}` });
    },
  };
}
