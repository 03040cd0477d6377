import { isPlainObject } from '../../schema/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';

/**
 * `/hooks/functions` and `/hooks/triggers` (rest.md §18): list, get, create, and `PUT` to change a hook's
 * url or, with `{"__op":"Delete"}`, to delete it (Parse has no DELETE route here). Master key only; core
 * checks the caller and answers 143 for invalid, duplicate and missing hooks.
 */
export function hookRoutes(): RouteDefinition[] {
  const fn = (request: ApiRequest): string => request.params['functionName'] as string;
  const cls = (request: ApiRequest): string => request.params['className'] as string;
  const trigger = (request: ApiRequest): string => request.params['triggerName'] as string;
  return [
    {
      method: 'GET',
      path: '/hooks/functions',
      handler: async (request) => ({ body: await request.core.hooks.listFunctions({ auth: request.auth }) }),
    },
    {
      method: 'GET',
      path: '/hooks/functions/:functionName',
      handler: async (request) => ({
        body: await request.core.hooks.getFunction({ auth: request.auth, functionName: fn(request) }),
      }),
    },
    {
      method: 'POST',
      path: '/hooks/functions',
      handler: async (request) => ({
        body: await request.core.hooks.createFunction({
          auth: request.auth,
          functionName: request.body['functionName'],
          url: request.body['url'],
        }),
      }),
    },
    {
      method: 'PUT',
      path: '/hooks/functions/:functionName',
      handler: async (request): Promise<ApiResponse> => {
        const functionName = fn(request);
        if (isDelete(request)) {
          await request.core.hooks.deleteFunction({ auth: request.auth, functionName });
          return { body: {} };
        }
        return {
          body: await request.core.hooks.updateFunction({ auth: request.auth, functionName, url: request.body['url'] }),
        };
      },
    },
    {
      method: 'GET',
      path: '/hooks/triggers',
      handler: async (request) => ({ body: await request.core.hooks.listTriggers({ auth: request.auth }) }),
    },
    {
      method: 'GET',
      path: '/hooks/triggers/:className/:triggerName',
      handler: async (request) => ({
        body: await request.core.hooks.getTrigger({
          auth: request.auth,
          className: cls(request),
          triggerName: trigger(request),
        }),
      }),
    },
    {
      method: 'POST',
      path: '/hooks/triggers',
      handler: async (request) => ({
        body: await request.core.hooks.createTrigger({
          auth: request.auth,
          className: request.body['className'],
          triggerName: request.body['triggerName'],
          url: request.body['url'],
        }),
      }),
    },
    {
      method: 'PUT',
      path: '/hooks/triggers/:className/:triggerName',
      handler: async (request): Promise<ApiResponse> => {
        const where = { auth: request.auth, className: cls(request), triggerName: trigger(request) };
        if (isDelete(request)) {
          await request.core.hooks.deleteTrigger(where);
          return { body: {} };
        }
        return { body: await request.core.hooks.updateTrigger({ ...where, url: request.body['url'] }) };
      },
    },
  ];
}

function isDelete(request: ApiRequest): boolean {
  return isPlainObject(request.body) && request.body['__op'] === 'Delete';
}
