/** Request families of the object routes: create, get, find, update and delete of a class's objects, and batch. */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { findOptions, scalar, value, where, writeBody } from './payloads.js';
import type { Json } from './payloads.js';
import type { Draft, FuzzTarget, RequestParts } from './request-draft.js';

export interface ObjectRequests {
  readonly create: Arbitrary<Draft>;
  readonly get: Arbitrary<Draft>;
  readonly find: Arbitrary<Draft>;
  readonly update: Arbitrary<Draft>;
  readonly remove: Arbitrary<Draft>;
  readonly batch: Arbitrary<Draft>;
}

export function objectRequests(target: FuzzTarget, parts: RequestParts): ObjectRequests {
  const { objectId, cls, fuzzClass, routeSegment } = parts;
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
  return { create, get, find, update, remove, batch };
}
