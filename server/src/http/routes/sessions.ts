import type { ApiHandler, RouteDefinition } from '../api-types.js';
import { encodeObject } from '../../core/index.js';
import type { EncodingContext } from '../encoding-context.js';
import { classHandlers } from './users.js';

/**
 * `/sessions` (rest.md §7), `/roles` (§8) and `/installations` (§9): aliases of `/classes/_Session`,
 * `/classes/_Role` and `/classes/_Installation` (the
 * class rules decide what a caller may do), plus `/sessions/me` and `/upgradeToRevocableSession`.
 */
export function sessionAndRoleRoutes(encoding: EncodingContext): RouteDefinition[] {
  const classHandler = classHandlers(encoding);
  const routes: RouteDefinition[] = [];
  const sessionMe: ApiHandler = async (request) => {
    const session = await request.core.currentSession({ auth: request.auth, sessionToken: request.sessionToken });
    return { body: encodeObject(session, encoding.forRequest(request)) };
  };
  const upgrade: ApiHandler = async (request) => {
    const session = await request.core.upgradeToRevocableSession({ auth: request.auth });
    return { body: encodeObject(session, encoding.forRequest(request)) };
  };
  // Parse reads the token of /sessions/me itself (its own 209 messages), so it is not resolved first.
  routes.push({ method: 'GET', path: '/sessions/me', handler: sessionMe, sessionToken: 'ignore' });
  routes.push({ method: 'POST', path: '/upgradeToRevocableSession', handler: upgrade });
  for (const [base, className] of [
    ['/sessions', '_Session'],
    ['/roles', '_Role'],
    ['/installations', '_Installation'],
  ] as const) {
    const alias =
      (handler: ApiHandler): ApiHandler =>
      (request) =>
        handler({ ...request, params: { ...request.params, className } });
    routes.push(
      { method: 'GET', path: base, batchable: true, handler: alias(classHandler('GET', '/classes/:className')) },
      { method: 'POST', path: base, batchable: true, handler: alias(classHandler('POST', '/classes/:className')) },
    );
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      routes.push({
        method,
        path: `${base}/:objectId`,
        batchable: true,
        handler: alias(classHandler(method, '/classes/:className/:objectId')),
      });
    }
  }
  return routes;
}
