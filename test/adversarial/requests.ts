/**
 * fast-check generators of whole HTTP requests for every REST route family (create, get, find, update,
 * delete, batch, schemas, users and sessions, functions, files, and the rest), under every kind of caller
 * (client key, a user's session, master key, no credentials, a dead token, the JS SDK's body-embedded
 * form). Built after seeding, from what the seeded server holds, so most requests name real objects.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { RawRequest } from './http-client.js';
import { FUZZ_CLASSES, className, findOptions, pollution, regex, scalar, value, where, writeBody } from './payloads.js';
import type { Json } from './payloads.js';

export interface FuzzTarget {
  readonly mount: string;
  readonly appId: string;
  readonly clientKey: string;
  readonly masterKey: string;
  /** A session of the user the fuzzer acts as (never the owner of the canaries). */
  readonly sessionToken: string;
  readonly userId: string;
  /** Seeded objects of the fuzz classes. */
  readonly objectIds: readonly string[];
  /** Cloud functions the server defines. */
  readonly functions: readonly string[];
  /** Stored file names. */
  readonly files: readonly string[];
  /** Whether batches may ask for `"transaction": true`. */
  readonly transactions: boolean;
}

export type Caller = 'client' | 'session' | 'master' | 'none' | 'deadSession' | 'bodyCredentials' | 'wrongKey';

/** What the fuzzer sends, plus who sent it (the oracles depend on it). */
export interface FuzzRequest extends RawRequest {
  readonly caller: Caller;
  readonly family: string;
}

