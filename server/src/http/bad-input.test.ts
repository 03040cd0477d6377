import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { CallOptions, TestServer } from '../testing/test-server.test-util.js';

/**
 * Bad input answers a Parse error with the right code and a 4xx, changes nothing, and never crashes
 * the server (issue: foundation, item 7). Each scenario is followed by a check that the class still
 * holds exactly the one seed object.
 */
describe('bad input', () => {
  let server: TestServer;
  let seedId: string;
  before(async () => {
    server = await startTestServer();
    const created = await server.call({
      method: 'POST',
      path: '/classes/Item',
      body: { score: 1, tags: ['a'], meta: { k: 1 } },
    });
    seedId = (created.body as { objectId: string }).objectId;
  });
  after(() => server.close());

  const deep = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  };

  const deepWhere = (depth: number): unknown => {
    let where: unknown = { score: 1 };
    for (let i = 0; i < depth; i++) where = { $or: [where] };
    return where;
  };

  const scenarios: Array<{ name: string; request: () => CallOptions; status: number; code?: number; error?: RegExp }> =
    [
      {
        name: 'malformed JSON',
        request: () => ({ method: 'POST', path: '/classes/Item', raw: '{"score": 1,' }),
        status: 400,
        code: 107,
      },
      {
        name: 'a JSON array body',
        request: () => ({ method: 'POST', path: '/classes/Item', raw: '[1,2]' }),
        status: 400,
        code: 107,
      },
      {
        name: 'wrong value type for a field',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { score: 'high' } }),
        status: 400,
        code: 111,
      },
      {
        name: 'invalid Date',
        request: () => ({
          method: 'POST',
          path: '/classes/Item',
          body: { when: { __type: 'Date', iso: 'yesterday' } },
        }),
        status: 400,
        code: 111,
      },
      {
        name: 'unknown __type',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { x: { __type: 'Banana' } } }),
        status: 400,
        code: 111,
      },
      {
        name: 'unknown __op',
        request: () => ({
          method: 'PUT',
          path: `/classes/Item/${seedId}`,
          body: { score: { __op: 'Multiply', amount: 2 } },
        }),
        status: 400,
        code: 107,
      },
      {
        name: 'Increment without a number',
        request: () => ({
          method: 'PUT',
          path: `/classes/Item/${seedId}`,
          body: { score: { __op: 'Increment', amount: '2' } },
        }),
        status: 400,
        code: 107,
      },
      {
        name: 'Add without an array',
        request: () => ({
          method: 'PUT',
          path: `/classes/Item/${seedId}`,
          body: { tags: { __op: 'Add', objects: 'x' } },
        }),
        status: 400,
        code: 107,
      },
      {
        name: 'Batch op mixing non-relation ops',
        request: () => ({
          method: 'PUT',
          path: `/classes/Item/${seedId}`,
          body: { rel: { __op: 'Batch', ops: [{ __op: 'Increment', amount: 1 }] } },
        }),
        status: 400,
        code: 108,
      },
      {
        name: 'unknown query operator',
        request: () => ({ path: `/classes/Item?where=${encodeURIComponent('{"score":{"$foo":1}}')}` }),
        status: 400,
        code: 107,
      },
      {
        name: 'where that is not JSON',
        request: () => ({ path: '/classes/Item?where=%7Bscore' }),
        status: 400,
        code: 107,
      },
      { name: 'unknown find parameter', request: () => ({ path: '/classes/Item?banana=1' }), status: 400, code: 102 },
      { name: 'negative limit', request: () => ({ path: '/classes/Item?limit=-5' }), status: 400, code: 102 },
      {
        name: 'non-string $regex',
        request: () => ({ path: `/classes/Item?where=${encodeURIComponent('{"name":{"$regex":5}}')}` }),
        status: 400,
        code: 102,
      },
      {
        name: 'querying ACL',
        request: () => ({ path: `/classes/Item?where=${encodeURIComponent('{"ACL":1}')}` }),
        status: 400,
        code: 102,
      },
      {
        name: 'invalid key in where',
        request: () => ({ path: `/classes/Item?where=${encodeURIComponent('{"bad-key":1}')}` }),
        status: 400,
        code: 105,
      },
      {
        name: 'oversized body',
        request: () => ({
          method: 'POST',
          path: '/classes/Item',
          raw: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }),
        }),
        status: 413,
        code: 116,
      },
      {
        name: 'over-deep nesting in a value',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { meta2: deep(200) } }),
        status: 400,
        code: 107,
      },
      {
        name: 'over-deep nesting in a where',
        request: () => ({ path: `/classes/Item?where=${encodeURIComponent(JSON.stringify(deepWhere(40)))}` }),
        status: 400,
        code: 102,
      },
      {
        name: 'JSON too deep for the parser',
        request: () => ({ method: 'POST', path: '/classes/Item', raw: '['.repeat(200_000) + ']'.repeat(200_000) }),
        status: 400,
        code: 107,
      },
      {
        name: 'invalid object id on get',
        request: () => ({ path: '/classes/Item/not$valid' }),
        status: 404,
        code: 101,
      },
      { name: 'missing object on get', request: () => ({ path: '/classes/Item/abcdefghij' }), status: 404, code: 101 },
      {
        name: 'missing object on update',
        request: () => ({ method: 'PUT', path: '/classes/Item/abcdefghij', body: { score: 2 } }),
        status: 404,
        code: 101,
      },
      {
        name: 'missing object on delete',
        request: () => ({ method: 'DELETE', path: '/classes/Item/abcdefghij' }),
        status: 404,
        code: 101,
      },
      {
        name: '__proto__ key at top level',
        request: () => ({ method: 'POST', path: '/classes/Item', raw: '{"__proto__":{"polluted":true}}' }),
        status: 400,
        code: 105,
      },
      {
        name: '__proto__ key nested',
        request: () => ({ method: 'POST', path: '/classes/Item', raw: '{"meta":{"__proto__":{"polluted":true}}}' }),
        status: 400,
        code: 105,
      },
      {
        name: 'constructor key nested',
        request: () => ({
          method: 'POST',
          path: '/classes/Item',
          raw: '{"meta":{"constructor":{"prototype":{"polluted":true}}}}',
        }),
        status: 400,
        code: 105,
      },
      {
        name: '__proto__ in where',
        request: () => ({ path: `/classes/Item?where=${encodeURIComponent('{"__proto__":{"polluted":true}}')}` }),
        status: 400,
        code: 105,
      },
      {
        name: 'nested key with a dot',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { meta: { 'a.b': 1 } } }),
        status: 400,
        code: 121,
      },
      {
        name: 'nested key with a dollar',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { meta: { $set: 1 } } }),
        status: 400,
        code: 121,
      },
      {
        name: 'invalid field name',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { 'bad field': 1 } }),
        status: 400,
        code: 105,
      },
      {
        name: 'field name starting with _',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { _secret: 1 } }),
        status: 400,
        code: 105,
      },
      {
        name: 'objectId in a create body',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { objectId: 'abc', score: 1 } }),
        status: 400,
        code: 105,
      },
      {
        name: 'invalid class name',
        // Saving through /classes is 107, as parse-server (issue 11's compatibility list); /schemas keeps 103.
        request: () => ({ method: 'POST', path: '/classes/1Item', body: { score: 1 } }),
        status: 400,
        code: 107,
      },
      {
        name: 'invalid ACL',
        request: () => ({ method: 'POST', path: '/classes/Item', body: { score: 1, ACL: { '*': { read: 'yes' } } } }),
        status: 400,
        code: 123,
      },
      {
        name: 'unresolved ACL entity',
        request: () => ({
          method: 'POST',
          path: '/classes/Item',
          body: { score: 1, ACL: { '*unresolved': { read: true } } },
        }),
        status: 400,
        code: 123,
      },
      {
        name: 'second GeoPoint field',
        request: () => ({
          method: 'POST',
          path: '/classes/Item',
          body: {
            p1: { __type: 'GeoPoint', latitude: 1, longitude: 2 },
            p2: { __type: 'GeoPoint', latitude: 1, longitude: 2 },
          },
        }),
        status: 400,
        code: 111,
      },
      {
        name: 'GeoPoint out of range',
        request: () => ({
          method: 'POST',
          path: '/classes/Item',
          body: { loc: { __type: 'GeoPoint', latitude: 100, longitude: 2 } },
        }),
        status: 400,
        code: 111,
      },
      {
        name: 'batch requests not an array',
        request: () => ({ method: 'POST', path: '/batch', body: { requests: {} } }),
        status: 400,
        code: 107,
      },
      {
        name: 'batch path outside the mount',
        request: () => ({
          method: 'POST',
          path: '/batch',
          body: { requests: [{ method: 'POST', path: '/other/classes/Item', body: {} }] },
        }),
        status: 400,
        code: 107,
      },
      {
        name: 'nested batch',
        request: () => ({
          method: 'POST',
          path: '/batch',
          body: { requests: [{ method: 'POST', path: '/parse/batch', body: { requests: [] } }] },
        }),
        status: 400,
        code: 107,
      },
      {
        name: 'bad cloud context header',
        request: () => ({ path: '/classes/Item', headers: { 'X-Parse-Cloud-Context': '[1]' } }),
        status: 400,
        code: 107,
      },
      { name: 'schemas without the master key', request: () => ({ path: '/schemas' }), status: 403 },
    ];

  for (const scenario of scenarios) {
    it(`${scenario.name} → ${scenario.status}${scenario.code === undefined ? '' : ` code ${scenario.code}`}`, async () => {
      const response = await server.call(scenario.request());
      assert.equal(response.status, scenario.status, JSON.stringify(response.body));
      const body = response.body as { code?: number; error?: string };
      if (scenario.code !== undefined) assert.equal(body.code, scenario.code, JSON.stringify(body));
      assert.equal(typeof body.error, 'string');
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype must stay clean');
      const list = await server.call({ path: '/classes/Item', master: true });
      assert.equal(list.status, 200);
      const results = (list.body as { results: Array<Record<string, unknown>> }).results;
      assert.deepEqual(
        results.map((r) => [r['objectId'], r['score'], r['tags']]),
        [[seedId, 1, ['a']]],
        'nothing changed',
      );
    });
  }

  it('the server still answers after all of the above', async () => {
    const health = await server.call({ path: '/health' });
    assert.deepEqual(health.body, { status: 'ok' });
  });
});
