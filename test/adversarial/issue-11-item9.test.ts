/**
 * Issue 11 item 9 and the other client-triggerable 500s found earlier: each request that answered 500 now
 * answers the right 4xx Parse error and changes nothing (or, where Parse serves it, simply works). On
 * SQLite and on MongoDB (FerretDB here) when STRATA_TEST_MONGODB_URI is set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CloudRegistry } from '../../server/src/cloud/index.js';
import { createCloudAPI } from '../../server/src/cloud-api.js';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { describeWithMongo } from '../../server/src/testing/mongo.test-util.js';
import { jsonCall } from './json-call.js';
import type { Json, JsonRequest } from './json-call.js';

const q = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

function registerCloud(registry: CloudRegistry): void {
  const cloud = createCloudAPI(registry);
  // Describes what it was given, files included, so the multipart test can see what arrived.
  cloud.defineFunction('describe', ({ params }) => {
    const out: Json = {};
    for (const [key, value] of Object.entries(params as Json)) {
      const file = value as { filename?: unknown; contentType?: unknown; data?: unknown };
      out[key] = Buffer.isBuffer(file?.data)
        ? { filename: file.filename, contentType: file.contentType, text: file.data.toString('utf8') }
        : value;
    }
    return out;
  });
}

function item9Tests(backend: 'sqlite' | 'mongodb'): void {
  let server: TestServer;
  let user: { id: string; token: string };
  let objectId: string;

  const call = (request: JsonRequest): Promise<{ status: number; body: Json }> => jsonCall(server, request);

  async function expectError(request: Parameters<typeof call>[0], expected: { code: number; status?: number }) {
    const { status, body } = await call(request);
    assert.equal(status, expected.status ?? 400, `${request.method ?? 'GET'} ${request.path}: ${JSON.stringify(body)}`);
    assert.equal(body['code'], expected.code, JSON.stringify(body));
    return body;
  }

  async function count(className: string): Promise<number> {
    const { status, body } = await call({ path: `/classes/${className}?count=1&limit=0`, master: true });
    assert.equal(status, 200, JSON.stringify(body));
    return Number(body['count']);
  }

  before(async () => {
    // No appName / publicServerURL: the email flows must still not answer 500.
    server = await startTestServer({ backend, cloudSetup: registerCloud });
    const signUp = await call({ method: 'POST', path: '/users', body: { username: 'alice', password: 'pw' } });
    assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
    user = { id: String(signUp.body['objectId']), token: String(signUp.body['sessionToken']) };
    const created = await call({ method: 'POST', path: '/classes/Item', body: { name: 'v1', n: 1 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    objectId = String(created.body['objectId']);
    for (const name of ['v5', 'v9999', 'v12000', 'v39999', 'zzz']) {
      assert.equal((await call({ method: 'POST', path: '/classes/Item', body: { name } })).status, 201);
    }
  });
  after(() => server.close());

  describe('objectId sent as an object', () => {
    const weird = { toString: 1 };

    it('on create: 105, nothing created', async () => {
      const before = await count('Item');
      await expectError({ method: 'POST', path: '/classes/Item', body: { objectId: weird, name: 'x' } }, { code: 105 });
      await expectError({ method: 'POST', path: '/classes/Item', body: { id: [1], name: 'x' } }, { code: 105 });
      assert.equal(await count('Item'), before);
    });

    it('on update: 105, nothing changed', async () => {
      await expectError(
        { method: 'PUT', path: `/classes/Item/${objectId}`, body: { objectId: weird, name: 'changed' } },
        { code: 105 },
      );
      const { body } = await call({ path: `/classes/Item/${objectId}` });
      assert.equal(body['name'], 'v1');
      await expectError(
        { method: 'PUT', path: `/users/${user.id}`, token: user.token, body: { objectId: weird, name: 'x' } },
        { code: 105 },
      );
    });

    it('on sign-up: 105, no user', async () => {
      await expectError(
        { method: 'POST', path: '/users', body: { username: 'mallory', password: 'pw', objectId: weird } },
        { code: 105 },
      );
      const found = await call({ path: `/classes/_User?where=${q({ username: 'mallory' })}`, master: true });
      assert.deepEqual(found.body['results'], []);
    });
  });

  describe('four $in lists of 10,000 values under one $or', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
    const offset = (k: number): string[] => values.map((v) => `v${Number(v.slice(1)) + k * 10_000}`);
    const where = { $or: [0, 1, 2, 3].map((k) => ({ name: { $in: offset(k) } })) };

    it('a client: 102 (the query cost limit)', async () => {
      await expectError({ method: 'POST', path: '/classes/Item', body: { _method: 'GET', where } }, { code: 102 });
    });

    it('the master key: answered (SQLite binds each list as one parameter)', async () => {
      const { status, body } = await call({
        method: 'POST',
        path: '/classes/Item',
        master: true,
        body: { _method: 'GET', where, order: 'name', keys: 'name' },
      });
      assert.equal(status, 200, JSON.stringify(body).slice(0, 300));
      const names = (body['results'] as Json[]).map((r) => r['name']);
      assert.deepEqual(names, ['v1', 'v12000', 'v39999', 'v5', 'v9999']);
    });

    it('the master key on an untyped (Object) field and with $all: answered or 102, never 500', async () => {
      const big = Array.from({ length: 40_000 }, (_, i) => i);
      for (const condition of [
        { meta: { $in: big } },
        { name: { $all: values.concat(values) } },
        { n: { $nin: big } },
      ]) {
        const { status, body } = await call({
          method: 'POST',
          path: '/classes/Item',
          master: true,
          body: { _method: 'GET', where: condition, limit: 1 },
        });
        assert.ok(status === 200 || (status === 400 && body['code'] === 102), JSON.stringify(body).slice(0, 300));
      }
    });
  });

  describe('limit / skip of 1e20', () => {
    it('102 in the query string, the body and for the master key', async () => {
      for (const name of ['limit', 'skip']) {
        for (const value of ['1e20', '100000000000000000000', '9007199254740992']) {
          await expectError({ path: `/classes/Item?${name}=${value}` }, { code: 102 });
        }
        await expectError(
          { method: 'POST', path: '/classes/Item', body: { _method: 'GET', [name]: 1e20 } },
          { code: 102 },
        );
        await expectError({ path: `/classes/Item?${name}=1e20`, master: true }, { code: 102 });
      }
      // The largest safe integer is fine.
      const { status } = await call({ path: '/classes/Item?skip=9007199254740991' });
      assert.equal(status, 200);
    });
  });

  describe('a NUL inside a $text term', () => {
    it('107, on find and count', async () => {
      const where = { name: { $text: { $search: { $term: 'v1\u0000v5' } } } };
      await expectError({ path: `/classes/Item?where=${q(where)}` }, { code: 107 });
      await expectError({ path: `/classes/Item?count=1&limit=0&where=${q(where)}` }, { code: 107 });
    });
  });

  describe('master key', () => {
    it('sqlite_master-like class names are ordinary classes: nothing of the database is reached', async () => {
      for (const className of [
        'sqlite_master',
        'SQLITE_MASTER',
        'sqlite_sequence',
        'sqlite_stat1',
        'sqlite_temp_master',
      ]) {
        const empty = await call({ path: `/classes/${className}`, master: true });
        assert.equal(empty.status, 200, JSON.stringify(empty.body));
        assert.deepEqual(empty.body['results'], [], `${className} answered rows it does not hold`);
        const created = await call({ method: 'POST', path: `/classes/${className}`, master: true, body: { a: 1 } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const found = await call({ path: `/classes/${className}`, master: true });
        assert.deepEqual(
          (found.body['results'] as Json[]).map((r) => r['a']),
          [1],
        );
      }
      const schema = await call({ path: '/schemas/sqlite_master', master: true });
      assert.equal(schema.status, 200);
      // The database still works for everyone.
      assert.equal((await call({ path: '/classes/Item' })).status, 200);
    });

    it('$sample of size 1e21: 102', async () => {
      await expectError(
        { path: `/aggregate/Item?pipeline=${q([{ $sample: { size: 1e21 } }])}`, master: true },
        { code: 102 },
      );
      await expectError({ path: `/aggregate/Item?pipeline=${q([{ $limit: 1e21 }])}`, master: true }, { code: 102 });
      await expectError({ path: `/aggregate/Item?pipeline=${q([{ $skip: 1e21 }])}`, master: true }, { code: 102 });
      const { status, body } = await call({
        path: `/aggregate/Item?pipeline=${q([{ $sample: { size: 2 } }])}`,
        master: true,
      });
      if (backend === 'mongodb' && status === 400) {
        // FerretDB 1.x has no $sample: the database's refusal is 102 with its reason (MongoDB runs it).
        assert.equal(body['code'], 102, JSON.stringify(body));
        assert.match(String(body['error']), /^The database refused the query/);
        return;
      }
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal((body['results'] as Json[]).length, 2);
    });

    it('distinct of a prototype name is a field like any other (none here): no 500', async () => {
      for (const field of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
        const { status, body } = await call({ path: `/aggregate/Item?distinct=${field}`, master: true });
        assert.equal(status, 200, `${field}: ${JSON.stringify(body)}`);
        assert.deepEqual(body['results'], []);
      }
      await expectError({ path: '/aggregate/Item?distinct=__proto__', master: true }, { code: 105 });
      const names = await call({ path: '/aggregate/Item?distinct=name', master: true });
      assert.equal((names.body['results'] as unknown[]).length, 6);
    });
  });

  describe('email flows on a server without appName / publicServerURL', () => {
    it("answer Parse's code 1 and message as a 400, not a 500", async () => {
      for (const path of ['/requestPasswordReset', '/verificationEmailRequest']) {
        const body = await expectError({ method: 'POST', path, body: { email: 'alice@example.com' } }, { code: 1 });
        assert.match(String(body['error']), /An appName, publicServerURL, and emailAdapter are required/);
      }
    });
  });

  describe('multipart/form-data to /functions (Parse 9)', () => {
    it('text parts are params and file parts {filename, contentType, data}', async () => {
      const form = new FormData();
      form.append('greeting', 'hello');
      form.append('upload', new Blob(['file body'], { type: 'text/plain' }), 'note.txt');
      const response = await fetch(`${server.mountURL}/functions/describe?extra=1`, {
        method: 'POST',
        headers: { 'X-Parse-Application-Id': 'test-app', 'X-Parse-REST-API-Key': 'test-client-key' },
        body: form,
      });
      const body = (await response.json()) as Json;
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.deepEqual(body['result'], {
        greeting: 'hello',
        upload: { filename: 'note.txt', contentType: 'text/plain', text: 'file body' },
        extra: 1,
      });
    });

    it('a part named __proto__: 105, as the same JSON key', async () => {
      const form = new FormData();
      form.append('__proto__', new Blob(['x'], { type: 'text/plain' }), 'p.txt');
      const response = await fetch(`${server.mountURL}/functions/describe`, {
        method: 'POST',
        headers: { 'X-Parse-Application-Id': 'test-app', 'X-Parse-REST-API-Key': 'test-client-key' },
        body: form,
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as Json)['code'], 105);
    });

    it('a malformed multipart body: 107', async () => {
      const response = await fetch(`${server.mountURL}/functions/describe`, {
        method: 'POST',
        headers: {
          'X-Parse-Application-Id': 'test-app',
          'X-Parse-REST-API-Key': 'test-client-key',
          'Content-Type': 'multipart/form-data; boundary=xyz',
        },
        body: '--xyz\r\nno headers, no end',
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as Json)['code'], 107);
    });
  });
}

describe('issue 11 item 9: client-triggerable 500s (SQLite)', () => item9Tests('sqlite'));
describeWithMongo('issue 11 item 9: client-triggerable 500s (MongoDB)', () => item9Tests('mongodb'));
