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

/**
 * Collects the events of `feed` that `keep` selects; `reached(n)` resolves once `n` are in. Waits for the events
 * themselves, never for a time: over Redis they arrive when they arrive (the suite's timeout bounds a hang).
 */
function collect(
  feed: TestServer['changes'],
  keep: (event: ChangeEvent) => boolean,
  options: { from?: 'all' | 'local' | 'remote' } = {},
): { events: ChangeEvent[]; reached(count: number): Promise<void> } {
  const events: ChangeEvent[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  feed.subscribe((event) => {
    if (!keep(event)) return;
    events.push(event);
    for (const waiter of waiters.filter((w) => events.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }, options);
  return {
    events,
    reached: (count) =>
      events.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
  };
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
        // Both servers' feeds subscribed to Redis before startTestServer resolved (ChangeBus.create waits for
        // the SUBSCRIBE's reply), so nothing published from here on is missed.
        const onB = collect(b.changes, (e) => e.className === 'Doc', { from: 'remote' });
        const ownOnA = collect(a.changes, () => true, { from: 'remote' });
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

        await onB.reached(5);
        const docs = onB.events;
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
        // A write through B after it heard all of A's: Redis delivers one channel's messages in publish order, so
        // once A hears B's write, A has been handed every message of its own published before it, and dropped them.
        const marker = await b.call({ method: 'POST', path: '/classes/Marker', master: true, headers, body: {} });
        assert.equal(marker.status, 201, JSON.stringify(marker.body));
        await ownOnA.reached(1);
        assert.deepEqual(
          ownOnA.events.map((e) => `${e.op} ${e.className}`),
          ['create Marker'],
          'a server does not hear its own writes as remote',
        );
      } finally {
        await done();
      }
    });

    it('a log-out on one server revokes the session on the other at once (the session cache hears the delete)', async () => {
      const { a, b, headers, done } = await pair();
      try {
        const signUp = await a.call({
          method: 'POST',
          path: '/users',
          headers,
          body: { username: 'roamer', password: 'pw-roamer' },
        });
        assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
        const token = (signUp.body as { sessionToken: string }).sessionToken;
        const withToken = { ...headers, 'X-Parse-Session-Token': token };
        // B resolves the token once and caches it (30 s without a revocation).
        const seen = await b.call({ path: '/users/me', headers: withToken });
        assert.equal(seen.status, 200, JSON.stringify(seen.body));
        // B's session cache subscribed when B started, before this collector, and drops the token synchronously
        // as the delete is delivered: once the collector has it, the cache no longer holds the token.
        const removed = collect(b.changes, (e) => e.className === '_Session' && e.op === 'delete', { from: 'remote' });
        assert.equal((await a.call({ method: 'POST', path: '/logout', headers: withToken })).status, 200);
        await removed.reached(1);
        const after = await b.call({ path: '/users/me', headers: withToken });
        assert.equal((after.body as { code?: number }).code, 209, JSON.stringify(after.body));
      } finally {
        await done();
      }
    });
  });
}
