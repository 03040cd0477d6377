import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ErrorCode } from '../errors/index.js';
import type { CloudObjectJSON, CloudRegistry, JsonObject } from '../cloud/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;
const q = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

const mongo = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip =
  mongo === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_MONGODB_URI is not set' : false;
if (mongoSkip !== false) console.log(`# skipping the cloud trigger suite on mongodb: ${mongoSkip}`);

/** What the hooks saw, in order, for the assertions. */
interface Seen {
  readonly name: string;
  readonly request: Json;
}

function registerHooks(cloud: CloudRegistry, seen: Seen[]): void {
  const record = (name: string, request: unknown): void => {
    const { log: _log, ...rest } = request as Json;
    seen.push({ name, request: JSON.parse(JSON.stringify(rest)) as Json });
  };
  cloud.defineTrigger({
    triggerName: 'beforeSave',
    className: 'Post',
    source: 'strata',
    handler: async (request) => {
      record('beforeSave', request);
      (request.context as JsonObject)['fromBefore'] = 'yes';
      const object = request.object;
      if (object['title'] === 'reject') throw 'Titles may not be "reject".';
      if (object['title'] === 'parse-error') throw { code: ErrorCode.DUPLICATE_VALUE, message: 'duplicate title' };
      if (object['title'] === 'error') throw new Error('plain error');
      if (object['title'] === 'nothing') throw undefined;
      if (object['title'] === 'hang') return new Promise(() => undefined);
      const changes: JsonObject = { slug: String(object['title'] ?? '').toLowerCase(), draft: { __op: 'Delete' } };
      return { changes };
    },
  });
  cloud.defineTrigger({
    triggerName: 'afterSave',
    className: 'Post',
    source: 'strata',
    handler: async (request) => {
      record('afterSave', request);
      if (request.object['title'] === 'after-fails') throw new Error('afterSave broke');
      if (request.object['title'] === 'after-answers') return { ...request.object, extra: 'from afterSave' };
      return undefined;
    },
  });
  cloud.defineTrigger({
    triggerName: 'beforeDelete',
    className: 'Post',
    source: 'strata',
    handler: async (request) => {
      record('beforeDelete', request);
      (request.context as JsonObject)['deleting'] = true;
      if (request.object['title'] === 'keep') throw 'This post stays.';
      return undefined;
    },
  });
  cloud.defineTrigger({
    triggerName: 'afterDelete',
    className: 'Post',
    source: 'strata',
    handler: async (request) => {
      record('afterDelete', request);
      if (request.object['title'] === 'after-delete-fails') throw 'afterDelete broke';
      return undefined;
    },
  });
  cloud.defineTrigger({
    triggerName: 'beforeFind',
    className: 'Item',
    source: 'strata',
    handler: async (request) => {
      record('beforeFind', request);
      const where = request.query.where;
      if (where['mode'] === 'onlyOpen') {
        return { query: { ...request.query, where: { state: 'open' }, order: '-rank', limit: 2 } };
      }
      if (where['mode'] === 'answer') {
        const objects: CloudObjectJSON[] = (request.context['ids'] as string[]).map((objectId) => ({
          className: 'Item',
          objectId,
          state: 'made up',
        }));
        return { objects };
      }
      if (where['mode'] === 'fail') throw 'no finding';
      return undefined;
    },
  });
  cloud.defineTrigger({
    triggerName: 'afterFind',
    className: 'Item',
    source: 'strata',
    handler: async (request) => {
      record('afterFind', request);
      if (request.context['hideSecret'] === true) {
        return request.objects.filter((o) => o['secret'] !== true).map((o) => ({ ...o, seenBy: 'afterFind' }));
      }
      return undefined;
    },
  });
  cloud.defineTrigger({
    triggerName: 'afterFind',
    className: 'GetOnly',
    source: 'strata',
    handler: async (request) => {
      record('afterFind', request);
      return undefined;
    },
  });
}

