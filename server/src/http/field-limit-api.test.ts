import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

/**
 * Field exhaustion (issue 11, item 8): a client allowed to add fields could add them until SQLite's column
 * limit, after which nobody could add a field (500 "too many columns"), and one 10,000-field object was a
 * 500 too. A class now has at most `maxFieldsPerClass` fields: past it a write answers 255, changes nothing,
 * and the class keeps working.
 */

type Json = Record<string, unknown>;
const wide = (count: number, prefix: string): Json =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, i]));

function fieldLimitSuite(backend: 'sqlite' | 'mongodb'): void {
  let server: TestServer;
  let limited: TestServer;
  before(async () => {
    server = await startTestServer({ backend });
    limited = await startTestServer({ backend, maxFieldsPerClass: 12 });
  });
  after(async () => {
    await server.close();
    await limited.close();
  });

  const fieldCount = async (target: TestServer, className: string): Promise<number> => {
    const schema = await target.call({ path: `/schemas/${className}`, master: true });
    return Object.keys((schema.body as { fields: Json }).fields).length;
  };

  it('a 10,000-field object is refused with 255 and creates nothing (default limit 1000)', async () => {
    const response = await server.call({ method: 'POST', path: '/classes/Wide', body: wide(10_000, 'f') });
    expectError(response, { code: 255, error: /Wide cannot have more than 1000 fields/ });
    const schema = await server.call({ path: '/schemas/Wide', master: true });
    expectError(schema, { code: 103, error: 'Class Wide does not exist.' });
  });

  it('a client adding fields one write at a time stops at the limit; the class keeps working', async () => {
    // 4 default fields + 8 = the limit of 12.
    const first = await limited.call({ method: 'POST', path: '/classes/Grow', body: wide(8, 'a') });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const objectId = (first.body as Json)['objectId'] as string;
    expectError(await limited.call({ method: 'POST', path: '/classes/Grow', body: { a0: 1, extra: 1 } }), {
      code: 255,
      error: /Grow cannot have more than 12 fields: adding 1 would make 13/,
    });
    expectError(await limited.call({ method: 'PUT', path: `/classes/Grow/${objectId}`, body: { extra: 1 } }), {
      code: 255,
      error: /cannot have more than 12 fields/,
    });
    expectError(
      await limited.call({
        method: 'PUT',
        path: '/schemas/Grow',
        body: { fields: { extra: { type: 'String' } } },
        master: true,
      }),
      { code: 255, error: /cannot have more than 12 fields/ },
    );
    assert.equal(await fieldCount(limited, 'Grow'), 12);
    // Still usable: existing fields are written and read, and a deleted field makes room for another.
    const update = await limited.call({ method: 'PUT', path: `/classes/Grow/${objectId}`, body: { a1: 100 } });
    assert.equal(update.status, 200, JSON.stringify(update.body));
    const created = await limited.call({ method: 'POST', path: '/classes/Grow', body: { a2: 5 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const read = await limited.call({ path: `/classes/Grow/${objectId}` });
    assert.equal((read.body as Json)['a1'], 100);
    const shrunk = await limited.call({
      method: 'PUT',
      path: '/schemas/Grow',
      body: { fields: { a7: { __op: 'Delete' } } },
      master: true,
    });
    assert.equal(shrunk.status, 200, JSON.stringify(shrunk.body));
    const grown = await limited.call({ method: 'PUT', path: `/classes/Grow/${objectId}`, body: { extra: 'fits now' } });
    assert.equal(grown.status, 200, JSON.stringify(grown.body));
  });

  it('POST /schemas with too many fields is refused the same way', async () => {
    const fields = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`s${i}`, { type: 'String' }]));
    expectError(await limited.call({ method: 'POST', path: '/schemas/TooWide', body: { fields }, master: true }), {
      code: 255,
      error: /TooWide cannot have more than 12 fields/,
    });
    expectError(await limited.call({ path: '/schemas/TooWide', master: true }), {
      code: 103,
      error: 'Class TooWide does not exist.',
    });
  });
}

describe('field limit per class (SQLite)', () => fieldLimitSuite('sqlite'));

const mongo = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip =
  mongo === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_MONGODB_URI is not set' : false;
if (mongoSkip !== false) console.log(`field limit per class (MongoDB) skipped: ${mongoSkip}`);
describe('field limit per class (MongoDB)', { skip: mongoSkip }, () => {
  if (mongo === undefined) {
    it('needs STRATA_TEST_MONGODB_URI (STRATA_REQUIRE_SERVICES=1)', () =>
      assert.fail('STRATA_TEST_MONGODB_URI is not set'));
    return;
  }
  fieldLimitSuite('mongodb');
});
