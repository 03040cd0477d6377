/**
 * The `/hooks` API over real HTTP (rest.md §18): CRUD of function and trigger webhooks, its error codes and
 * messages, the master-key gate, the registry overlay it maintains, loading `_Hooks` at start, the change
 * reaching another server over Redis, and the parse-server document layout on MongoDB (FerretDB).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CloudRegistry } from '../cloud/index.js';
import { expectError, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

const READ_ONLY_KEY = 'hooks-read-only-key';
const HOOK_URL = 'https://hooks.example.com/fn';

describe('/hooks API (SQLite)', () => {
  let server: TestServer;
  let registry: CloudRegistry | undefined;

  before(async () => {
    server = await startTestServer({
      readOnlyMasterKey: READ_ONLY_KEY,
      // Its webhook targets listen on loopback, reachable only when allowed (the SSRF guard).
      outboundAllowIps: ['127.0.0.1'],
      cloudSetup: (r) => {
        registry = r;
        r.defineFunction({
          name: 'inProcess',
          source: 'strata',
          handler: async () => ({ result: 'from the server' }),
        });
      },
    });
  });
  after(() => server.close());

  const call = (method: string, path: string, body?: unknown): ReturnType<TestServer['call']> =>
    server.call({ method, path, master: true, ...(body === undefined ? {} : { body }) });

  it('refuses every route without the master key (403 Permission denied), and changes nothing', async () => {
    const attempts = [
      { method: 'GET', path: '/hooks/functions' },
      { method: 'GET', path: '/hooks/functions/x' },
      { method: 'POST', path: '/hooks/functions', body: { functionName: 'x', url: HOOK_URL } },
      { method: 'PUT', path: '/hooks/functions/x', body: { url: HOOK_URL } },
      { method: 'PUT', path: '/hooks/functions/x', body: { __op: 'Delete' } },
      { method: 'GET', path: '/hooks/triggers' },
      { method: 'GET', path: '/hooks/triggers/Thing/beforeSave' },
      {
        method: 'POST',
        path: '/hooks/triggers',
        body: { className: 'Thing', triggerName: 'beforeSave', url: HOOK_URL },
      },
      { method: 'PUT', path: '/hooks/triggers/Thing/beforeSave', body: { url: HOOK_URL } },
    ];
    for (const attempt of attempts) {
      const response = await server.call(attempt);
      assert.equal(response.status, 403, `${attempt.method} ${attempt.path}`);
      assert.deepEqual(response.body, { error: 'Permission denied' });
    }
    assert.deepEqual((await call('GET', '/hooks/functions')).body, []);
    assert.deepEqual((await call('GET', '/hooks/triggers')).body, []);
  });

  it('lets the read-only master key list hooks but not change them (119)', async () => {
    const headers = { 'X-Parse-Master-Key': READ_ONLY_KEY, 'X-Parse-REST-API-Key': '' };
    const list = await server.call({ path: '/hooks/functions', headers });
    assert.equal(list.status, 200);
    const create = await server.call({
      method: 'POST',
      path: '/hooks/functions',
      headers,
      body: { functionName: 'ro', url: HOOK_URL },
    });
    expectError(create, { code: 119, error: /read-only/ });
    expectError(await call('GET', '/hooks/functions/ro'), { code: 143, error: 'no function named: ro is defined' });
  });

  it('creates, lists, reads, updates and deletes a function webhook', async () => {
    const created = await call('POST', '/hooks/functions', { functionName: 'hello', url: HOOK_URL });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body, { functionName: 'hello', url: HOOK_URL });
    assert.equal(registry?.function('hello')?.source, 'webhook');

    assert.deepEqual((await call('GET', '/hooks/functions')).body, [{ functionName: 'hello', url: HOOK_URL }]);
    assert.deepEqual((await call('GET', '/hooks/functions/hello')).body, { functionName: 'hello', url: HOOK_URL });

    expectError(await call('POST', '/hooks/functions', { functionName: 'hello', url: 'http://other.example/x' }), {
      code: 143,
      error: 'function name: hello already exists',
    });

    const updated = await call('PUT', '/hooks/functions/hello', { url: 'http://other.example/x' });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body, { functionName: 'hello', url: 'http://other.example/x' });
    assert.deepEqual((await call('GET', '/hooks/functions/hello')).body, {
      functionName: 'hello',
      url: 'http://other.example/x',
    });

    const deleted = await call('PUT', '/hooks/functions/hello', { __op: 'Delete' });
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, {});
    assert.equal(registry?.function('hello'), undefined);
    expectError(await call('GET', '/hooks/functions/hello'), {
      code: 143,
      error: 'no function named: hello is defined',
    });
    assert.deepEqual((await call('GET', '/hooks/functions')).body, []);
  });

  it('answers 143 for updating or deleting a function that does not exist', async () => {
    expectError(await call('PUT', '/hooks/functions/missing', { url: HOOK_URL }), {
      code: 143,
      error: 'no function named: missing is defined',
    });
    expectError(await call('PUT', '/hooks/functions/missing', { __op: 'Delete' }), {
      code: 143,
      error: 'no function named: missing is defined',
    });
    assert.deepEqual((await call('GET', '/hooks/functions')).body, []);
  });

  it('refuses invalid function declarations with 143 and stores nothing', async () => {
    const cases: { body: unknown; error: string | RegExp }[] = [
      { body: {}, error: 'invalid hook declaration' },
      { body: { functionName: 'f' }, error: 'invalid hook declaration' },
      { body: { url: HOOK_URL }, error: 'invalid hook declaration' },
      { body: { functionName: 42, url: HOOK_URL }, error: 'invalid hook declaration' },
      { body: { functionName: 'f', url: 42 }, error: 'invalid hook declaration' },
      { body: { functionName: 'f', url: 'ftp://example.com/x' }, error: /http:\/\/ or https:\/\// },
      { body: { functionName: 'f', url: 'file:///etc/passwd' }, error: /http:\/\/ or https:\/\// },
      { body: { functionName: 'f', url: 'javascript:alert(1)' }, error: /http:\/\/ or https:\/\// },
      { body: { functionName: 'f', url: 'not a url' }, error: /not a valid URL/ },
      { body: { functionName: 'f', url: 'http://user:secret@example.com/' }, error: /user name or password/ },
      { body: { functionName: 'f', url: `http://example.com/${'a'.repeat(3000)}` }, error: /longer than/ },
      { body: { functionName: 'a b', url: HOOK_URL }, error: /invalid function name/ },
      { body: { functionName: '__proto__', url: HOOK_URL }, error: /invalid function name/ },
      { body: { functionName: 'constructor', url: HOOK_URL }, error: /invalid function name/ },
    ];
    for (const { body, error } of cases) {
      expectError(await call('POST', '/hooks/functions', body), { code: 143, error });
    }
    expectError(await call('PUT', '/hooks/functions/f', { url: 'gopher://x' }), { code: 143, error: /http/ });
    expectError(await call('PUT', '/hooks/functions/f', {}), { code: 143, error: 'invalid hook declaration' });
    assert.deepEqual((await call('GET', '/hooks/functions')).body, []);
  });

  it('creates, lists, reads, updates and deletes a trigger webhook', async () => {
    const declaration = { className: 'GameScore', triggerName: 'beforeSave', url: HOOK_URL };
    const created = await call('POST', '/hooks/triggers', declaration);
    assert.equal(created.status, 200);
    assert.deepEqual(created.body, declaration);
    assert.equal(registry?.trigger('beforeSave', 'GameScore')?.source, 'webhook');
    assert.equal(registry?.hasTriggers('GameScore'), true);

    assert.deepEqual((await call('GET', '/hooks/triggers')).body, [declaration]);
    assert.deepEqual((await call('GET', '/hooks/triggers/GameScore/beforeSave')).body, declaration);
    expectError(await call('POST', '/hooks/triggers', declaration), {
      code: 143,
      error: 'class GameScore already has trigger beforeSave',
    });

    const moved = 'https://elsewhere.example.com/save';
    assert.deepEqual((await call('PUT', '/hooks/triggers/GameScore/beforeSave', { url: moved })).body, {
      ...declaration,
      url: moved,
    });
    assert.deepEqual((await call('GET', '/hooks/triggers')).body, [{ ...declaration, url: moved }]);

    assert.deepEqual((await call('PUT', '/hooks/triggers/GameScore/beforeSave', { __op: 'Delete' })).body, {});
    assert.equal(registry?.trigger('beforeSave', 'GameScore'), undefined);
    assert.equal(registry?.hasTriggers('GameScore'), false);
    expectError(await call('GET', '/hooks/triggers/GameScore/beforeSave'), {
      code: 143,
      error: 'class GameScore does not exist',
    });
    expectError(await call('PUT', '/hooks/triggers/GameScore/beforeSave', { url: moved }), {
      code: 143,
      error: 'class GameScore does not exist',
    });
    expectError(await call('PUT', '/hooks/triggers/GameScore/beforeSave', { __op: 'Delete' }), {
      code: 143,
      error: 'class GameScore does not exist',
    });
  });

  it('refuses invalid trigger declarations with 143 and stores nothing', async () => {
    const cases: { body: unknown; error: string | RegExp }[] = [
      { body: { className: 'Thing', url: HOOK_URL }, error: 'invalid hook declaration' },
      { body: { triggerName: 'beforeSave', url: HOOK_URL }, error: 'invalid hook declaration' },
      { body: { className: 'Thing', triggerName: 'beforeFoo', url: HOOK_URL }, error: 'invalid hook declaration' },
      { body: { className: 'Thing', triggerName: 'beforeSave' }, error: 'invalid hook declaration' },
      { body: { className: 'Thing', triggerName: 'beforeSave', url: 'ws://x/y' }, error: /http/ },
      { body: { className: '_Session', triggerName: 'beforeSave', url: HOOK_URL }, error: /not allowed on _Session/ },
      { body: { className: 'Thing', triggerName: 'beforeLogin', url: HOOK_URL }, error: /not allowed on Thing/ },
      { body: { className: 'Bad Class', triggerName: 'beforeSave', url: HOOK_URL }, error: /invalid class name/ },
      { body: { className: '_Hooks', triggerName: 'beforeSave', url: HOOK_URL }, error: /invalid class name/ },
      { body: { className: '__proto__', triggerName: 'beforeSave', url: HOOK_URL }, error: /invalid class name/ },
    ];
    for (const { body, error } of cases) {
      expectError(await call('POST', '/hooks/triggers', body), { code: 143, error });
    }
    assert.deepEqual((await call('GET', '/hooks/triggers')).body, []);
  });

  it('accepts the user and session triggers Parse allows', async () => {
    for (const declaration of [
      { className: '_User', triggerName: 'beforeLogin', url: HOOK_URL },
      { className: '_User', triggerName: 'afterSave', url: HOOK_URL },
      { className: '_Session', triggerName: 'afterLogout', url: HOOK_URL },
    ]) {
      assert.equal((await call('POST', '/hooks/triggers', declaration)).status, 200);
      await call('PUT', `/hooks/triggers/${declaration.className}/${declaration.triggerName}`, { __op: 'Delete' });
    }
    assert.deepEqual((await call('GET', '/hooks/triggers')).body, []);
  });

  it('lays a function webhook over the in-process function of the same name, and gives it back on delete', async () => {
    assert.equal(registry?.function('inProcess')?.source, 'strata');
    await call('POST', '/hooks/functions', { functionName: 'inProcess', url: HOOK_URL });
    assert.equal(registry?.function('inProcess')?.source, 'webhook');
    await call('PUT', '/hooks/functions/inProcess', { __op: 'Delete' });
    assert.equal(registry?.function('inProcess')?.source, 'strata');
  });

  it('has no DELETE route (deleting is PUT with __op Delete)', async () => {
    const response = await call('DELETE', '/hooks/functions/x');
    assert.equal(response.status, 404);
  });
});

describe('/hooks across restarts and servers', () => {
  it('loads the stored webhooks when a server starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-hooks-restart-'));
    const databaseURI = `sqlite:${join(dir, 'hooks.db')}`;
    try {
      const first = await startTestServer({ databaseURI });
      await first.call({
        method: 'POST',
        path: '/hooks/functions',
        master: true,
        body: { functionName: 'f', url: HOOK_URL },
      });
      await first.call({
        method: 'POST',
        path: '/hooks/triggers',
        master: true,
        body: { className: 'Thing', triggerName: 'afterSave', url: HOOK_URL },
      });
      await first.close();
      let registry: CloudRegistry | undefined;
      const second = await startTestServer({ databaseURI, cloudSetup: (r) => void (registry = r) });
      try {
        assert.equal(registry?.function('f')?.source, 'webhook');
        assert.equal(registry?.trigger('afterSave', 'Thing')?.source, 'webhook');
        assert.deepEqual((await second.call({ path: '/hooks/functions', master: true })).body, [
          { functionName: 'f', url: HOOK_URL },
        ]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const redisURL = process.env['STRATA_TEST_REDIS_URL'];
  const skipRedis =
    redisURL === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
      ? 'STRATA_TEST_REDIS_URL is not set'
      : false;
  if (skipRedis !== false) console.log(`# skipping webhook changes across servers: ${skipRedis}`);

  it('a change on one server reaches the other over Redis', { skip: skipRedis }, async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    const dir = mkdtempSync(join(tmpdir(), 'strata-hooks-sync-'));
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    const appId = `hooks-sync-${randomBytes(4).toString('hex')}`;
    let registryB: CloudRegistry | undefined;
    const a = await startTestServer({ databaseURI, redisURL, appId });
    const b = await startTestServer({ databaseURI, redisURL, appId, cloudSetup: (r) => void (registryB = r) });
    const headers = { 'X-Parse-Application-Id': appId };
    const waitFor = async (what: string, ok: () => boolean): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!ok()) {
        if (Date.now() > deadline) assert.fail(`server B never saw: ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      assert.equal(registryB?.function('shared'), undefined);
      await a.call({
        method: 'POST',
        path: '/hooks/functions',
        master: true,
        headers,
        body: { functionName: 'shared', url: HOOK_URL },
      });
      await waitFor('the new function webhook', () => registryB?.function('shared')?.source === 'webhook');
      await a.call({ method: 'PUT', path: '/hooks/functions/shared', master: true, headers, body: { __op: 'Delete' } });
      await waitFor('the deletion', () => registryB?.function('shared') === undefined);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const skipMongo =
  mongoURI === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
    ? 'STRATA_TEST_MONGODB_URI is not set'
    : false;
if (skipMongo !== false) console.log(`# skipping /hooks on MongoDB: ${skipMongo}`);

describe('/hooks on MongoDB (FerretDB)', { skip: skipMongo }, () => {
  it('stores _Hooks in parse-server layout and loads them at start', async () => {
    assert.ok(mongoURI, 'STRATA_TEST_MONGODB_URI is required when STRATA_REQUIRE_SERVICES=1');
    const dbName = `strata_hooks_${randomBytes(6).toString('hex')}`;
    const databaseURI = `${mongoURI.replace(/\/+$/, '')}/${dbName}`;
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(databaseURI);
    try {
      const first = await startTestServer({ backend: 'mongodb', databaseURI });
      const fn = { functionName: 'hello', url: HOOK_URL };
      const trigger = { className: 'GameScore', triggerName: 'beforeDelete', url: HOOK_URL };
      assert.equal(
        (await first.call({ method: 'POST', path: '/hooks/functions', master: true, body: fn })).status,
        200,
      );
      assert.equal(
        (await first.call({ method: 'POST', path: '/hooks/triggers', master: true, body: trigger })).status,
        200,
      );
      await first.close();

      const documents = await client.db(dbName).collection('_Hooks').find({}).toArray();
      const shapes: Record<string, unknown>[] = documents.map(({ _id, ...rest }) => ({ idType: typeof _id, ...rest }));
      assert.deepEqual(
        shapes.sort((x, y) => String(x['functionName'] ?? '').localeCompare(String(y['functionName'] ?? ''))),
        [
          { idType: 'string', ...trigger },
          { idType: 'string', ...fn },
        ],
      );

      // A document parse-server wrote (ObjectId `_id`) is loaded too.
      const { ObjectId } = await import('mongodb');
      await client
        .db(dbName)
        .collection('_Hooks')
        .insertOne({ _id: new ObjectId(), functionName: 'legacy', url: HOOK_URL } as never);

      let registry: CloudRegistry | undefined;
      const second = await startTestServer({ backend: 'mongodb', databaseURI, cloudSetup: (r) => void (registry = r) });
      try {
        assert.equal(registry?.function('hello')?.source, 'webhook');
        assert.equal(registry?.function('legacy')?.source, 'webhook');
        assert.equal(registry?.trigger('beforeDelete', 'GameScore')?.source, 'webhook');
        assert.deepEqual((await second.call({ path: '/hooks/functions', master: true })).body, [
          fn,
          { functionName: 'legacy', url: HOOK_URL },
        ]);
        assert.deepEqual((await second.call({ path: '/hooks/triggers', master: true })).body, [trigger]);
        const moved = 'http://moved.example/x';
        await second.call({ method: 'PUT', path: '/hooks/functions/legacy', master: true, body: { url: moved } });
        assert.deepEqual((await second.call({ path: '/hooks/functions/legacy', master: true })).body, {
          functionName: 'legacy',
          url: moved,
        });
        await second.call({ method: 'PUT', path: '/hooks/functions/hello', master: true, body: { __op: 'Delete' } });
        assert.equal(registry?.function('hello'), undefined);
        assert.equal(await client.db(dbName).collection('_Hooks').countDocuments({ functionName: 'hello' }), 0);
      } finally {
        await second.close();
      }
    } finally {
      await client
        .db(dbName)
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
    }
  });
});
