import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../errors/index.js';
import { Pointer } from '../schema/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import type { ChangeEvent } from './index.js';

// The change feed seen from outside: every write path (REST, /batch, cloud code's SDK, the system classes)
// publishes one event per object after the commit, with the states before and after, in order per object.

type Json = Record<string, unknown>;

const mongoSkip =
  process.env['STRATA_TEST_MONGODB_URI'] === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
    ? 'STRATA_TEST_MONGODB_URI is not set'
    : false;
const backends: Array<{ name: string; backend: 'sqlite' | 'mongodb'; skip: string | false }> = [
  { name: 'sqlite', backend: 'sqlite', skip: false },
  { name: 'mongodb', backend: 'mongodb', skip: mongoSkip },
];

// Cloud code's own writes go out through its in-process Parse SDK and come back through core.
const CLOUD_JS = `
Parse.Cloud.define('makeAndBump', async (request) => {
  const doc = new Parse.Object('CloudDoc');
  doc.set('n', 1);
  await doc.save(null, { useMasterKey: true });
  doc.increment('n', 10);
  await doc.save(null, { useMasterKey: true });
  return doc.id;
});
Parse.Cloud.afterSave('CloudDoc', async (request) => {
  if (request.object.get('n') !== 1) return;
  const audit = new Parse.Object('Audit');
  audit.set('doc', request.object.id);
  await audit.save(null, { useMasterKey: true });
});
Parse.Cloud.beforeSave('TxDoc', (request) => {
  // Runs inside a transactional batch, after the earlier sub-requests wrote: nothing may be published yet.
  request.object.set('seenEvents', globalThis.__feedEventsSeen());
});
`;

/** Records every event the server's feed delivers (synchronously: recorded before the response is sent). */
function record(server: TestServer): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  server.changes.subscribe((event) => {
    events.push(event);
  });
  return events;
}

/** The events of a class, as `op objectId` lines: a compact view of what was published, in order. */
function lines(events: readonly ChangeEvent[], className: string): string[] {
  return events.filter((e) => e.className === className).map((e) => `${e.op} ${e.objectId}`);
}

