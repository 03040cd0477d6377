import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;
const where = (w: unknown): string => encodeURIComponent(JSON.stringify(w));

describe('REST API over HTTP (SQLite)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('create answers 201, Location and the delta; get returns the object', async () => {
    const created = await server.call({ method: 'POST', path: '/classes/Score', body: { score: 5, name: 'a' } });
    assert.equal(created.status, 201);
    const body = created.body as Json;
    assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'objectId']);
    assert.match(body['objectId'] as string, /^[A-Za-z0-9]{10}$/);
    assert.equal(created.headers.get('location'), `${server.mountURL}/classes/Score/${String(body['objectId'])}`);
    const got = await server.call({ path: `/classes/Score/${String(body['objectId'])}` });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, {
      objectId: body['objectId'],
      createdAt: body['createdAt'],
      updatedAt: body['createdAt'],
      score: 5,
      name: 'a',
    });
  });

  it('the JS SDK body form: POST text/plain with _method, _ApplicationId and _JavaScriptKey', async () => {
    const created = await server.call({
      method: 'POST',
      path: '/classes/Form',
      headers: { 'X-Parse-Application-Id': '', 'X-Parse-REST-API-Key': '', 'Content-Type': 'text/plain' },
      raw: JSON.stringify({
        value: 1,
        _ApplicationId: APP_ID,
        _JavaScriptKey: CLIENT_KEY,
        _ClientVersion: 'js8.6.0',
        _InstallationId: 'abc',
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const found = await server.call({
      method: 'POST',
      path: '/classes/Form',
      headers: { 'X-Parse-Application-Id': '', 'X-Parse-REST-API-Key': '', 'Content-Type': 'text/plain' },
      raw: JSON.stringify({ _method: 'GET', where: { value: 1 }, _ApplicationId: APP_ID, _JavaScriptKey: CLIENT_KEY }),
    });
    assert.equal(found.status, 200);
    const results = (found.body as { results: Json[] }).results;
    assert.equal(results.length, 1);
    assert.equal(results[0]?.['value'], 1);
    assert.equal(results[0]?.['_ApplicationId'], undefined, 'credentials are not stored as data');
  });

  it('credentials: unknown app id, wrong client key and master key from a disallowed IP → 403 unauthorized', async () => {
    const wrongApp = await server.call({ path: '/classes/Score', headers: { 'X-Parse-Application-Id': 'nope' } });
    assert.equal(wrongApp.status, 403);
    assert.deepEqual(wrongApp.body, { error: 'unauthorized' });
    const wrongKey = await server.call({ path: '/classes/Score', headers: { 'X-Parse-REST-API-Key': 'wrong' } });
    assert.equal(wrongKey.status, 403);
    assert.deepEqual(wrongKey.body, { error: 'unauthorized' });
    const remote = await startTestServer({ masterKeyIps: ['10.1.2.3'] });
    try {
      const denied = await remote.call({ path: '/schemas', master: true });
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.body, { error: 'unauthorized' });
    } finally {
      await remote.close();
    }
  });

  it('a session token nobody issued → 209 on every route', async () => {
    const response = await server.call({
      path: '/classes/Score',
      headers: { 'X-Parse-Session-Token': 'r:0123456789abcdef0123456789abcdef' },
    });
    assert.equal(response.status, 400);
    assert.equal((response.body as Json)['code'], 209);
  });

  it('health needs no credentials; OPTIONS answers CORS preflight', async () => {
    const health = await fetch(`${server.mountURL}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const preflight = await fetch(`${server.mountURL}/classes/Score`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Parse-Application-Id/);
  });

  it('every update operator, with operation results echoed', async () => {
    const created = await server.call({
      method: 'POST',
      path: '/classes/Ops',
      body: {
        n: { __op: 'Increment', amount: 3 },
        list: { __op: 'Add', objects: [1, 2] },
        stats: { wins: 1 },
        gone: 'x',
      },
    });
    assert.equal(created.status, 201);
    const body = created.body as Json;
    assert.equal(body['n'], 3);
    assert.deepEqual(body['list'], [1, 2]);
    const id = String(body['objectId']);
    const updated = await server.call({
      method: 'PUT',
      path: `/classes/Ops/${id}`,
      body: {
        n: { __op: 'Increment', amount: -5 },
        list: { __op: 'AddUnique', objects: [2, 3] },
        gone: { __op: 'Delete' },
        'stats.wins': { __op: 'Increment', amount: 2 },
      },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    const delta = updated.body as Json;
    assert.equal(delta['n'], -2);
    assert.deepEqual(delta['list'], [1, 2, 3]);
    assert.equal(typeof delta['updatedAt'], 'string');
    assert.equal(delta['gone'], undefined);
    const removed = await server.call({
      method: 'PUT',
      path: `/classes/Ops/${id}`,
      body: { list: { __op: 'Remove', objects: [1, 3] }, more: { __op: 'Add', objects: ['z'] } },
    });
    assert.deepEqual((removed.body as Json)['list'], [2]);
    const got = (await server.call({ path: `/classes/Ops/${id}` })).body as Json;
    assert.equal(got['n'], -2);
    assert.deepEqual(got['list'], [2]);
    assert.deepEqual(got['more'], ['z']);
    assert.deepEqual(got['stats'], { wins: 3 });
    assert.equal('gone' in got, false);
  });

  it('relations: AddRelation, RemoveRelation, Batch, $relatedTo and equality on the relation field', async () => {
    const a = (await server.call({ method: 'POST', path: '/classes/Member', body: { name: 'a' } })).body as Json;
    const b = (await server.call({ method: 'POST', path: '/classes/Member', body: { name: 'b' } })).body as Json;
    const ptr = (o: Json) => ({ __type: 'Pointer', className: 'Member', objectId: o['objectId'] });
    const team = (
      await server.call({
        method: 'POST',
        path: '/classes/Team',
        body: { members: { __op: 'AddRelation', objects: [ptr(a)] } },
      })
    ).body as Json;
    const teamId = String(team['objectId']);
    await server.call({
      method: 'PUT',
      path: `/classes/Team/${teamId}`,
      body: {
        members: {
          __op: 'Batch',
          ops: [
            { __op: 'AddRelation', objects: [ptr(b)] },
            { __op: 'RemoveRelation', objects: [ptr(a)] },
          ],
        },
      },
    });
    const got = (await server.call({ path: `/classes/Team/${teamId}` })).body as Json;
    assert.deepEqual(got['members'], { __type: 'Relation', className: 'Member' });
    const related = await server.call({
      path: `/classes/Member?where=${where({ $relatedTo: { object: { __type: 'Pointer', className: 'Team', objectId: teamId }, key: 'members' } })}`,
    });
    assert.deepEqual(
      (related.body as { results: Json[] }).results.map((r) => r['name']),
      ['b'],
    );
    const owners = await server.call({ path: `/classes/Team?where=${where({ members: ptr(b) })}` });
    assert.deepEqual(
      (owners.body as { results: Json[] }).results.map((r) => r['objectId']),
      [teamId],
    );
  });

  it('find: where, order on several keys, limit/skip, keys, excludeKeys, count, include', async () => {
    const author = (await server.call({ method: 'POST', path: '/classes/Author', body: { name: 'Ann', age: 40 } }))
      .body as Json;
    const authorPtr = { __type: 'Pointer', className: 'Author', objectId: author['objectId'] };
    for (const [title, rank] of [
      ['x', 2],
      ['y', 1],
      ['z', 2],
      ['w', 3],
    ] as const) {
      await server.call({ method: 'POST', path: '/classes/Book', body: { title, rank, author: authorPtr } });
    }
    const sorted = await server.call({
      path: `/classes/Book?order=-rank,title&limit=2&skip=1&count=1&keys=title,rank`,
    });
    const body = sorted.body as { results: Json[]; count: number };
    assert.equal(body.count, 4);
    assert.deepEqual(
      body.results.map((r) => [r['title'], r['rank']]),
      [
        ['x', 2],
        ['z', 2],
      ],
    );
    assert.equal(body.results[0]?.['author'], undefined, 'keys limits the fields');
    assert.equal(typeof body.results[0]?.['createdAt'], 'string', 'timestamps always come back');
    const excluded = await server.call({ path: `/classes/Book?where=${where({ title: 'w' })}&excludeKeys=rank` });
    assert.deepEqual(Object.keys((excluded.body as { results: Json[] }).results[0] ?? {}).sort(), [
      'author',
      'createdAt',
      'objectId',
      'title',
      'updatedAt',
    ]);
    const included = await server.call({ path: `/classes/Book?where=${where({ title: 'w' })}&include=author` });
    const book = (included.body as { results: Json[] }).results[0] as Json;
    assert.deepEqual(
      { ...(book['author'] as Json), createdAt: 'c', updatedAt: 'u' },
      {
        __type: 'Object',
        className: 'Author',
        objectId: author['objectId'],
        createdAt: 'c',
        updatedAt: 'u',
        name: 'Ann',
        age: 40,
      },
    );
    const dotted = await server.call({ path: `/classes/Book?where=${where({ title: 'w' })}&keys=author.name` });
    const slim = (dotted.body as { results: Json[] }).results[0]?.['author'] as Json;
    assert.equal(slim['name'], 'Ann');
    assert.equal(slim['age'], undefined);
    const countOnly = await server.call({ path: `/classes/Book?limit=0&count=1` });
    assert.deepEqual(countOnly.body, { results: [], count: 4 });
  });

  it('ACLs: an object readable by nobody is invisible without the master key', async () => {
    const hidden = (await server.call({ method: 'POST', path: '/classes/Secret', body: { v: 1, ACL: {} } }))
      .body as Json;
    const open = (
      await server.call({ method: 'POST', path: '/classes/Secret', body: { v: 2, ACL: { '*': { read: true } } } })
    ).body as Json;
    const list = await server.call({ path: '/classes/Secret' });
    assert.deepEqual(
      (list.body as { results: Json[] }).results.map((r) => r['v']),
      [2],
    );
    const get = await server.call({ path: `/classes/Secret/${String(hidden['objectId'])}` });
    assert.equal(get.status, 404);
    const write = await server.call({
      method: 'PUT',
      path: `/classes/Secret/${String(open['objectId'])}`,
      body: { v: 3 },
    });
    assert.equal(write.status, 404, 'read-only for the public: an update answers 101');
    const master = await server.call({ path: `/classes/Secret/${String(hidden['objectId'])}`, master: true });
    assert.equal(master.status, 200);
    assert.deepEqual((master.body as Json)['ACL'], {});
  });

  it('batch: per-item results, concurrent; transaction: all or nothing', async () => {
    const batch = await server.call({
      method: 'POST',
      path: '/batch',
      body: {
        requests: [
          { method: 'POST', path: '/parse/classes/Batch', body: { n: 1 } },
          { method: 'POST', path: '/parse/classes/Batch', body: { n: 'not a number' } },
        ],
      },
    });
    assert.equal(batch.status, 200);
    const items = batch.body as Json[];
    assert.equal(typeof (items[0]?.['success'] as Json)['objectId'], 'string');
    assert.deepEqual((items[1]?.['error'] as Json)['code'], 111);
    const tx = await server.call({
      method: 'POST',
      path: '/batch',
      body: {
        transaction: true,
        requests: [
          { method: 'POST', path: '/parse/classes/Batch', body: { n: 2 } },
          { method: 'POST', path: '/parse/classes/Batch', body: { n: 'bad' } },
        ],
      },
    });
    assert.equal(tx.status, 400);
    assert.equal((tx.body as Json)['code'], 111);
    const all = await server.call({ path: '/classes/Batch' });
    assert.deepEqual(
      (all.body as { results: Json[] }).results.map((r) => r['n']),
      [1],
      'the transaction left nothing behind',
    );
  });

  it('schemas: create, add and delete a field and an index, drop only when empty', async () => {
    const created = await server.call({
      method: 'POST',
      path: '/schemas/Planned',
      master: true,
      body: { fields: { title: { type: 'String', required: true }, owner: { type: 'Pointer', targetClass: '_User' } } },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const fields = (created.body as { fields: Json }).fields;
    assert.deepEqual(fields['owner'], { type: 'Pointer', targetClass: '_User' });
    assert.deepEqual(fields['title'], { type: 'String', required: true });
    const again = await server.call({ method: 'POST', path: '/schemas/Planned', master: true, body: {} });
    assert.equal((again.body as Json)['code'], 103);
    const missingRequired = await server.call({ method: 'POST', path: '/classes/Planned', body: { other: 1 } });
    assert.equal((missingRequired.body as Json)['code'], 142);
    const put = await server.call({
      method: 'PUT',
      path: '/schemas/Planned',
      master: true,
      body: { fields: { count: { type: 'Number' }, owner: { __op: 'Delete' } }, indexes: { title_1: { title: 1 } } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const after = put.body as { fields: Json; indexes: Json };
    assert.deepEqual(after.fields['count'], { type: 'Number' });
    assert.equal(after.fields['owner'], undefined);
    assert.deepEqual(after.indexes['title_1'], { title: 1 });
    await server.call({ method: 'POST', path: '/classes/Planned', body: { title: 't' } });
    const notEmpty = await server.call({ method: 'DELETE', path: '/schemas/Planned', master: true });
    assert.equal((notEmpty.body as Json)['code'], 255);
    await server.call({ method: 'DELETE', path: '/purge/Planned', master: true });
    const dropped = await server.call({ method: 'DELETE', path: '/schemas/Planned', master: true });
    assert.equal(dropped.status, 200);
    const gone = await server.call({ path: '/schemas/Planned', master: true });
    assert.equal((gone.body as Json)['code'], 103);
  });

  it('clients may not create classes when allowClientClassCreation is off (the default)', async () => {
    const locked = await startTestServer({ allowClientClassCreation: false });
    try {
      const denied = await locked.call({ method: 'POST', path: '/classes/Fresh', body: { a: 1 } });
      assert.equal(denied.status, 400);
      assert.equal((denied.body as Json)['code'], 119);
      const master = await locked.call({ method: 'POST', path: '/classes/Fresh', body: { a: 1 }, master: true });
      assert.equal(master.status, 201);
      const client = await locked.call({ method: 'POST', path: '/classes/Fresh', body: { a: 2 } });
      assert.equal(client.status, 201, 'an existing class accepts client writes');
    } finally {
      await locked.close();
    }
  });

  it('POST /classes/_User is a sign-up; volatile system classes stay master-only', async () => {
    const signUp = await server.call({
      method: 'POST',
      path: '/classes/_User',
      body: { username: 'x', password: 'y' },
    });
    assert.equal(signUp.status, 201);
    assert.match((signUp.body as Json)['sessionToken'] as string, /^r:[0-9a-f]{32}$/);
    const volatile = await server.call({ path: '/classes/_JobStatus' });
    assert.equal((volatile.body as Json)['code'], 119);
  });

  it('serverInfo with the master key', async () => {
    const info = await server.call({ path: '/serverInfo', master: true });
    assert.equal(info.status, 200);
    assert.equal(typeof (info.body as Json)['parseServerVersion'], 'string');
    // What is implemented is announced, so parse-dashboard shows its Config, Webhooks and Jobs pages.
    const features = (info.body as Json)['features'] as Json;
    const all = { create: true, read: true, update: true, delete: true };
    assert.deepEqual(features['globalConfig'], all);
    assert.deepEqual(features['hooks'], all);
    assert.deepEqual(features['cloudCode'], { jobs: true });
    void MASTER_KEY;
  });
});
