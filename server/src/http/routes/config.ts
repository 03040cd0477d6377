import { ErrorCode, ParseError } from '../../errors/index.js';
import { decodeValue, encodeValue, isPlainObject } from '../../schema/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { originOf } from '../origin.js';

/**
 * `GET /config` (any client) and `PUT /config` (master key): Parse Config (rest.md §13). `GET` / `PUT
 * /graphql-config` (master key): the GraphQL config (`_GraphQLConfig`); GET answers the config itself, PUT takes
 * `{params: config}` and answers `{response: {result: true}}`, both as parse-server does.
 */
export function configRoutes(encoding: EncodingContext): RouteDefinition[] {
  return [
    { method: 'GET', path: '/config', handler: (r) => getConfig(encoding, r) },
    { method: 'PUT', path: '/config', handler: (r) => updateConfig(encoding, r) },
    {
      method: 'GET',
      path: '/graphql-config',
      handler: async (r) => ({ body: await r.core.getGraphQLConfig({ auth: r.auth }) }),
    },
    {
      method: 'PUT',
      path: '/graphql-config',
      handler: async (r) => {
        await r.core.updateGraphQLConfig({ auth: r.auth, config: r.body['params'] ?? {} });
        return { body: { response: { result: true } } };
      },
    },
  ];
}

async function getConfig(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const result = await request.core.getConfig({ auth: request.auth });
  const options = encoding.forRequest(request);
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result.params)) params[key] = encodeValue(value, options);
  return { body: result.masterKeyOnly === undefined ? { params } : { params, masterKeyOnly: result.masterKeyOnly } };
}

function isDeleteOp(value: unknown): boolean {
  return isPlainObject(value) && value['__op'] === 'Delete';
}

async function updateConfig(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const { params = {}, masterKeyOnly = {} } = request.body;
  if (!isPlainObject(params)) throw new ParseError(ErrorCode.INVALID_JSON, { message: 'params must be an object.' });
  if (!isPlainObject(masterKeyOnly)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'masterKeyOnly must be an object.' });
  }
  const set: Record<string, ParseValue> = {};
  const unset: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (key === '' || key.includes('.') || key.startsWith('$')) {
      throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid config parameter name: ${key}` });
    }
    if (isDeleteOp(value)) unset.push(key);
    else set[key] = decodeValue(value, { maxDepth: encoding.maxDepth });
  }
  const flags: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(masterKeyOnly)) flags[key] = value === true;
  await request.core.updateConfig({
    auth: request.auth,
    set,
    unset,
    masterKeyOnly: flags,
    origin: originOf(request, encoding),
  });
  return { body: { result: true } };
}
