import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ChangeEvent } from './core/index.js';
import { GeoPoint, ParseFile, Pointer } from './schema/index.js';
import { startTestServer } from './testing/test-server.test-util.js';
import type { TestServer } from './testing/test-server.test-util.js';

// Two app servers in one process, sharing one database and one Redis, each with its own Redis pub/sub
// connections: a write through one reaches the other's change feed, in order, with its states intact.

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const redisSkip = redisURL === undefined && !requireServices ? 'STRATA_TEST_REDIS_URL is not set' : false;
const backends: Array<{ name: string; skip: string | false; databaseURI: (dir: string) => string }> = [
  { name: 'sqlite', skip: redisSkip, databaseURI: (dir) => `sqlite:${join(dir, 'shared.db')}` },
  {
    name: 'mongodb',
    skip:
      redisSkip !== false
        ? redisSkip
        : mongoURI === undefined && !requireServices
          ? 'STRATA_TEST_MONGODB_URI is not set'
          : false,
    databaseURI: () => `${(mongoURI ?? '').replace(/\/+$/, '')}/strata_test_feed_${randomBytes(6).toString('hex')}`,
  },
];

/** Waits (briefly polling) until `check` holds: messages from the other server arrive asynchronously. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), `timed out waiting for ${what}`);
}

for (const target of backends) {
  if (target.skip !== false) console.log(`# skipping the change feed across servers on ${target.name}: ${target.skip}`);
  describe(`change feed across two app servers over Redis [${target.name}]`, { skip: target.skip }, () => {
    async function pair(): Promise<{
      a: TestServer;
      b: TestServer;
      headers: Record<string, string>;
      done(): Promise<void>;
    }> {
      assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
      const dir = mkdtempSync(join(tmpdir(), 'strata-feed-sync-'));
      const databaseURI = target.databaseURI(dir);
      const appId = `feed-${randomBytes(6).toString('hex')}`;
      const a = await startTestServer({ databaseURI, redisURL, appId });
      const b = await startTestServer({ databaseURI, redisURL, appId });
      return {
        a,
        b,
        headers: { 'X-Parse-Application-Id': appId },
        async done() {
          await a.close();
          await b.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }

    it('a write through one server reaches the other’s subscribers in order, with before, after and value types', async () => {
      const { a, b, headers, done } = await pair();
      try {
        const onB: ChangeEvent[] = [];
        const ownOnA: ChangeEvent[] = [];
        b.changes.subscribe((e) => void onB.push(e), { from: 'remote' });
        a.changes.subscribe((e) => void ownOnA.push(e), { from: 'remote' });
        // Let both SUBSCRIBEs reach Redis before the first publish (pub/sub does not replay).
        await new Promise((r) => setTimeout(r, 100));
        const created = await a.call({
          method: 'POST',
          path: '/classes/Doc',
          master: true,
          headers,
          body: {
            n: 0,
            when: { __type: 'Date', iso: '2024-06-01T12:00:00.000Z' },
            owner: { __type: 'Pointer', className: '_User', objectId: 'u1' },
            place: { __type: 'GeoPoint', latitude: 48.85, longitude: 2.35 },
            file: { __type: 'File', name: 'abc_photo.png' },
            ACL: { '*': { read: true }, u1: { write: true } },
          },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const id = (created.body as { objectId: string }).objectId;
        for (let i = 0; i < 3; i++) {
          const bumped = await a.call({
            method: 'PUT',
            path: `/classes/Doc/${id}`,
            master: true,
            headers,
            body: { n: { __op: 'Increment', amount: 1 } },
          });
          assert.equal(bumped.status, 200);
        }
        assert.equal(
          (await a.call({ method: 'DELETE', path: `/classes/Doc/${id}`, master: true, headers })).status,
          200,
        );

        await eventually(() => onB.filter((e) => e.className === 'Doc').length === 5, 'five Doc events on B');
        const docs = onB.filter((e) => e.className === 'Doc');
        assert.deepEqual(
          docs.map((e) => `${e.op} ${String(e.before?.fields['n'])}->${String(e.after?.fields['n'])}`),
          ['create undefined->0', 'update 0->1', 'update 1->2', 'update 2->3', 'delete 3->undefined'],
        );
        const [create] = docs;
        assert.ok(create?.op === 'create');
        assert.equal(create.objectId, id);
        assert.deepStrictEqual(create.after.fields['when'], new Date('2024-06-01T12:00:00.000Z'));
        assert.deepStrictEqual(create.after.fields['owner'], new Pointer('_User', 'u1'));
        assert.deepStrictEqual(create.after.fields['place'], new GeoPoint(48.85, 2.35));
        assert.deepStrictEqual(create.after.fields['file'], new ParseFile('abc_photo.png'));
        assert.deepStrictEqual(create.after.ACL, { '*': { read: true }, u1: { write: true } });
        assert.ok(create.after.createdAt instanceof Date && create.at instanceof Date);
        assert.deepStrictEqual(docs[4]?.before, docs[3]?.after, 'the delete carries the last state');
        assert.deepEqual(ownOnA, [], 'a server does not hear its own writes as remote');
      } finally {
        await done();
      }
    });

    it('a log-out on one server revokes the session on the other at once (the session cache hears the delete)', async () => {
      const { a, b, headers, done } = await pair();
      try {
        await new Promise((r) => setTimeout(r, 100));
        const signUp = await a.call({
          method: 'POST',
          path: '/users',
          headers,
          body: { username: 'roamer', password: 'pw-roamer' },
        });
        assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
        const token = (signUp.body as { sessionToken: string }).sessionToken;
        const withToken = { ...headers, 'X-Parse-Session-Token': token };
        // B resolves the token once and caches it (30 s without a revocation). What A just wrote may reach B a
        // moment later (B learns of schema changes over pub/sub): poll until B sees the session.
        let seen: { status: number; body: unknown } = { status: 0, body: undefined };
        for (let i = 0; i < 100 && seen.status !== 200; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, 20));
          seen = await b.call({ path: '/users/me', headers: withToken });
        }
        assert.equal(seen.status, 200, JSON.stringify(seen.body));
        const removed: ChangeEvent[] = [];
        b.changes.subscribe((e) => {
          if (e.className === '_Session' && e.op === 'delete') removed.push(e);
        });
        assert.equal((await a.call({ method: 'POST', path: '/logout', headers: withToken })).status, 200);
        await eventually(() => removed.length === 1, 'the session delete on B');
        const after = await b.call({ path: '/users/me', headers: withToken });
        assert.equal((after.body as { code?: number }).code, 209, JSON.stringify(after.body));
      } finally {
        await done();
      }
    });
  });
}
