import { createRequestFromJSON, schemaToJSON, updateRequestFromJSON } from '../../schema/index.js';
import type { ApiRequest, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';

/** `/schemas` (rest.md §14) and `/purge/:className` (§16): master key only. */
export function schemaRoutes(encoding: EncodingContext): RouteDefinition[] {
  const toJSON = (request: ApiRequest) => {
    const encode = encoding.forRequest(request);
    return (schema: Parameters<typeof schemaToJSON>[0]['schema']) => schemaToJSON({ schema, encode });
  };
  return [
    {
      method: 'GET',
      path: '/schemas',
      handler: async (request) => {
        const schemas = await request.core.listSchemas({ auth: request.auth });
        return { body: { results: schemas.map(toJSON(request)) } };
      },
    },
    {
      method: 'GET',
      path: '/schemas/:className',
      handler: async (request) => {
        const schema = await request.core.getSchema({
          auth: request.auth,
          className: request.params['className'] as string,
        });
        return { body: toJSON(request)(schema) };
      },
    },
    ...(['/schemas', '/schemas/:className'] as const).map((path): RouteDefinition => ({
      method: 'POST',
      path,
      handler: async (request) => {
        const className = request.params['className'];
        const change = createRequestFromJSON({ ...(className === undefined ? {} : { className }), body: request.body });
        const schema = await request.core.createSchema({ auth: request.auth, change });
        return { body: toJSON(request)(schema) };
      },
    })),
    {
      method: 'PUT',
      path: '/schemas/:className',
      handler: async (request) => {
        const change = updateRequestFromJSON({ className: request.params['className'] as string, body: request.body });
        const schema = await request.core.updateSchema({ auth: request.auth, change });
        return { body: toJSON(request)(schema) };
      },
    },
    {
      method: 'DELETE',
      path: '/schemas/:className',
      handler: async (request) => {
        await request.core.deleteSchema({ auth: request.auth, className: request.params['className'] as string });
        return { body: {} };
      },
    },
    {
      method: 'DELETE',
      path: '/purge/:className',
      handler: async (request) => {
        await request.core.purgeClass({ auth: request.auth, className: request.params['className'] as string });
        return { body: {} };
      },
    },
  ];
}
