/**
 * `--query-time-limit` on MongoDB (issue 17 item 4): the budget travels as `maxTimeMS`, the server stops the
 * scan, and the client gets 124 with a clear message, not a 500; the master key's larger budget lets the same
 * query finish. Run against FerretDB (STRATA_TEST_MONGODB_URI), which implements `maxTimeMS` on find and count.
 * The client budget is 1 ms against an unindexed regex over thousands of documents (hundreds of ms on FerretDB),
 * so the outcome does not depend on the machine's speed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MongoClient } from 'mongodb';
import { startTestServer } from '../../testing/test-server.test-util.js';
import type { TestServer } from '../../testing/test-server.test-util.js';

const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const skip = mongoURI === undefined && !requireServices ? 'STRATA_TEST_MONGODB_URI is not set' : false;
if (skip !== false) console.log(`# skipping the MongoDB query time limit test: ${skip}`);

const DOCUMENTS = 5000;

describe('query time limit on MongoDB (FerretDB): maxTimeMS', { skip, timeout: 300_000 }, () => {
  let server: TestServer;
  let client: MongoClient;
  const database = `strata_test_timelimit_${randomBytes(6).toString('hex')}`;

  before(async () => {
    assert.ok(mongoURI, 'STRATA_TEST_MONGODB_URI is required when STRATA_REQUIRE_SERVICES=1');
    const base = mongoURI.replace(/\/+$/, '');
    server = await startTestServer({ databaseURI: `${base}/${database}`, queryTimeLimit: 1 });
    // One object through the API (so the collection has Strata's layout), then copies of its document.
    const first = await server.call({
      method: 'POST',
      path: '/classes/ScanThing',
      master: true,
      body: { name: 'item-0' },
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    client = new MongoClient(base);
    await client.connect();
    const collection = client.db(database).collection<{ _id: string; [field: string]: unknown }>('ScanThing');
    const template = await collection.findOne({});
    assert.ok(template !== null);
    const copies = Array.from({ length: DOCUMENTS - 1 }, (_, i) => ({
      ...template,
      _id: `scan${String(i + 1).padStart(6, '0')}`,
      name: `item-${i + 1}`,
    }));
    for (let i = 0; i < copies.length; i += 1000) await collection.insertMany(copies.slice(i, i + 1000));
  });

  after(async () => {
    await server?.close();
    await client?.db(database).dropDatabase();
    await client?.close();
  });

  const scan = `/classes/ScanThing?where=${encodeURIComponent(JSON.stringify({ name: { $regex: 'never-there$' } }))}`;

  it('stops a client scan past its budget with 124', async () => {
    const found = await server.call({ path: scan });
    assert.equal(found.status, 400, JSON.stringify(found.body));
    assert.equal((found.body as { code: number }).code, 124);
    assert.match((found.body as { error: string }).error, /time budget/);
    const counted = await server.call({ path: `${scan}&count=1&limit=0` });
    assert.equal((counted.body as { code: number }).code, 124, JSON.stringify(counted.body));
  });

  it('lets the master key run the same scan under its own budget', async () => {
    const found = await server.call({ path: `${scan}&count=1`, master: true });
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(found.body, { results: [], count: 0 });
    const all = await server.call({ path: '/classes/ScanThing?count=1&limit=0', master: true });
    assert.equal((all.body as { count: number }).count, DOCUMENTS);
  });
});
