import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

/**
 * Names a storage layout gives a meaning of its own must never be a client's (issue 11, item 5). On SQLite a
 * field named `rowid` took SQLite's row id over from the full-text index (a client learnt which hidden row
 * held a word, and search broke for everyone); `objectid`/`createdat` aliased the fixed columns (a client
 * chose another object's id, or broke its timestamps); a class named `sqlite_master` addressed SQLite's
 * catalog; `_Idempotency` and `_Join:<f>:<C>` classes shared tables with request ids and relation edges.
 * Every scenario runs on both backends: whatever a name means to one database, the REST answers agree.
 */

type Json = Record<string, unknown>;
const q = (value: unknown): string => encodeURIComponent(JSON.stringify(value));
const results = (body: unknown): Json[] => (body as { results: Json[] }).results;

function reservedNamesSuite(backend: 'sqlite' | 'mongodb'): void {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ backend });
  });
  after(() => server.close());

  const create = async (className: string, body: Json, master = false): Promise<string> => {
    const response = await server.call({ method: 'POST', path: `/classes/${className}`, body, master });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return (response.body as Json)['objectId'] as string;
  };

  if (backend === 'sqlite') {
    // FerretDB's text search is not MongoDB's; the layout bug was SQLite's full-text index.
    it('a rowid field neither reveals hidden rows through $text nor breaks search for others', async () => {
      const search = (term: string) =>
        server.call({ path: `/classes/Note?where=${q({ body: { $text: { $search: { $term: term } } } })}` });
      // Hidden rows first, so they hold the low row ids an attacker's rowid values would name.
      for (let i = 0; i < 3; i++) await create('Note', { body: `secret plan ${i}`, ACL: {} }, true);
      const publicId = await create('Note', { body: 'hello world' });
      assert.deepEqual(
        results((await search('hello')).body).map((r) => r['objectId']),
        [publicId],
      );
      // The attack: fields named like SQLite's row id, holding every low row id.
      const attacker: string[] = [];
      for (let rowid = 1; rowid <= 6; rowid++) {
        attacker.push(await create('Note', { body: 'decoy', rowid, oid: rowid, rank: rowid }));
      }
      const leaked = results((await search('secret')).body);
      assert.deepEqual(leaked, [], 'no row may match a word only hidden rows hold');
      assert.deepEqual(
        results((await search('hello')).body).map((r) => r['objectId']),
        [publicId],
        'search still finds the public row',
      );
      assert.deepEqual(
        results((await search('decoy')).body)
          .map((r) => r['objectId'])
          .sort(),
        [...attacker].sort(),
      );
      const ranked = await server.call({ path: `/classes/Note?where=${q({ rank: { $gte: 5 } })}&order=-rowid` });
      assert.deepEqual(
        results(ranked.body).map((r) => [r['rowid'], r['oid'], r['rank']]),
        [
          [6, 6, 6],
          [5, 5, 5],
        ],
      );
    });
  }

  it('fields named like the fixed columns (objectid, createdat, updatedat) are ordinary fields', async () => {
    const firstId = await create('Clash', { n: 1 });
    const before = (await server.call({ path: `/classes/Clash/${firstId}` })).body as Json;
    const id = await create('Clash', { objectid: firstId, createdat: 'yesterday', updatedat: 7 });
    assert.notEqual(id, firstId);
    const read = (await server.call({ path: `/classes/Clash/${id}` })).body as Json;
    assert.equal(read['objectId'], id);
    assert.equal(read['objectid'], firstId);
    assert.equal(read['createdat'], 'yesterday');
    assert.equal(read['updatedat'], 7);
    assert.match(String(read['createdAt']), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual((await server.call({ path: `/classes/Clash/${firstId}` })).body, before);
    const found = await server.call({ path: `/classes/Clash?where=${q({ objectid: firstId })}` });
    assert.deepEqual(
      results(found.body).map((r) => r['objectId']),
      [id],
    );
  });

  it('classes named like SQLite catalog tables are ordinary classes (master key)', async () => {
    for (const className of ['sqlite_master', 'SQLITE_temp_master', 'sqlite_sequence', 'sqlite_stat1']) {
      const id = await create(className, { a: className }, true);
      const read = await server.call({ path: `/classes/${className}/${id}`, master: true });
      assert.equal(read.status, 200, JSON.stringify(read.body));
      assert.equal((read.body as Json)['a'], className);
      const schema = await server.call({ path: `/schemas/${className}`, master: true });
      assert.equal(schema.status, 200, JSON.stringify(schema.body));
    }
    const made = await server.call({
      method: 'POST',
      path: '/schemas/sqlite_schema',
      body: { fields: { b: { type: 'String' } } },
      master: true,
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.deepEqual(results((await server.call({ path: '/classes/sqlite_schema', master: true })).body), []);
  });

  it('an _Idempotency class written through /classes does not disturb request ids', async () => {
    await create('_Idempotency', { reqId: 'by-hand' }, true);
    const listed = await server.call({ path: `/classes/_Idempotency?where=${q({ reqId: 'by-hand' })}`, master: true });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(results(listed.body).length, 1);
    const headers = { 'X-Parse-Request-Id': 'req-after-class' };
    const first = await server.call({ method: 'POST', path: '/classes/Dedup', body: { n: 1 }, headers });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const replay = await server.call({ method: 'POST', path: '/classes/Dedup', body: { n: 1 }, headers });
    assert.deepEqual(replay.body, first.body);
    assert.equal(results((await server.call({ path: '/classes/Dedup' })).body).length, 1);
  });

  it('a class named like a join table leaves the relation it names intact', async () => {
    const made = await server.call({ method: 'POST', path: '/schemas/_Join:fans:Band', body: {}, master: true });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const fanId = await create('Fan', { name: 'f' });
    const pointer = { __type: 'Pointer', className: 'Fan', objectId: fanId };
    const bandId = await create('Band', { fans: { __op: 'AddRelation', objects: [pointer] } });
    const related = await server.call({
      path: `/classes/Fan?where=${q({ $relatedTo: { object: { __type: 'Pointer', className: 'Band', objectId: bandId }, key: 'fans' } })}`,
    });
    assert.deepEqual(
      results(related.body).map((r) => r['objectId']),
      [fanId],
    );
  });

  it('index names: a name like an internal one is harmless; control characters, __proto__, _id_ and repeated keys → 102', async () => {
    await create('Indexed', { title: 'hello there' });
    const put = (indexes: Json) =>
      server.call({ method: 'PUT', path: '/schemas/Indexed', body: { indexes }, master: true });
    const lookalike = await put({ 'fts#title': { title: 1 }, 'title#geo': { title: -1 } });
    assert.equal(lookalike.status, 200, JSON.stringify(lookalike.body));
    if (backend === 'sqlite') {
      const found = await server.call({
        path: `/classes/Indexed?where=${q({ title: { $text: { $search: { $term: 'hello' } } } })}`,
      });
      assert.equal(results(found.body).length, 1, JSON.stringify(found.body));
    }
    for (const name of ['a\u0000b', 'tab\there', '', '__proto__', 'x'.repeat(129)]) {
      expectError(await put({ [name]: { title: 1 } }), { code: 102, error: /Invalid index name/ });
    }
    expectError(await put({ again: { title: 1 } }), {
      code: 102,
      error: 'Index again has the same keys as index fts#title.',
    });
    expectError(await put({ _id_: { title: 1 } }), { code: 102, error: /objectId index/ });
    expectError(await put({ _id_: { __op: 'Delete' } }), { code: 102, error: /objectId index/ });
    const schema = await server.call({ path: '/schemas/Indexed', master: true });
    assert.deepEqual(Object.keys((schema.body as { indexes: Json }).indexes), ['_id_', 'fts#title', 'title#geo']);
  });
}

describe('reserved names (SQLite)', () => reservedNamesSuite('sqlite'));

const mongo = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip =
  mongo === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_MONGODB_URI is not set' : false;
if (mongoSkip !== false) console.log(`reserved names (MongoDB) skipped: ${mongoSkip}`);
describe('reserved names (MongoDB)', { skip: mongoSkip }, () => {
  if (mongo === undefined) {
    it('needs STRATA_TEST_MONGODB_URI (STRATA_REQUIRE_SERVICES=1)', () =>
      assert.fail('STRATA_TEST_MONGODB_URI is not set'));
    return;
  }
  reservedNamesSuite('mongodb');
});
