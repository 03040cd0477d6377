/** Request families of the routes that manage an app: schemas, users and sessions (and roles), cloud functions. */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { pollution, scalar, value, writeBody } from './payloads.js';
import type { Json } from './payloads.js';
import type { Caller, Draft, FuzzTarget, RequestParts } from './request-draft.js';

export interface AdminRequests {
  readonly schemas: Arbitrary<Draft>;
  readonly users: Arbitrary<Draft>;
  readonly functions: Arbitrary<Draft>;
}

export function adminRequests(target: FuzzTarget, parts: RequestParts): AdminRequests {
  const { cls, fuzzClass, caller, routeSegment } = parts;
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
  return { schemas, users, functions };
}
