// Strata's admin reads over real HTTP: `GET /classCounts` (estimated counts for large classes, exact for small
// ones) and `GET /fileList` (cursor pages of the stored files and the orphan report), on SQLite + a local
// directory and on MongoDB (FerretDB) + GridFS when STRATA_TEST_MONGODB_URI is set. Who may call them: the
// master key and the read-only master key, never a client key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;

const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip =
  mongoURI === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
    ? 'STRATA_TEST_MONGODB_URI is not set'
    : false;
if (mongoSkip !== false) console.log(`# admin API on MongoDB + GridFS skipped: ${mongoSkip}`);

for (const backend of ['sqlite', 'mongodb'] as const) {
  describe(`admin reads on ${backend}`, { skip: backend === 'mongodb' ? mongoSkip : false }, () => {
    let server: TestServer;
    const readOnly = { 'X-Parse-Master-Key': 'admin-ro-key', 'X-Parse-REST-API-Key': '' };

    before(async () => {
      server = await startTestServer({
        readOnlyMasterKey: 'admin-ro-key',
        ...(backend === 'mongodb'
          ? {
              backend: 'mongodb',
              databaseURI: `${(mongoURI ?? '').replace(/\/+$/, '')}/strata_test_admin_${randomBytes(6).toString('hex')}`,
            }
          : {}),
      });
    });
    after(() => server.close());

    const upload = async (name: string, text: string): Promise<string> => {
      const res = await server.call({
        method: 'POST',
        path: `/files/${name}`,
        raw: text,
        master: true,
        headers: { 'Content-Type': 'text/plain' },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return (res.body as { name: string }).name;
    };

    it('counts small classes exactly and refuses client keys', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await server.call({ method: 'POST', path: '/classes/Counted', body: { n: i } });
        assert.equal(res.status, 201);
      }
      const res = await server.call({ path: '/classCounts', headers: readOnly });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const counted = (res.body as { results: Json[] }).results.find((r) => r['className'] === 'Counted');
      assert.deepEqual(counted, { className: 'Counted', count: 3, estimated: false });
      const refused = await server.call({ path: '/classCounts' });
      assert.equal(refused.status, 403);
      assert.equal((refused.body as Json)['error'], 'Permission denied');
    });

    it('estimates classes at or over exactBelow without a full count', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await server.call({ method: 'POST', path: '/classes/Big', body: { n: i }, master: true });
        ids.push((res.body as { objectId: string }).objectId);
      }
      await server.call({ method: 'DELETE', path: `/classes/Big/${ids[2] as string}`, master: true });
      // Everything at or over 0 objects is estimated: the database's figure, not a count.
      const res = await server.call({ path: '/classCounts?exactBelow=0', master: true });
      assert.equal(res.status, 200);
      const big = (res.body as { results: Json[] }).results.find((r) => r['className'] === 'Big');
      assert.equal(big?.['estimated'], true);
      // SQLite's largest rowid stays 6 after the delete; MongoDB's collection metadata says 5.
      assert.equal(big?.['count'], backend === 'sqlite' ? 6 : 5);
      const bad = await server.call({ path: '/classCounts?exactBelow=-1', master: true });
      assert.equal(bad.status, 400);
      assert.equal((bad.body as Json)['code'], 102);
    });

    it('pages through the files by name and reports the orphans', async () => {
      const names: string[] = [];
      for (let i = 0; i < 5; i++) names.push(await upload(`note${i}.txt`, `note ${i}`));
      names.sort();
      const kept = names[1] as string;
      const alsoKept = names[3] as string;
      await server.call({ method: 'POST', path: '/classes/Doc', body: { attachment: { __type: 'File', name: kept } } });
      await server.call({
        method: 'POST',
        path: '/classes/Photo',
        body: { image: { __type: 'File', name: alsoKept } },
      });

      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const query = `limit=2${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`;
        const res = await server.call({ path: `/fileList?${query}`, headers: readOnly });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const body = res.body as { results: Json[]; next?: string };
        assert.ok(body.results.length <= 2);
        for (const file of body.results) {
          seen.push(String(file['name']));
          assert.equal(file['contentType'], 'text/plain');
          assert.match(String(file['url']), /\/files\//);
        }
        after = body.next;
        if (after === undefined) break;
      }
      assert.deepEqual(seen, names);

      const orphans: string[] = [];
      after = undefined;
      for (let page = 0; page < 10; page++) {
        const query = `limit=2&orphans=1${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`;
        const res = await server.call({ path: `/fileList?${query}`, master: true });
        const body = res.body as { results: Json[]; next?: string };
        orphans.push(...body.results.map((f) => String(f['name'])));
        after = body.next;
        if (after === undefined) break;
      }
      assert.deepEqual(
        orphans,
        names.filter((n) => n !== kept && n !== alsoKept),
      );
    });

    it('refuses bad paging and client keys with Parse errors', async () => {
      for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5']) {
        const res = await server.call({ path: `/fileList?${query}`, master: true });
        assert.equal(res.status, 400, query);
        assert.equal((res.body as Json)['code'], 102, query);
      }
      const refused = await server.call({ path: '/fileList' });
      assert.equal(refused.status, 403);
    });
  });
}