for (const target of backends) {
  if (target.skip !== false) console.log(`# skipping change feed HTTP tests on ${target.name}: ${target.skip}`);
  describe(`change feed through the doors [${target.name}]`, { skip: target.skip }, () => {
    let server: TestServer;
    let events: ChangeEvent[];
    let dir: string;
    const post = (path: string, body: Json, master = true) => server.call({ method: 'POST', path, body, master });
    const put = (path: string, body: Json, master = true) => server.call({ method: 'PUT', path, body, master });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'strata-feed-'));
      writeFileSync(join(dir, 'main.js'), CLOUD_JS);
      server = await startTestServer({ backend: target.backend, cloud: join(dir, 'main.js') });
      events = record(server);
      (globalThis as Record<string, unknown>)['__feedEventsSeen'] = () => events.length;
    });
    after(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
      delete (globalThis as Record<string, unknown>)['__feedEventsSeen'];
    });

    it('REST create, update and delete publish one event each, with the states before and after', async () => {
      const start = events.length;
      const when = { __type: 'Date', iso: '2024-06-01T12:00:00.000Z' };
      const created = await post('/classes/Doc', {
        title: 'a',
        n: 0,
        when,
        owner: { __type: 'Pointer', className: '_User', objectId: 'u1' },
        ACL: { '*': { read: true }, u1: { write: true } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = (created.body as { objectId: string }).objectId;
      const updated = await put(`/classes/Doc/${id}`, { n: { __op: 'Increment', amount: 2 }, title: 'b' });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.equal((await server.call({ method: 'DELETE', path: `/classes/Doc/${id}`, master: true })).status, 200);

      const [create, update, remove, ...rest] = events.slice(start);
      assert.deepEqual(rest, []);
      assert.ok(create?.op === 'create' && update?.op === 'update' && remove?.op === 'delete');
      assert.equal(create.className, 'Doc');
      assert.equal(create.objectId, id);
      assert.deepStrictEqual(create.after.fields, {
        title: 'a',
        n: 0,
        when: new Date('2024-06-01T12:00:00.000Z'),
        owner: new Pointer('_User', 'u1'),
      });
      assert.deepStrictEqual(create.after.ACL, { '*': { read: true }, u1: { write: true } });
      assert.deepStrictEqual(update.before, create.after, 'the state before the update is the state created');
      assert.equal(update.after.fields['n'], 2);
      assert.equal(update.after.fields['title'], 'b');
      assert.deepStrictEqual(update.after.ACL, create.after.ACL);
      assert.ok((update.after.updatedAt?.getTime() ?? 0) >= (create.after.updatedAt?.getTime() ?? 0));
      assert.deepStrictEqual(remove.before, update.after, 'a delete carries the last state');
      for (const event of [create, update, remove]) assert.ok(event.at instanceof Date);
    });

    it('a refused write publishes nothing', async () => {
      const created = await post('/classes/Doc', { title: 'locked', ACL: { '*': { read: true } } });
      const id = (created.body as { objectId: string }).objectId;
      const start = events.length;
      const denied = await put(`/classes/Doc/${id}`, { title: 'changed' }, false);
      assert.equal((denied.body as { code?: number }).code, ErrorCode.OBJECT_NOT_FOUND);
      const gone = await server.call({ method: 'DELETE', path: `/classes/Doc/${id}` });
      assert.equal((gone.body as { code?: number }).code, ErrorCode.OBJECT_NOT_FOUND);
      const invalid = await post('/classes/Doc', { title: 5 });
      assert.equal(invalid.status, 400);
      assert.deepEqual(events.slice(start), []);
    });

    it('concurrent updates of one object publish in commit order: each before is the previous after', async () => {
      const created = await post('/classes/Counter', { n: 0 });
      const id = (created.body as { objectId: string }).objectId;
      const start = events.length;
      const bumps = Array.from({ length: 12 }, () =>
        put(`/classes/Counter/${id}`, { n: { __op: 'Increment', amount: 1 } }),
      );
      for (const response of await Promise.all(bumps)) assert.equal(response.status, 200);
      const updates = events.slice(start).filter((e) => e.op === 'update' && e.objectId === id);
      assert.equal(updates.length, 12);
      updates.forEach((event, i) => {
        assert.equal(event.before?.fields['n'], i, 'each event follows the previous one');
        assert.equal(event.after?.fields['n'], i + 1);
      });
    });

    it('/batch: each sub-request publishes; one object’s events stay in order', async () => {
      const created = await post('/classes/Doc', { title: 'batched', n: 0 });
      const id = (created.body as { objectId: string }).objectId;
      const start = events.length;
      const batch = await post('/batch', {
        requests: [
          { method: 'POST', path: '/parse/classes/Doc', body: { title: 'b1' } },
          { method: 'PUT', path: `/parse/classes/Doc/${id}`, body: { n: { __op: 'Increment', amount: 1 } } },
          { method: 'POST', path: '/parse/classes/Doc', body: { title: 'b2' } },
          { method: 'PUT', path: `/parse/classes/Doc/${id}`, body: { n: { __op: 'Increment', amount: 1 } } },
          { method: 'DELETE', path: '/parse/classes/Doc/nosuchobj1' },
        ],
      });
      const results = batch.body as Array<{ success?: Json; error?: Json }>;
      assert.equal(results.filter((r) => r.success !== undefined).length, 4, JSON.stringify(results));
      const published = events.slice(start);
      assert.equal(published.filter((e) => e.op === 'create').length, 2);
      const updates = published.filter((e) => e.objectId === id);
      assert.deepEqual(
        updates.map((e) => [e.before?.fields['n'], e.after?.fields['n']]),
        [
          [0, 1],
          [1, 2],
        ],
      );
      assert.equal(published.length, 4, 'the failed delete published nothing');
    });

    it('system classes publish too: sign-up, log-in, log-out, roles; internal fields never leave', async () => {
      const start = events.length;
      const signUp = await post(
        '/users',
        { username: 'feedy', password: 'secret-pw', email: 'feedy@example.com', authData: undefined },
        false,
      );
      assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
      const userId = (signUp.body as { objectId: string }).objectId;
      const token = (signUp.body as { sessionToken: string }).sessionToken;
      const loggedIn = await server.call({
        path: '/login',
        method: 'POST',
        body: { username: 'feedy', password: 'secret-pw' },
      });
      assert.equal(loggedIn.status, 200);
      const logout = await server.call({
        method: 'POST',
        path: '/logout',
        headers: { 'X-Parse-Session-Token': token },
      });
      assert.equal(logout.status, 200);
      const role = await post('/roles', { name: 'feeders', ACL: { '*': { read: true } } });
      assert.equal(role.status, 201, JSON.stringify(role.body));

      const published = events.slice(start);
      const user = published.find((e) => e.className === '_User' && e.op === 'create');
      assert.ok(user?.op === 'create');
      assert.equal(user.objectId, userId);
      assert.equal(user.after.fields['username'], 'feedy');
      assert.equal(user.after.fields['email'], 'feedy@example.com', 'protected fields are in: shaping is the reader’s');
      assert.deepEqual(
        Object.keys(user.after.fields).filter((k) => k.startsWith('_') || k === 'password'),
        [],
        'no password, hash or token',
      );
      const sessions = lines(published, '_Session');
      assert.equal(sessions.filter((l) => l.startsWith('create')).length, 2, 'sign-up and log-in sessions');
      const deleted = published.find((e) => e.className === '_Session' && e.op === 'delete');
      assert.equal(deleted?.before?.fields['sessionToken'], token, 'log-out deletes the signed-up session');
      assert.equal(lines(published, '_Role').length, 1);
      for (const event of published) {
        for (const state of [event.before, event.after]) {
          if (state === undefined) continue;
          assert.deepEqual(
            Object.keys(state.fields).filter((k) => k.startsWith('_')),
            [],
            `${event.className} ${event.op}`,
          );
        }
      }
    });

    it('/hooks writes publish like any object write (_Hooks goes through core’s object writes)', async () => {
      const start = events.length;
      const url = 'https://hooks.example.com/feed';
      const hook = { functionName: 'feedHook', url };
      assert.equal((await post('/hooks/functions', hook)).status, 200);
      const moved = 'https://hooks.example.com/moved';
      assert.equal((await put('/hooks/functions/feedHook', { url: moved })).status, 200);
      assert.equal((await put('/hooks/functions/feedHook', { __op: 'Delete' })).status, 200);
      const hooks = events.slice(start).filter((e) => e.className === '_Hooks');
      assert.deepEqual(
        hooks.map((e) => `${e.op} ${String(e.before?.fields['url'])}->${String(e.after?.fields['url'])}`),
        [`create undefined->${url}`, `update ${url}->${moved}`, `delete ${moved}->undefined`],
      );
      assert.equal(new Set(hooks.map((e) => e.objectId)).size, 1, 'one object');
    });

    it('cloud code’s writes come back through core and publish, afterSave’s own writes too', async () => {
      const start = events.length;
      const response = await server.call({ method: 'POST', path: '/functions/makeAndBump', body: {} });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const id = (response.body as { result: string }).result;
      const docEvents = events.slice(start).filter((e) => e.className === 'CloudDoc');
      assert.deepEqual(
        docEvents.map((e) => `${e.op} ${e.objectId} ${String(e.before?.fields['n'])}->${String(e.after?.fields['n'])}`),
        [`create ${id} undefined->1`, `update ${id} 1->11`],
      );
      // afterSave's write is published before the response that waited for it.
      const audits = events.slice(start).filter((e) => e.className === 'Audit');
      assert.equal(audits.length, 1);
      assert.equal(audits[0]?.after?.fields['doc'], id);
    });

    it('a transactional batch publishes only after its commit, and nothing when it rolls back', async (t) => {
      // The class exists first: a schema change inside a transaction is another issue's (harden-storage).
      await post('/schemas/TxDoc', {
        className: 'TxDoc',
        fields: { title: { type: 'String' }, seenEvents: { type: 'Number' } },
      });
      const start = events.length;
      const ok = await post('/batch', {
        transaction: true,
        requests: [
          { method: 'POST', path: '/parse/classes/TxDoc', body: { title: 'first' } },
          { method: 'POST', path: '/parse/classes/TxDoc', body: { title: 'second' } },
        ],
      });
      if ((ok.body as { code?: number }).code === ErrorCode.COMMAND_UNAVAILABLE) {
        const reason = `${target.name} has no transactions (108): the rollback path is covered on sqlite`;
        console.log(`# skipping the transactional batch feed test: ${reason}`);
        t.skip(reason);
        return;
      }
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const committed = events.slice(start);
      assert.deepEqual(
        committed.map((e) => `${e.op} ${String(e.after?.fields['title'])}`),
        ['create first', 'create second'],
      );
      // beforeSave of the second ran inside the transaction, after the first was written: nothing was out yet.
      assert.equal(committed[1]?.after?.fields['seenEvents'], start);

      const before = events.length;
      const failed = await post('/batch', {
        transaction: true,
        requests: [
          { method: 'POST', path: '/parse/classes/TxDoc', body: { title: 'rolled back' } },
          { method: 'PUT', path: '/parse/classes/TxDoc/nosuchobj1', body: { title: 'x' } },
        ],
      });
      assert.equal((failed.body as { code?: number }).code, ErrorCode.OBJECT_NOT_FOUND);
      assert.deepEqual(events.slice(before), [], 'a rolled-back transaction publishes nothing');
      // afterSave of a write inside the transaction runs after the commit (its own write is not part of it) and
      // the batch answers only once it is done.
      const withTrigger = events.length;
      const triggered = await post('/batch', {
        transaction: true,
        requests: [{ method: 'POST', path: '/parse/classes/CloudDoc', body: { n: 1 } }],
      });
      assert.equal(triggered.status, 200, JSON.stringify(triggered.body));
      assert.deepEqual(
        events.slice(withTrigger).map((e) => `${e.op} ${e.className}`),
        ['create CloudDoc', 'create Audit'],
      );
      const left = await server.call({
        path: `/classes/TxDoc?where=${encodeURIComponent('{"title":"rolled back"}')}`,
        master: true,
      });
      assert.deepEqual((left.body as { results: unknown[] }).results, []);
    });
  });
}
