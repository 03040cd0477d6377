/**
 * One regression test per defect the REST fuzzer (fuzz.test.ts) and the manual attacks found, each as the
 * smallest request that showed it, on SQLite and on MongoDB when STRATA_TEST_MONGODB_URI is set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CloudRegistry } from '../../server/src/cloud/index.js';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { describeWithMongo } from '../../server/src/testing/mongo.test-util.js';

type Json = Record<string, unknown>;

function registerHooks(registry: CloudRegistry): void {
  registry.defineTrigger({
    triggerName: 'beforeSave',
    className: 'Hooked',
    source: 'strata',
    handler: () => Promise.resolve({ changes: { touched: true } }),
  });
}

function findingsTests(backend: 'sqlite' | 'mongodb'): void {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ backend, cloudSetup: registerHooks });
  });
  after(() => server.close());

  async function raw(options: { method: string; path: string; body: string; master?: boolean }): Promise<{
    status: number;
    body: Json;
  }> {
    const response = await server.call({
      method: options.method,
      path: options.path,
      raw: options.body,
      headers: { 'Content-Type': 'application/json' },
      ...(options.master === true ? { master: true } : {}),
    });
    return { status: response.status, body: response.body as Json };
  }

  it('a File named with a lone UTF-16 surrogate, seen by a trigger', async () => {
    // JSON may carry half a surrogate pair; encodeURIComponent throws on it while building the file URL.
    const body = '{"doc":{"__type":"File","name":"a\\ud800b"}}';
    const created = await raw({ method: 'POST', path: '/classes/Hooked', body });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const found = await server.call({ path: '/classes/Hooked' });
    assert.equal(found.status, 200);
    const [object] = (found.body as { results: Json[] }).results;
    assert.match(String((object?.['doc'] as Json)['url']), /\/files\/test-app\/a(%EF%BF%BD)+b$/);
  });

  it('relation join classes through /classes: 119, for the master key too', async () => {
    const owner = await server.call({
      method: 'POST',
      path: '/classes/Owner',
      master: true,
      body: { members: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_User', objectId: 'u1' }] } },
    });
    assert.equal(owner.status, 201, JSON.stringify(owner.body));
    for (const master of [false, true]) {
      for (const [method, path] of [
        ['GET', '/classes/_Join:members:Owner'],
        ['POST', '/classes/_Join:members:Owner'],
        ['GET', '/classes/_Join:members:Owner/x'],
        ['PUT', '/classes/_Join:members:Owner/x'],
        ['DELETE', '/classes/_Join:members:Owner/x'],
      ] as const) {
        const response = await server.call({
          method,
          path,
          master,
          ...(method === 'POST' || method === 'PUT' ? { body: { a: 1 } } : {}),
        });
        assert.equal(response.status, 400, `${method} ${path}: ${JSON.stringify(response.body)}`);
        assert.equal((response.body as Json)['code'], 119);
      }
    }
    // The relation itself still works.
    const where = encodeURIComponent(
      JSON.stringify({
        $relatedTo: {
          object: { __type: 'Pointer', className: 'Owner', objectId: (owner.body as Json)['objectId'] },
          key: 'members',
        },
      }),
    );
    const related = await server.call({ path: `/classes/_User?where=${where}`, master: true });
    assert.equal(related.status, 200, JSON.stringify(related.body));
  });

  it('an index the database refuses answers 4xx (master key)', async () => {
    const created = await server.call({ method: 'POST', path: '/classes/Indexed', body: { str: 'x' }, master: true });
    assert.equal(created.status, 201);
    // MongoDB refuses an unnamed index; every backend answers 102 before asking it (schema/rest-format.ts).
    const unnamed = await server.call({
      method: 'PUT',
      path: '/schemas/Indexed',
      body: { indexes: { '': { str: 1 } } },
      master: true,
    });
    assert.equal(unnamed.status, 400, JSON.stringify(unnamed.body));
    assert.equal((unnamed.body as Json)['code'], 102);
    // FerretDB cannot build text indexes: that is the database's limit, answered 102 with its reason, not 500.
    const text = await server.call({
      method: 'PUT',
      path: '/schemas/Indexed',
      body: { indexes: { str_text: { str: 'text' } } },
      master: true,
    });
    assert.ok(text.status === 200 || (text.body as Json)['code'] === 102, JSON.stringify(text.body));
  });

  it('a client batch is bounded (one request was 20,000 queries; a 20 MB body holds 400,000)', async () => {
    const batch = (count: number): { requests: Json[] } => ({
      requests: Array.from({ length: count }, () => ({
        method: 'GET',
        path: '/parse/classes/Hooked',
        body: { limit: 1 },
      })),
    });
    const tooMany = await server.call({ method: 'POST', path: '/batch', body: batch(1001) });
    assert.equal(tooMany.status, 400, JSON.stringify(tooMany.body).slice(0, 200));
    assert.deepEqual(tooMany.body, {
      code: 107,
      error: 'Too many requests in one batch: 1001 (at most 1000 allowed).',
    });
    const atLimit = await server.call({ method: 'POST', path: '/batch', body: batch(1000) });
    assert.equal(atLimit.status, 200);
    assert.equal((atLimit.body as Json[]).length, 1000);
    // The master key is exempt, as from the other complexity limits.
    const master = await server.call({ method: 'POST', path: '/batch', body: batch(1001), master: true });
    assert.equal(master.status, 200);
  });
}

describe('fuzzer findings (SQLite)', () => findingsTests('sqlite'));
describeWithMongo('fuzzer findings (MongoDB)', () => findingsTests('mongodb'));
