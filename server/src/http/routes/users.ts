import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ApiHandler, ApiRequest, HttpMethod, RouteDefinition } from '../api-types.js';
import { enforceAuthRateLimit } from '../auth-rate-limit.js';
import type { AuthRateLimits } from '../auth-rate-limit.js';
import { decodeWriteBody, encodeObject } from '../../core/index.js';
import type { EncodingContext } from '../encoding-context.js';
import { originOf } from '../origin.js';
import { classRoutes } from './classes.js';

/**
 * Users (rest.md §6): `/users[/:objectId]` are aliases of `/classes/_User` (same handlers), sign-up is
 * rate limited and answers `Location: <mount>/users/<id>`, and the session routes: `/login`,
 * `/logout`, `/users/me`, `/verifyPassword`, `/loginAs`. Registered before the class routes, so
 * `POST /classes/_User` is a sign-up too.
 */
export function userRoutes(options: { encoding: EncodingContext; rateLimits: AuthRateLimits }): RouteDefinition[] {
  const { encoding, rateLimits } = options;
  const classHandler = classHandlers(encoding);
  const asUser =
    (handler: ApiHandler): ApiHandler =>
    (request) =>
      handler({ ...request, params: { ...request.params, className: '_User' } });
  const signUp: ApiHandler = async (request) => {
    await enforceAuthRateLimit(rateLimits, { ip: request.ip, account: request.body['username'] });
    // authData of a provider id that already has a user is a log-in: 200 and a session (rest.md §6.10).
    if (request.body['authData'] !== undefined) {
      const input = decodeWriteBody(request.body, { maxDepth: encoding.maxDepth });
      const loggedIn = await request.core.logInWithAuthData({
        auth: request.auth,
        input,
        origin: originOf(request, encoding),
      });
      if (loggedIn !== undefined) {
        return {
          body: { ...encodeObject(loggedIn.user, encoding.forRequest(request)), sessionToken: loggedIn.sessionToken },
        };
      }
    }
    const response = await asUser(classHandler('POST', '/classes/:className'))(request);
    const id = (response.body as { objectId: string }).objectId;
    return { ...response, headers: { ...response.headers, Location: `${request.mountURL}/users/${id}` } };
  };
  const getUser: ApiHandler = async (request) => {
    const response = await asUser(classHandler('GET', '/classes/:className/:objectId'))(request);
    // The caller's own user carries its session token (rest.md §4.2, types.md §7).
    const own = request.auth.kind === 'user' && request.auth.userId === request.params['objectId'];
    return own ? { ...response, body: { ...(response.body as object), sessionToken: tokenOf(request) } } : response;
  };
  const logIn: ApiHandler = async (request) => {
    const credentials = credentialsOf(request);
    await enforceAuthRateLimit(rateLimits, { ip: request.ip, account: credentials.username ?? credentials.email });
    const { user, sessionToken } = await request.core.logIn({
      auth: request.auth,
      ...credentials,
      origin: originOf(request, encoding),
    });
    return { body: { ...encodeObject(user, encoding.forRequest(request)), sessionToken } };
  };
  const verifyPassword: ApiHandler = async (request) => {
    const credentials = credentialsOf(request);
    await enforceAuthRateLimit(rateLimits, { ip: request.ip, account: credentials.username ?? credentials.email });
    const user = await request.core.verifyPassword({ auth: request.auth, ...credentials });
    return { body: encodeObject(user, encoding.forRequest(request)) };
  };
  const me: ApiHandler = async (request) => {
    const { user, sessionToken } = await request.core.me({ auth: request.auth });
    return { body: { ...encodeObject(user, encoding.forRequest(request)), sessionToken } };
  };
  const logInAs: ApiHandler = async (request) => {
    const { user, sessionToken } = await request.core.logInAs({
      auth: request.auth,
      userId: request.body['userId'] ?? request.query['userId'],
    });
    return { body: { ...encodeObject(user, encoding.forRequest(request)), sessionToken } };
  };
  const logOut: ApiHandler = async (request) => {
    await request.core.logOut({ auth: request.auth, origin: originOf(request, encoding) });
    return { body: {} };
  };
  const route = (method: HttpMethod, path: string, handler: ApiHandler): RouteDefinition => ({
    method,
    path,
    handler,
  });
  const batchable = { batchable: true } as const;
  const ignoreToken = { sessionToken: 'ignore' } as const;
  return [
    route('GET', '/users/me', me),
    { ...route('GET', '/users', asUser(classHandler('GET', '/classes/:className'))), ...batchable },
    { ...route('POST', '/users', signUp), ...batchable },
    { ...route('POST', '/classes/_User', signUp), ...batchable },
    { ...route('GET', '/users/:objectId', getUser), ...batchable },
    { ...route('GET', '/classes/_User/:objectId', getUser), ...batchable },
    { ...route('PUT', '/users/:objectId', asUser(classHandler('PUT', '/classes/:className/:objectId'))), ...batchable },
    {
      ...route('DELETE', '/users/:objectId', asUser(classHandler('DELETE', '/classes/:className/:objectId'))),
      ...batchable,
    },
    // Parse drops any session token sent with a log-in.
    { ...route('GET', '/login', logIn), ...ignoreToken },
    { ...route('POST', '/login', logIn), ...ignoreToken },
    route('POST', '/logout', logOut),
    { ...route('GET', '/verifyPassword', verifyPassword), ...ignoreToken },
    { ...route('POST', '/verifyPassword', verifyPassword), ...ignoreToken },
    route('POST', '/loginAs', logInAs),
  ];
}

/** The handlers of the class routes, looked up by method and path, so the aliases share them. */
export function classHandlers(encoding: EncodingContext): (method: HttpMethod, path: string) => ApiHandler {
  const routes = classRoutes(encoding);
  return (method, path) => {
    const found = routes.find((r) => r.method === method && r.path === path);
    if (found === undefined) throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: `no ${method} ${path}` });
    return found.handler;
  };
}

/** Log-in credentials from the body, each falling back to the query string (rest.md §6.2). */
function credentialsOf(request: ApiRequest): {
  username?: unknown;
  email?: unknown;
  password?: unknown;
  ignoreEmailVerification?: unknown;
} {
  const pick = (name: string): unknown => request.body[name] ?? request.query[name];
  const out: { username?: unknown; email?: unknown; password?: unknown; ignoreEmailVerification?: unknown } = {};
  for (const name of ['username', 'email', 'password', 'ignoreEmailVerification'] as const) {
    const value = pick(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function tokenOf(request: ApiRequest): string | undefined {
  return request.auth.kind === 'user' ? request.auth.sessionToken : undefined;
}