interface Draft {
  readonly family: string;
  readonly method: string;
  /** After the mount path, e.g. `/classes/FzA`. */
  readonly path: string;
  readonly query?: Record<string, Json>;
  /** JSON (stringified here), or raw text/bytes sent as-is. */
  readonly json?: Json;
  readonly raw?: string | Uint8Array;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly caller?: Caller;
}

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD; encodeURIComponent would throw). */
function enc(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryString(query: Record<string, Json> | undefined): string {
  if (query === undefined) return '';
  const parts = Object.entries(query).map(
    ([key, v]) => `${enc(key)}=${enc(typeof v === 'string' ? v : JSON.stringify(v))}`,
  );
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

export function requestArbitrary(target: FuzzTarget): Arbitrary<FuzzRequest> {
  const objectId = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...target.objectIds) },
    { weight: 1, arbitrary: fc.constantFrom(target.userId, 'missing000', 'a'.repeat(300), '..', '%2e%2e', ' ') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const cls = className;
  const fuzzClass = fc.constantFrom(...FUZZ_CLASSES);
  const caller: Arbitrary<Caller> = fc.constantFrom(
    'client',
    'client',
    'client',
    'session',
    'session',
    'master',
    'none',
    'deadSession',
    'bodyCredentials',
    'wrongKey',
  );
  const routeSegment = (arb: Arbitrary<string>): Arbitrary<string> => arb.map(enc);

  const create = fc
    .record({ c: routeSegment(cls), body: writeBody })
    .map(({ c, body }): Draft => ({ family: 'create', method: 'POST', path: `/classes/${c}`, json: body }));
  const get = fc
    .record({ c: routeSegment(cls), id: routeSegment(objectId), q: fc.option(findOptions, { freq: 3 }) })
    .map(({ c, id, q }): Draft => ({
      family: 'get',
      method: 'GET',
      path: `/classes/${c}/${id}`,
      ...(q === null ? {} : { query: q }),
    }));
  const find = fc
    .record({
      c: routeSegment(fc.oneof({ weight: 4, arbitrary: fuzzClass }, { weight: 1, arbitrary: cls })),
      w: where,
      q: findOptions,
      inBody: fc.boolean(),
    })
    .map(({ c, w, q, inBody }): Draft =>
      inBody
        ? // Method override in the body, as the JS SDK and the mobile SDKs send long queries.
          { family: 'find', method: 'POST', path: `/classes/${c}`, json: { _method: 'GET', where: w, ...q } }
        : { family: 'find', method: 'GET', path: `/classes/${c}`, query: { where: w, ...q } },
    );
  const update = fc
    .record({ c: routeSegment(cls), id: routeSegment(objectId), body: writeBody })
    .map(({ c, id, body }): Draft => ({ family: 'update', method: 'PUT', path: `/classes/${c}/${id}`, json: body }));
  const remove = fc
    .record({ c: routeSegment(cls), id: routeSegment(objectId) })
    .map(({ c, id }): Draft => ({ family: 'delete', method: 'DELETE', path: `/classes/${c}/${id}` }));

  const subRequest = fc.oneof(create, get, find, update, remove).map((d): Json => ({
    method: d.method,
    path: `${target.mount}${d.path}`,
    ...(d.json === undefined ? (d.query === undefined ? {} : { body: d.query }) : { body: d.json }),
  }));
  const batch = fc
    .record({
      requests: fc.oneof(
        { weight: 6, arbitrary: fc.array(subRequest, { maxLength: 6 }) },
        {
          weight: 1,
          arbitrary: fc.array(
            fc.oneof(
              fc.record(
                {
                  method: fc.constantFrom('POST', 'GET', 'PATCH', 'x'),
                  path: fc.oneof(
                    fc.constantFrom(
                      '/parse/batch',
                      '/parse/users',
                      '/other/classes/FzA',
                      '/parse/../parse/classes/FzA',
                      '/parse/functions/echo',
                      '/parse/schemas',
                    ),
                    scalar,
                  ),
                  body: value,
                },
                { requiredKeys: [] },
              ),
              scalar,
            ),
            { maxLength: 4 },
          ),
        },
        { weight: 1, arbitrary: scalar },
      ),
      transaction: target.transactions
        ? fc.oneof(
            { weight: 5, arbitrary: fc.constant<Json>(false) },
            { weight: 1, arbitrary: fc.constant<Json>(true) },
            { weight: 1, arbitrary: scalar },
          )
        : fc.oneof(
            fc.constant<Json>(false),
            scalar.filter((v) => v !== true),
          ),
    })
    .map((body): Draft => ({ family: 'batch', method: 'POST', path: '/batch', json: body as Json }));

  const schemaBody = fc.record(
    {
      className: fc.oneof(fuzzClass, cls, scalar),
      fields: fc.dictionary(
        fc.oneof(
          fc.constantFrom('extra1', 'extra2', 'str', 'objectId', 'ACL', '_rperm', 'rowid'),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(
          fc.record(
            {
              type: fc.constantFrom('String', 'Number', 'Pointer', 'Relation', 'GeoPoint', 'Bogus', 'ACL'),
              targetClass: cls,
              required: scalar,
              defaultValue: value,
            },
            { requiredKeys: ['type'] },
          ),
          fc.constant<Json>({ __op: 'Delete' }),
          value,
        ),
        { maxKeys: 3 },
      ),
      classLevelPermissions: fc.oneof(
        fc.constant<Json>({
          find: { '*': true },
          get: { '*': true },
          create: { '*': true },
          update: { '*': true },
          delete: { '*': true },
          addField: { '*': true },
        }),
        fc.dictionary(fc.constantFrom('find', 'get', 'protectedFields', 'readUserFields', 'ACL', 'bogus'), value, {
          maxKeys: 3,
        }),
        pollution,
      ),
      indexes: fc.dictionary(
        fc.string({ maxLength: 8 }),
        fc.oneof(
          fc.dictionary(
            fc.constantFrom('str', 'num', '_id', 'x'),
            fc.constantFrom<Json>(1, -1, 'text', '2dsphere', 'hashed', 5),
          ),
          fc.constant<Json>({ __op: 'Delete' }),
        ),
        { maxKeys: 2 },
      ),
    },
    { requiredKeys: [] },
  );
  const schemas = fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      c: fc.option(routeSegment(fc.oneof(fc.constantFrom('FzC', 'FzNew', 'FzNew2'), cls)), { freq: 4 }),
      body: schemaBody,
      caller: fc.oneof({ weight: 4, arbitrary: fc.constant<Caller>('master') }, { weight: 1, arbitrary: caller }),
    })
    .map(({ method, c, body, caller: who }): Draft => ({
      family: 'schemas',
      method,
      // Never drop or rewrite the seeded classes' schemas wholesale: the rest of the run needs them.
      path: c === null ? '/schemas' : `/schemas/${c}`,
      ...(method === 'GET' || method === 'DELETE' ? {} : { json: body as Json }),
      caller: who,
    }));

  const credentials = fc.record(
    {
      username: fc.oneof(fc.constantFrom('fuzzer', 'bob', 'alice', 'x'.repeat(300)), scalar, value),
      password: fc.oneof(fc.constantFrom('pw', ''), scalar, value),
      email: fc.oneof(fc.constantFrom('bob@example.com', 'a@b', 'not-an-email'), scalar, value),
      authData: fc.oneof(
        fc.constant<Json>({ anonymous: { id: '00000000-0000-4000-8000-000000000000' } }),
        fc.dictionary(fc.constantFrom('anonymous', 'facebook', 'oidc', '__proto__', 'x'), value, { maxKeys: 2 }),
        scalar,
      ),
      sessionToken: scalar,
      emailVerified: scalar,
      ignoreEmailVerification: scalar,
      token: scalar,
      userId: fc.oneof(fc.constant(target.userId), scalar),
    },
    { requiredKeys: [] },
  );
  const users = fc
    .record({
      route: fc.constantFrom(
        ['POST', '/users'],
        ['POST', '/users'],
        ['POST', '/login'],
        ['GET', '/login'],
        ['GET', '/users/me'],
        ['PUT', `/users/${target.userId}`],
        ['GET', `/users/${target.userId}`],
        ['GET', '/users'],
        ['POST', '/logout'],
        ['POST', '/requestPasswordReset'],
        ['POST', '/verificationEmailRequest'],
        ['POST', '/verifyPassword'],
        ['GET', '/verifyPassword'],
        ['POST', '/upgradeToRevocableSession'],
        ['POST', '/loginAs'],
        ['POST', '/challenge'],
        ['GET', '/sessions'],
        ['GET', '/sessions/me'],
        ['POST', '/sessions'],
        ['PUT', '/sessions/me'],
        ['GET', '/roles'],
        ['POST', '/roles'],
      ),
      body: fc.oneof({ weight: 3, arbitrary: credentials }, { weight: 1, arbitrary: writeBody }),
      caller: fc.constantFrom<Caller>(
        'client',
        'client',
        'session',
        'none',
        'deadSession',
        'bodyCredentials',
        'master',
      ),
    })
    .map(({ route, body, caller: who }): Draft => {
      const [method, path] = route as readonly [string, string];
      return method === 'GET'
        ? { family: 'users', method, path, query: body as Record<string, Json>, caller: who }
        : { family: 'users', method, path, json: body as Json, caller: who };
    });

  const functions = fc
    .record({
      name: routeSegment(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...target.functions) },
          { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
        ),
      ),
      body: fc.oneof(value, writeBody, pollution),
      multipart: fc.boolean(),
    })
    .map(({ name, body, multipart }): Draft =>
      multipart
        ? {
            family: 'functions',
            method: 'POST',
            path: `/functions/${name}`,
            raw: `--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n${JSON.stringify(body)}\r\n--b--\r\n`,
            contentType: 'multipart/form-data; boundary=b',
          }
        : { family: 'functions', method: 'POST', path: `/functions/${name}`, json: body },
    );

  const fileName = fc.oneof(
    fc.constantFrom(
      'a.txt',
      'b.png',
      'c',
      'd.html',
      'e.svg',
      '.hidden',
      'x'.repeat(200),
      '..%2Fetc%2Fpasswd',
      'a%00.txt',
      'metadata',
    ),
    fc.string({ maxLength: 12 }),
  );
  const files = fc.oneof(
    fc
      .record({
        name: fileName,
        bytes: fc.uint8Array({ maxLength: 512 }),
        type: fc.constantFrom(
          'text/plain',
          'image/png',
          'text/html',
          'application/octet-stream',
          'image/svg+xml',
          '',
          'x/y; charset=\u0000',
        ),
        headers: fc.record(
          {
            'X-Parse-Upload-Mode': fc.constant('stream'),
            'X-Parse-File-Metadata': fc.string({ maxLength: 20 }),
            'X-Parse-File-Tags': fc.constant('{"a":"b"}'),
            'X-Parse-File-Directory': fc.constantFrom('dir', '../x', 'metadata/x'),
          },
          { requiredKeys: [] },
        ),
      })
      .map(({ name, bytes, type, headers }): Draft => ({
        family: 'files',
        method: 'POST',
        path: `/files/${enc(name)}`,
        raw: bytes,
        contentType: type,
        headers,
      })),
    fc
      .record({
        name: fileName,
        base64: fc.oneof(fc.base64String({ maxLength: 64 }), fc.string({ maxLength: 10 })),
        fileData: value,
      })
      .map(({ name, base64, fileData }): Draft => ({
        family: 'files',
        method: 'POST',
        path: `/files/${enc(name)}`,
        json: { base64, fileData, _ContentType: 'text/plain' },
        caller: 'bodyCredentials',
      })),
    fc
      .record({
        name: fc.oneof(fc.constantFrom(...target.files), fileName),
        meta: fc.boolean(),
        range: fc.option(fc.constantFrom('bytes=0-1', 'bytes=5-1', 'bytes=-1', 'bytes=0-99999999999', 'junk'), {
          freq: 2,
        }),
      })
      .map(({ name, meta, range }): Draft => ({
        family: 'files',
        method: 'GET',
        path: `/files/${enc(target.appId)}/${meta ? 'metadata/' : ''}${enc(name)}`,
        ...(range === null ? {} : { headers: { Range: range } }),
      })),
    fc
      .record({ name: fileName })
      .map(({ name }): Draft => ({ family: 'files', method: 'DELETE', path: `/files/${enc(name)}` })),
  );

  // Everything else a client can reach, and paths and bodies no route expects.
  const other = fc.oneof(
    fc
      .record({
        c: routeSegment(cls),
        q: fc.record(
          {
            where,
            distinct: fc.oneof(fc.constantFrom('str', 'num', 'toString', '_rperm'), scalar),
            pipeline: fc.oneof(
              fc.array(
                fc.dictionary(
                  fc.constantFrom(
                    '$match',
                    '$group',
                    '$sample',
                    '$project',
                    '$lookup',
                    '$out',
                    '$merge',
                    '$where',
                    'group',
                    '$limit',
                    '$sort',
                  ),
                  value,
                  { maxKeys: 1 },
                ),
                { maxLength: 3 },
              ),
              value,
            ),
          },
          { requiredKeys: [] },
        ),
      })
      .map(({ c, q }): Draft => ({
        family: 'other',
        method: 'GET',
        path: `/aggregate/${c}`,
        query: q as Record<string, Json>,
        caller: 'master',
      })),
    fc
      .record(
        { params: fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 3 }), masterKeyOnly: value },
        { requiredKeys: [] },
      )
      .map((body): Draft => ({ family: 'other', method: 'PUT', path: '/config', json: body as Json })),
    fc.constantFrom<Draft>(
      { family: 'other', method: 'GET', path: '/config' },
      { family: 'other', method: 'GET', path: '/serverInfo' },
      { family: 'other', method: 'GET', path: '/health' },
      { family: 'other', method: 'POST', path: '/events/AppOpened', json: {} },
      { family: 'other', method: 'DELETE', path: '/purge/FzC' },
      { family: 'other', method: 'GET', path: '/hooks/functions' },
      { family: 'other', method: 'GET', path: '/scriptlog' },
      { family: 'other', method: 'POST', path: '/push', json: { where: {}, data: { alert: 'x' } } },
      { family: 'other', method: 'POST', path: '/jobs/none', json: {} },
      { family: 'other', method: 'GET', path: '/classes/FzA', raw: '{"where":', contentType: 'application/json' },
      {
        family: 'other',
        method: 'POST',
        path: '/classes/FzA',
        raw: '{"a":1,"a":2,"__proto__":{"polluted":"yes"}}',
        contentType: 'text/plain',
      },
      { family: 'other', method: 'POST', path: '/classes/FzA', raw: '[1,2,3]', contentType: 'application/json' },
      { family: 'other', method: 'POST', path: '/classes/FzA', raw: '"string"', contentType: 'application/json' },
      { family: 'other', method: 'POST', path: '/classes/FzA', raw: '\u0000\u0001', contentType: 'application/json' },
      {
        family: 'other',
        method: 'POST',
        path: '/classes/FzA',
        raw: `${'['.repeat(5000)}${']'.repeat(5000)}`,
        contentType: 'application/json',
      },
      {
        family: 'other',
        method: 'POST',
        path: '/classes/FzA',
        raw: `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
        contentType: 'application/json',
      },
      { family: 'other', method: 'PATCH', path: '/classes/FzA' },
      { family: 'other', method: 'OPTIONS', path: '/classes/FzA' },
      { family: 'other', method: 'GET', path: '//classes//FzA' },
      { family: 'other', method: 'GET', path: '/classes/FzA/x/y/z' },
      { family: 'other', method: 'GET', path: '/%' },
      { family: 'other', method: 'GET', path: '/classes/%E0%A4%A' },
    ),
    fc
      .record({
        path: fc.string({ maxLength: 30 }),
        method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        body: value,
      })
      .map(({ path, method, body }): Draft => ({ family: 'other', method, path: `/${enc(path)}`, json: body })),
    fc
      .record({
        header: fc.constantFrom(
          'X-Parse-Cloud-Context',
          'X-Parse-Installation-Id',
          'X-Parse-Request-Id',
          'X-Parse-Client-Version',
          'X-Forwarded-For',
          'Content-Type',
          'Authorization',
          'X-Parse-Revocable-Session',
        ),
        v: fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.constantFrom(
            '{"__proto__":{"polluted":"yes"}}',
            '[]',
            'null',
            'Basic ' + Buffer.from('x:y').toString('base64'),
            '1.2.3.4, 127.0.0.1',
          ),
        ),
      })
      .map(({ header, v }): Draft => ({
        family: 'other',
        method: 'POST',
        path: '/functions/echo',
        json: { a: 1 },
        headers: { [header]: v },
      })),
    fc.record({ r: regex }).map(({ r }): Draft => ({
      family: 'find',
      method: 'GET',
      path: '/classes/FzA',
      query: { where: { str: { $regex: r } } },
    })),
  );

  const draft = fc.oneof(
    { weight: 15, arbitrary: create },
    { weight: 10, arbitrary: get },
    { weight: 25, arbitrary: find },
    { weight: 12, arbitrary: update },
    { weight: 5, arbitrary: remove },
    { weight: 8, arbitrary: batch },
    { weight: 5, arbitrary: schemas },
    { weight: 10, arbitrary: users },
    { weight: 5, arbitrary: functions },
    { weight: 5, arbitrary: files },
    { weight: 5, arbitrary: other },
  );
  return fc.record({ d: draft, who: caller }).map(({ d, who }) => toRequest(target, d, d.caller ?? who));
}

function toRequest(target: FuzzTarget, draft: Draft, caller: Caller): FuzzRequest {
  const headers: Record<string, string> = {};
  const app = { 'X-Parse-Application-Id': target.appId };
  switch (caller) {
    case 'client':
      Object.assign(headers, app, { 'X-Parse-REST-API-Key': target.clientKey });
      break;
    case 'session':
      Object.assign(headers, app, {
        'X-Parse-REST-API-Key': target.clientKey,
        'X-Parse-Session-Token': target.sessionToken,
      });
      break;
    case 'master':
      Object.assign(headers, app, { 'X-Parse-Master-Key': target.masterKey });
      break;
    case 'deadSession':
      Object.assign(headers, app, {
        'X-Parse-REST-API-Key': target.clientKey,
        'X-Parse-Session-Token': 'r:0123456789abcdef0123456789abcdef',
      });
      break;
    case 'wrongKey':
      Object.assign(headers, app, { 'X-Parse-REST-API-Key': 'wrong', 'X-Parse-Master-Key': 'wrong' });
      break;
    case 'none':
    case 'bodyCredentials':
      break;
  }
  Object.assign(headers, draft.headers ?? {});
  let method = draft.method;
  let body: string | Uint8Array | undefined = draft.raw;
  let json = draft.json;
  let query = draft.query;
  if (caller === 'bodyCredentials') {
    // The JS SDK's form: POST text/plain, the method and credentials inside the JSON body.
    const fields: Record<string, Json> =
      json !== null && typeof json === 'object' && !Array.isArray(json)
        ? { ...json }
        : json === undefined
          ? {}
          : { value: json };
    if (query !== undefined) Object.assign(fields, query);
    query = undefined;
    json = {
      ...fields,
      _method: method,
      _ApplicationId: target.appId,
      _JavaScriptKey: target.clientKey,
      _SessionToken: target.sessionToken,
    };
    method = 'POST';
    headers['Content-Type'] = 'text/plain';
    body = undefined;
  }
  if (body === undefined && json !== undefined) {
    body = JSON.stringify(json);
    headers['Content-Type'] ??= 'application/json';
  } else if (body !== undefined && draft.contentType !== undefined) {
    headers['Content-Type'] = draft.contentType;
  }
  return {
    caller,
    family: draft.family,
    method,
    path: `${target.mount}${draft.path}${queryString(query)}`,
    headers,
    ...(body === undefined ? {} : { body }),
  };
}