function suite(backend: 'sqlite' | 'mongodb', skip: string | false): void {
  describe(`cloud triggers over REST [${backend}]`, { skip }, () => {
    let server: TestServer;
    const seen: Seen[] = [];
    const names = (): string[] => seen.map((s) => s.name);
    const find = (name: string): Json => {
      const hit = seen.find((s) => s.name === name);
      assert.ok(hit, `${name} ran`);
      return hit.request;
    };
    before(async () => {
      server = await startTestServer({
        backend,
        cloudTimeout: 300,
        appName: 'Triggers',
        publicServerURL: 'http://127.0.0.1:1/parse',
        cloudSetup: (cloud) => registerHooks(cloud, seen),
      });
    });
    after(() => server.close());
    beforeEach(() => {
      seen.length = 0;
    });

    it('beforeSave on create: sees the pending object and the caller; its changes are saved and echoed', async () => {
      const created = await server.call({
        method: 'POST',
        path: '/classes/Post',
        body: { title: 'Hello', draft: true, n: { __op: 'Increment', amount: 2 } },
        headers: { 'X-Parse-Cloud-Context': JSON.stringify({ from: 'client' }), 'X-Parse-Installation-Id': 'inst-1' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const body = created.body as Json;
      assert.equal(body['slug'], 'hello');
      assert.deepEqual(body['draft'], { __op: 'Delete' });
      assert.equal(body['n'], 2);
      assert.deepEqual(names(), ['beforeSave', 'afterSave']);
      const request = find('beforeSave');
      assert.equal(request['triggerName'], 'beforeSave');
      assert.deepEqual(request['object'], { className: 'Post', title: 'Hello', draft: true, n: 2 });
      assert.deepEqual(request['dirtyKeys'], ['title', 'draft', 'n']);
      assert.equal(request['original'], undefined);
      assert.equal(request['master'], false);
      assert.equal(request['isReadOnly'], false);
      assert.equal(request['installationId'], 'inst-1');
      assert.equal(request['ip'], '127.0.0.1');
      assert.deepEqual(request['context'], { from: 'client' });
      assert.equal((request['headers'] as Json)['x-parse-installation-id'], 'inst-1');
      const saved = await server.call({ path: `/classes/Post/${String(body['objectId'])}` });
      assert.equal((saved.body as Json)['slug'], 'hello');
      assert.equal((saved.body as Json)['draft'], undefined);
      // afterSave: the object as saved, and the context the beforeSave wrote.
      const afterSave = find('afterSave');
      assert.equal((afterSave['object'] as Json)['objectId'], body['objectId']);
      assert.equal((afterSave['object'] as Json)['slug'], 'hello');
      assert.equal((afterSave['context'] as Json)['fromBefore'], 'yes');
    });

    it('beforeSave on update: original, the stored object with the changes, dirtyKeys; changes echoed', async () => {
      const created = await server.call({ method: 'POST', path: '/classes/Post', body: { title: 'One', tags: ['a'] } });
      const id = String((created.body as Json)['objectId']);
      seen.length = 0;
      const updated = await server.call({
        method: 'PUT',
        path: `/classes/Post/${id}`,
        body: { title: 'Two', tags: { __op: 'Add', objects: ['b'] } },
      });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.equal((updated.body as Json)['slug'], 'two');
      assert.deepEqual((updated.body as Json)['tags'], ['a', 'b']);
      const request = find('beforeSave');
      assert.equal((request['original'] as Json)['title'], 'One');
      assert.equal((request['original'] as Json)['slug'], 'one');
      assert.equal((request['object'] as Json)['title'], 'Two');
      assert.deepEqual((request['object'] as Json)['tags'], ['a', 'b']);
      assert.equal((request['object'] as Json)['objectId'], id);
      assert.deepEqual(request['dirtyKeys'], ['title', 'tags']);
      assert.equal((find('afterSave')['original'] as Json)['title'], 'One');
    });

    it('beforeSave runs after the write permission check: an object the caller may not write is 101, no trigger', async () => {
      const created = await server.call({
        method: 'POST',
        path: '/classes/Post',
        master: true,
        body: { title: 'Locked', ACL: { '*': { read: true } } },
      });
      const id = String((created.body as Json)['objectId']);
      seen.length = 0;
      const denied = await server.call({ method: 'PUT', path: `/classes/Post/${id}`, body: { title: 'Changed' } });
      assert.equal(denied.status, 404);
      assert.equal((denied.body as Json)['code'], ErrorCode.OBJECT_NOT_FOUND);
      assert.deepEqual(names(), []);
    });

    it('a refusing beforeSave fails the request with its error, and nothing is saved', async () => {
      const cases: Array<{ title: string; code: number; error: string }> = [
        { title: 'reject', code: 141, error: 'Titles may not be "reject".' },
        { title: 'parse-error', code: 137, error: 'duplicate title' },
        { title: 'error', code: 141, error: 'plain error' },
        { title: 'nothing', code: 141, error: 'Script failed.' },
      ];
      for (const c of cases) {
        const r = await server.call({ method: 'POST', path: '/classes/Post', body: { title: c.title } });
        assert.equal(r.status, 400, c.title);
        assert.deepEqual(r.body, { code: c.code, error: c.error });
      }
      const left = await server.call({
        path: `/classes/Post?where=${q({ title: { $in: cases.map((c) => c.title) } })}`,
      });
      assert.deepEqual((left.body as { results: unknown[] }).results, []);
      assert.deepEqual(names(), ['beforeSave', 'beforeSave', 'beforeSave', 'beforeSave']);
    });

    it('a beforeSave that hangs past the cloud timeout fails with 141; nothing is saved; the server keeps answering', async () => {
      const r = await server.call({ method: 'POST', path: '/classes/Post', body: { title: 'hang' } });
      assert.equal(r.status, 400);
      assert.equal((r.body as Json)['code'], 141);
      assert.match(String((r.body as Json)['error']), /timed out/);
      const left = await server.call({ path: `/classes/Post?where=${q({ title: 'hang' })}` });
      assert.deepEqual((left.body as { results: unknown[] }).results, []);
      const health = await server.call({ path: '/health' });
      assert.equal(health.status, 200);
    });

    it('afterSave errors are only logged; a returned object adds what differs to the response', async () => {
      const failed = await server.call({ method: 'POST', path: '/classes/Post', body: { title: 'after-fails' } });
      assert.equal(failed.status, 201);
      const answered = await server.call({ method: 'POST', path: '/classes/Post', body: { title: 'after-answers' } });
      assert.equal(answered.status, 201);
      assert.equal((answered.body as Json)['extra'], 'from afterSave');
      assert.equal((answered.body as Json)['title'], undefined, 'fields the client sent are not echoed');
    });

    it('beforeDelete sees the object (read with the caller’s rights) and can refuse; afterDelete follows', async () => {
      const keep = await server.call({ method: 'POST', path: '/classes/Post', body: { title: 'keep' } });
      const keepId = String((keep.body as Json)['objectId']);
      seen.length = 0;
      const refused = await server.call({ method: 'DELETE', path: `/classes/Post/${keepId}` });
      assert.deepEqual(refused.body, { code: 141, error: 'This post stays.' });
      assert.equal((await server.call({ path: `/classes/Post/${keepId}` })).status, 200);
      assert.deepEqual(names(), ['beforeDelete']);

      const gone = await server.call({ method: 'POST', path: '/classes/Post', body: { title: 'gone' } });
      const goneId = String((gone.body as Json)['objectId']);
      seen.length = 0;
      const deleted = await server.call({
        method: 'DELETE',
        path: `/classes/Post/${goneId}`,
        headers: { 'X-Parse-Cloud-Context': '{"why":"cleanup"}' },
      });
      assert.equal(deleted.status, 200);
      assert.deepEqual(names(), ['beforeDelete', 'afterDelete']);
      assert.equal((find('beforeDelete')['object'] as Json)['title'], 'gone');
      assert.deepEqual(find('afterDelete')['context'], { why: 'cleanup', deleting: true });

      const hidden = await server.call({
        method: 'POST',
        path: '/classes/Post',
        master: true,
        body: { title: 'hidden', ACL: {} },
      });
      seen.length = 0;
      const unreadable = await server.call({
        method: 'DELETE',
        path: `/classes/Post/${String((hidden.body as Json)['objectId'])}`,
      });
      assert.equal(unreadable.status, 404);
      assert.deepEqual(names(), []);
    });

    it('afterDelete errors reach the client although the object is deleted', async () => {
      const made = await server.call({ method: 'POST', path: '/classes/Post', body: { title: 'after-delete-fails' } });
      const id = String((made.body as Json)['objectId']);
      const r = await server.call({ method: 'DELETE', path: `/classes/Post/${id}` });
      assert.deepEqual(r.body, { code: 141, error: 'afterDelete broke' });
      assert.equal((await server.call({ path: `/classes/Post/${id}` })).status, 404);
    });

    it('beforeFind can rewrite the query (where, order, limit) for find, count and get', async () => {
      for (const [state, rank] of [
        ['open', 1],
        ['open', 3],
        ['open', 2],
        ['closed', 9],
      ] as const) {
        await server.call({ method: 'POST', path: '/classes/Item', body: { state, rank } });
      }
      seen.length = 0;
      const found = await server.call({ path: `/classes/Item?where=${q({ mode: 'onlyOpen' })}` });
      assert.equal(found.status, 200, JSON.stringify(found.body));
      const results = (found.body as { results: Json[] }).results;
      assert.deepEqual(
        results.map((o) => o['rank']),
        [3, 2],
      );
      const beforeFind = find('beforeFind');
      assert.deepEqual(beforeFind['query'], { className: 'Item', where: { mode: 'onlyOpen' } });
      assert.equal(beforeFind['count'], false);
      assert.equal(beforeFind['isGet'], false);
      assert.deepEqual((find('afterFind')['query'] as Json)['where'], { state: 'open' });

      seen.length = 0;
      const counted = await server.call({ path: `/classes/Item?count=1&limit=0&where=${q({ mode: 'onlyOpen' })}` });
      assert.equal((counted.body as Json)['count'], 3);
      assert.equal(find('beforeFind')['count'], true);

      const id = String(results[0]?.['objectId']);
      seen.length = 0;
      const got = await server.call({ path: `/classes/Item/${id}` });
      assert.equal(got.status, 200);
      assert.equal(find('beforeFind')['isGet'], true);
      assert.equal(find('afterFind')['isGet'], true);

      const refused = await server.call({ path: `/classes/Item?where=${q({ mode: 'fail' })}` });
      assert.deepEqual(refused.body, { code: 141, error: 'no finding' });
    });

    it('objects a beforeFind answers are re-read under the caller’s ACL (the master key gets them as returned)', async () => {
      const open = await server.call({ method: 'POST', path: '/classes/Item', body: { state: 'real' } });
      const hidden = await server.call({ method: 'POST', path: '/classes/Item', master: true, body: { ACL: {} } });
      const ids = [String((hidden.body as Json)['objectId']), String((open.body as Json)['objectId'])];
      const headers = { 'X-Parse-Cloud-Context': JSON.stringify({ ids }) };
      const asClient = await server.call({ path: `/classes/Item?where=${q({ mode: 'answer' })}`, headers });
      const clientResults = (asClient.body as { results: Json[] }).results;
      assert.deepEqual(
        clientResults.map((o) => [o['objectId'], o['state']]),
        [[ids[1], 'real']],
      );
      const asMaster = await server.call({
        path: `/classes/Item?where=${q({ mode: 'answer' })}`,
        headers,
        master: true,
      });
      const masterResults = (asMaster.body as { results: Json[] }).results;
      assert.deepEqual(
        masterResults.map((o) => [o['objectId'], o['state']]),
        [
          [ids[0], 'made up'],
          [ids[1], 'made up'],
        ],
      );
    });

    it('afterFind replaces the results (find and get)', async () => {
      await server.call({ method: 'POST', path: '/classes/Item', body: { state: 'af', secret: true } });
      const shown = await server.call({ method: 'POST', path: '/classes/Item', body: { state: 'af', secret: false } });
      const headers = { 'X-Parse-Cloud-Context': JSON.stringify({ hideSecret: true }) };
      const r = await server.call({ path: `/classes/Item?where=${q({ state: 'af' })}`, headers });
      const results = (r.body as { results: Json[] }).results;
      assert.deepEqual(
        results.map((o) => [o['objectId'], o['seenBy']]),
        [[(shown.body as Json)['objectId'], 'afterFind']],
      );
      assert.equal(typeof results[0]?.['createdAt'], 'string');
    });

    it('included objects of a class with find triggers are read through them (afterFind shapes the include)', async () => {
      const secret = await server.call({ method: 'POST', path: '/classes/Item', body: { state: 'inc', secret: true } });
      const shown = await server.call({ method: 'POST', path: '/classes/Item', body: { state: 'inc', secret: false } });
      const pointer = (r: { body: unknown }): Json => ({
        __type: 'Pointer',
        className: 'Item',
        objectId: (r.body as Json)['objectId'],
      });
      await server.call({
        method: 'POST',
        path: '/classes/Box',
        body: { label: 'box', main: pointer(shown), hidden: pointer(secret) },
      });
      seen.length = 0;
      const r = await server.call({
        path: `/classes/Box?include=main,hidden&where=${q({ label: 'box' })}`,
        headers: { 'X-Parse-Cloud-Context': JSON.stringify({ hideSecret: true }) },
      });
      const box = (r.body as { results: Json[] }).results[0] as Json;
      assert.equal((box['main'] as Json)['seenBy'], 'afterFind');
      assert.equal((box['main'] as Json)['__type'], 'Object');
      assert.equal(box['hidden'], undefined, 'what afterFind dropped is not included');
      // One read per include path, as Parse does: each runs the class's beforeFind and afterFind.
      assert.deepEqual(names(), ['beforeFind', 'afterFind', 'beforeFind', 'afterFind']);
    });

    it('an include through find triggers is still checked as a CLP get, not a find (as without triggers)', async () => {
      const clp = { get: { '*': true }, find: {}, count: {}, create: {}, update: {}, delete: {}, addField: {} };
      const schema = await server.call({
        method: 'POST',
        path: '/schemas/GetOnly',
        master: true,
        body: { className: 'GetOnly', fields: { label: { type: 'String' } }, classLevelPermissions: clp },
      });
      assert.equal(schema.status, 200, JSON.stringify(schema.body));
      const target = await server.call({
        method: 'POST',
        path: '/classes/GetOnly',
        master: true,
        body: { label: 'x' },
      });
      const objectId = (target.body as Json)['objectId'];
      const holder = await server.call({
        method: 'POST',
        path: '/classes/GetOnlyHolder',
        body: { target: { __type: 'Pointer', className: 'GetOnly', objectId } },
      });
      seen.length = 0;
      const r = await server.call({
        path: `/classes/GetOnlyHolder/${(holder.body as Json)['objectId']}?include=target`,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(((r.body as Json)['target'] as Json)['label'], 'x');
      assert.deepEqual(names(), ['afterFind'], 'the include ran the trigger');
      const refused = await server.call({ path: '/classes/GetOnly' });
      assert.equal((refused.body as Json)['code'], ErrorCode.OPERATION_FORBIDDEN, 'a find of the class stays refused');
    });

    it('batch sub-requests run the triggers and share the outer context', async () => {
      const r = await server.call({
        method: 'POST',
        path: '/batch',
        headers: { 'X-Parse-Cloud-Context': '{"batch":1}' },
        body: {
          requests: [
            { method: 'POST', path: '/parse/classes/Post', body: { title: 'B1' } },
            { method: 'POST', path: '/parse/classes/Post', body: { title: 'reject' } },
          ],
        },
      });
      const [first, second] = r.body as Json[];
      assert.equal((first?.['success'] as Json)['slug'], 'b1');
      assert.deepEqual(second?.['error'], { code: 141, error: 'Titles may not be "reject".' });
      const contexts = seen.filter((s) => s.name === 'beforeSave').map((s) => (s.request['context'] as Json)['batch']);
      assert.deepEqual(contexts, [1, 1]);
    });

    it('a context header that is not a JSON object is refused with 107', async () => {
      const r = await server.call({
        method: 'POST',
        path: '/classes/Post',
        body: { title: 'x' },
        headers: { 'X-Parse-Cloud-Context': '[1]' },
      });
      assert.equal(r.status, 400);
      assert.equal((r.body as Json)['code'], 107);
      assert.deepEqual(names(), []);
    });
  });
}

suite('sqlite', false);
suite('mongodb', mongoSkip);
