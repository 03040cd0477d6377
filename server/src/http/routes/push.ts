import { requireMaster } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { decodeWriteBody, encodeObject, encodeSaveResult } from '../../core/index.js';
import type { PushService } from '../../push/index.js';
import { isPlainObject } from '../../schema/index.js';
import type { ApiHandler, ApiRequest, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { originOf } from '../origin.js';

const AUDIENCE = '_Audience';
const MAX_AUDIENCES = 1000;
const OBJECT_ID = /^[A-Za-z0-9]{1,64}$/;

/**
 * `POST /push` (push.md §1): 200 `{"result":true}` with `X-Parse-Push-Status-Id`. And parse-dashboard's
 * `/push_audiences` (saved `_Installation` queries in `_Audience`, master key): `query` is stored as the JSON
 * text parse-server stores and answered as an object.
 */
export function pushRoutes(options: { push: PushService; encoding: EncodingContext }): RouteDefinition[] {
  const { push, encoding } = options;
  const send: ApiHandler = async (request) => {
    // Sending is the master key's alone (push.md §1); the read-only master key is told why not.
    requireMaster(request.auth, { access: 'write', readOnlyAction: 'send a push' });
    const statusId = await push.send({
      auth: request.auth,
      body: request.body,
      origin: originOf(request, encoding),
    });
    return { body: { result: true }, headers: { 'X-Parse-Push-Status-Id': statusId } };
  };
  const audienceOut = (request: ApiRequest, object: Parameters<typeof encodeObject>[0]): Record<string, unknown> => {
    const out = encodeObject(object, encoding.forRequest(request));
    if (typeof out['query'] === 'string') {
      try {
        out['query'] = JSON.parse(out['query']) as unknown;
      } catch {
        // An audience stored by hand with a broken query: answered as stored.
      }
    }
    return out;
  };
  const list: ApiHandler = async (request) => {
    const result = await request.core.find({
      auth: request.auth,
      className: AUDIENCE,
      order: '-updatedAt',
      limit: MAX_AUDIENCES,
      origin: originOf(request, encoding),
    });
    return { body: { results: result.results.map((o) => audienceOut(request, o)) } };
  };
  const getOne: ApiHandler = async (request) => {
    const object = await request.core.get({
      auth: request.auth,
      className: AUDIENCE,
      objectId: audienceId(request),
      origin: originOf(request, encoding),
    });
    return { body: audienceOut(request, object) };
  };
  const create: ApiHandler = async (request) => {
    const result = await request.core.create({
      auth: request.auth,
      className: AUDIENCE,
      input: decodeWriteBody(audienceBody(request.body, { create: true }), { maxDepth: encoding.maxDepth }),
      origin: originOf(request, encoding),
    });
    return { status: 201, body: encodeSaveResult(result, { ...encoding.forRequest(request), created: true }) };
  };
  const update: ApiHandler = async (request) => {
    const result = await request.core.update({
      auth: request.auth,
      className: AUDIENCE,
      objectId: audienceId(request),
      input: decodeWriteBody(audienceBody(request.body, { create: false }), { maxDepth: encoding.maxDepth }),
      origin: originOf(request, encoding),
    });
    return { body: encodeSaveResult(result, { ...encoding.forRequest(request), created: false }) };
  };
  const remove: ApiHandler = async (request) => {
    await request.core.destroy({
      auth: request.auth,
      className: AUDIENCE,
      objectId: audienceId(request),
      origin: originOf(request, encoding),
    });
    return { body: {} };
  };
  return [
    { method: 'POST', path: '/push', handler: send },
    { method: 'GET', path: '/push_audiences', handler: list },
    { method: 'POST', path: '/push_audiences', handler: create },
    { method: 'GET', path: '/push_audiences/:objectId', handler: getOne },
    { method: 'PUT', path: '/push_audiences/:objectId', handler: update },
    { method: 'DELETE', path: '/push_audiences/:objectId', handler: remove },
  ];
}

function audienceId(request: ApiRequest): string {
  const id = request.params['objectId'] as string;
  if (!OBJECT_ID.test(id)) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
  return id;
}

/** `name` and `query` only; `query` an object (or its JSON text), stored as JSON text. */
function audienceBody(body: Record<string, unknown>, options: { create: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) {
    if (key !== 'name' && key !== 'query') {
      throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid field name: ${key}.` });
    }
  }
  const { name, query } = body;
  if (name !== undefined || options.create) {
    if (typeof name !== 'string' || name === '')
      throw new ParseError(ErrorCode.INVALID_JSON, { message: 'name must be a non-empty string.' });
    out['name'] = name;
  }
  if (query !== undefined || options.create) {
    let parsed: unknown = query;
    if (typeof query === 'string') {
      try {
        parsed = JSON.parse(query);
      } catch {
        parsed = undefined;
      }
    }
    if (!isPlainObject(parsed))
      throw new ParseError(ErrorCode.INVALID_JSON, { message: 'query must be an _Installation query object.' });
    out['query'] = JSON.stringify(parsed);
  }
  return out;
}
