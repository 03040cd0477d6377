import { ErrorCode, ParseError } from '../../errors/index.js';
import { assertClassName, invalidClassNameMessage, isValidClassName } from '../../schema/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import { decodeWriteBody, encodeObject, encodeSaveResult } from '../../core/index.js';
import { findQueryOptions } from '../find-params.js';
import { optionalIncludeList, optionalInteger, optionalKeyList, truthy, whereParam } from '../params.js';
import type { EncodingContext } from '../encoding-context.js';
import { originOf } from '../origin.js';

/** Parameters a find accepts (rest.md §4.5); anything else → 102. */
const FIND_PARAMS = new Set([
  'where',
  'order',
  'limit',
  'skip',
  'keys',
  'excludeKeys',
  'include',
  'includeAll',
  'count',
  'readPreference',
  'includeReadPreference',
  'subqueryReadPreference',
  'hint',
  'explain',
  'comment',
  'redirectClassNameForKey',
]);
/** Parameters a get accepts (rest.md §4.2); anything else → 102 "Improper encode of parameter". */
const GET_PARAMS = new Set([
  'keys',
  'include',
  'excludeKeys',
  'readPreference',
  'includeReadPreference',
  'subqueryReadPreference',
]);

const OBJECT_ID = /^[A-Za-z0-9]{1,64}$/;

/** `/classes/:className[/:objectId]`: the Parse object API (rest.md §4). */
export function classRoutes(encoding: EncodingContext): RouteDefinition[] {
  return [
    { method: 'GET', path: '/classes/:className', batchable: true, handler: (r) => findObjects(encoding, r) },
    { method: 'POST', path: '/classes/:className', batchable: true, handler: (r) => createObject(encoding, r) },
    { method: 'GET', path: '/classes/:className/:objectId', batchable: true, handler: (r) => getObject(encoding, r) },
    {
      method: 'PUT',
      path: '/classes/:className/:objectId',
      batchable: true,
      handler: (r) => updateObject(encoding, r),
    },
    {
      method: 'DELETE',
      path: '/classes/:className/:objectId',
      batchable: true,
      handler: (r) => deleteObject(encoding, r),
    },
  ];
}

function className(request: ApiRequest): string {
  const name = request.params['className'] as string;
  assertClassName(name);
  return name;
}

/**
 * The class a save (create or update) writes to. An invalid name is 107 here, as parse-server answers a save
 * through `/classes` (its implicit class creation fails as bad input); the schema API and reads keep 103.
 */
function savedClassName(request: ApiRequest): string {
  const name = request.params['className'] as string;
  if (!isValidClassName(name)) throw new ParseError(ErrorCode.INVALID_JSON, { message: invalidClassNameMessage(name) });
  return name;
}

function objectId(request: ApiRequest): string {
  const id = request.params['objectId'] as string;
  // An id that cannot exist is simply not found (and never reaches storage).
  if (!OBJECT_ID.test(id)) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
  return id;
}

function mergedParams(request: ApiRequest): Record<string, unknown> {
  return { ...request.body, ...request.query };
}

async function findObjects(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const params = mergedParams(request);
  for (const key of Object.keys(params)) {
    if (!FIND_PARAMS.has(key))
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Invalid parameter for query: ${key}` });
  }
  const include = optionalIncludeList(params['include']);
  const includeAll = truthy(params['includeAll']) ? ['*'] : [];
  const keys = optionalKeyList(params['keys']);
  const excludeKeys = optionalKeyList(params['excludeKeys']);
  const limit = optionalInteger(params['limit'], 'limit');
  const skip = optionalInteger(params['skip'], 'skip');
  const order = params['order'];
  if (order !== undefined && typeof order !== 'string') {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'order must be a comma-separated string.' });
  }
  const result = await request.core.find({
    auth: request.auth,
    className: className(request),
    where: whereParam(params['where']),
    ...(order === undefined ? {} : { order }),
    ...(limit === undefined ? {} : { limit }),
    ...(skip === undefined ? {} : { skip }),
    ...(keys === undefined ? {} : { keys }),
    ...(excludeKeys === undefined ? {} : { excludeKeys }),
    ...(include === undefined && includeAll.length === 0 ? {} : { include: [...(include ?? []), ...includeAll] }),
    count: truthy(params['count']),
    ...findQueryOptions(params),
    origin: originOf(request, encoding),
  });
  // `explain` answers the database plan in place of the objects (rest.md §4.5).
  if (result.explain !== undefined) return { body: { results: result.explain } };
  const options = encoding.forRequest(request);
  const body: Record<string, unknown> = { results: result.results.map((o) => encodeObject(o, options)) };
  if (result.count !== undefined) body['count'] = result.count;
  return { body };
}

async function getObject(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const params = mergedParams(request);
  for (const key of Object.keys(params)) {
    if (!GET_PARAMS.has(key))
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'Improper encode of parameter' });
  }
  const keys = optionalKeyList(params['keys']);
  const excludeKeys = optionalKeyList(params['excludeKeys']);
  const include = optionalIncludeList(params['include']);
  const object = await request.core.get({
    auth: request.auth,
    className: className(request),
    objectId: objectId(request),
    ...(keys === undefined ? {} : { keys }),
    ...(excludeKeys === undefined ? {} : { excludeKeys }),
    ...(include === undefined ? {} : { include }),
    origin: originOf(request, encoding),
  });
  return { body: encodeObject(object, encoding.forRequest(request)) };
}

async function createObject(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const name = savedClassName(request);
  const input = decodeWriteBody(request.body, { maxDepth: encoding.maxDepth });
  const result = await request.core.create({
    auth: request.auth,
    className: name,
    input,
    origin: originOf(request, encoding),
  });
  // A create the class turned into an update (an installation registering again) answers like one.
  if (result.createdAt === undefined) {
    return { body: encodeSaveResult(result, { ...encoding.forRequest(request), created: false }) };
  }
  return {
    status: 201,
    headers: { Location: `${request.mountURL}/classes/${name}/${result.objectId}` },
    body: encodeSaveResult(result, { ...encoding.forRequest(request), created: true }),
  };
}

async function updateObject(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const name = savedClassName(request);
  const id = objectId(request);
  const input = decodeWriteBody(request.body, { maxDepth: encoding.maxDepth });
  const result = await request.core.update({
    auth: request.auth,
    className: name,
    objectId: id,
    input,
    origin: originOf(request, encoding),
  });
  return { body: encodeSaveResult(result, { ...encoding.forRequest(request), created: false }) };
}

async function deleteObject(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  await request.core.destroy({
    auth: request.auth,
    className: className(request),
    objectId: objectId(request),
    origin: originOf(request, encoding),
  });
  return { body: {} };
}
