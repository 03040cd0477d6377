/**
 * `GET /slowQueries` through real HTTP, on SQLite and on FerretDB: a query over the threshold is recorded by
 * shape (no values), with whether an index served it, and the suggested index; after that index is created
 * through `/schemas`, the same shape is served by it. Only the master key reads the list; the read-only
 * master key cannot clear it; a client key learns nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeWithMongo, isFerretDB } from '../testing/mongo.test-util.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

const READ_ONLY_KEY = 'slow-read-only-key';

interface Listed {
  className: string;
  shape: string;
  count: number;
  indexed: boolean | null;
  plan?: string;
  suggestedIndex?: Record<string, number>;
}

function scenario(backend: 'sqlite' | 'mongodb', options: { indexesServeFilters: () => boolean }): void {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ backend, slowQueryMs: 0, readOnlyMasterKey: READ_ONLY_KEY });
    const rows = Array.from({ length: 40 }, (_, i) => ({
      method: 'POST',
      path: '/parse/classes/Sale',
      body: { region: `r${i % 4}`, amount: i, secretNote: `hush-${i}` },
    }));
    const created = await server.call({ method: 'POST', path: '/batch', master: true, body: { requests: rows } });
    assert.equal(created.status, 200);
  });
  after(() => server?.close());

  const list = async (): Promise<Listed[]> => {
    const answer = await server.call({ path: '/slowQueries', master: true });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return (answer.body as { results: Listed[] }).results;
  };
  const query = (where: unknown, order: string): Promise<unknown> =>
    server.call({
      path: `/classes/Sale?where=${encodeURIComponent(JSON.stringify(where))}&order=${order}`,
      master: true,
    });
  const explained = async (shape: string): Promise<Listed> => {
    // The plan is read after the answer: wait for it.
    for (let i = 0; i < 100; i++) {
      const found = (await list()).find((q) => q.className === 'Sale' && q.shape === shape);
      if (found !== undefined && found.indexed !== null) return found;
      await new Promise((done) => setTimeout(done, 20));
    }
    assert.fail(`no explained entry for ${shape}: ${JSON.stringify(await list())}`);
  };

  it('records a query by shape with its plan, and the index it suggests then serves it', async () => {
    await query({ region: 'r1', amount: { $gt: 3 } }, '-amount');
    await query({ region: 'r2', amount: { $gt: 7 } }, '-amount');
    const shape = 'amount:$gt, region:$eq order -amount';
    const before = await explained(shape);
    assert.equal(before.count, 2);
    assert.equal(before.indexed, false, before.plan);
    assert.deepEqual(before.suggestedIndex, { region: 1, amount: -1 });
    const body = JSON.stringify(await list());
    assert.ok(!body.includes('r1') && !body.includes('hush'), 'no value of a query is kept');

    const indexed = await server.call({
      method: 'PUT',
      path: '/schemas/Sale',
      master: true,
      body: { indexes: { region_amount: before.suggestedIndex } },
    });
    assert.equal(indexed.status, 200, JSON.stringify(indexed.body));
    assert.equal((await server.call({ method: 'DELETE', path: '/slowQueries', master: true })).status, 200);
    await query({ region: 'r3', amount: { $gt: 1 } }, '-amount');
    const after = await explained(shape);
    if (!options.indexesServeFilters()) {
      // FerretDB 1.x pushes no filter down to its indexes: its plan stays a scan, and says so truthfully.
      console.log(`FerretDB: the index exists but its plan is still: ${after.plan ?? ''}`);
      assert.equal(after.indexed, false);
      return;
    }
    assert.equal(after.indexed, true, after.plan);
    assert.equal(after.suggestedIndex, undefined);
  });

  it('only the master key reads it; the read-only master key cannot clear it; a client key learns nothing', async () => {
    const asClient = await server.call({ path: '/slowQueries' });
    assert.equal(asClient.status, 403);
    const readOnly = { 'X-Parse-Master-Key': READ_ONLY_KEY, 'X-Parse-REST-API-Key': '' };
    assert.equal((await server.call({ path: '/slowQueries', headers: readOnly })).status, 200);
    const clear = await server.call({ method: 'DELETE', path: '/slowQueries', headers: readOnly });
    assert.equal((clear.body as { code: number }).code, 119);
    assert.ok((await list()).length > 0, 'the refused clear changed nothing');
    assert.equal((await server.call({ method: 'DELETE', path: '/slowQueries' })).status, 403);
  });
}

describe('slow queries on SQLite', () => scenario('sqlite', { indexesServeFilters: () => true }));
describeWithMongo('slow queries on MongoDB (FerretDB here)', (uri) => {
  let ferret = true;
  before(async () => {
    ferret = await isFerretDB(uri);
  });
  scenario('mongodb', { indexesServeFilters: () => !ferret });
});
