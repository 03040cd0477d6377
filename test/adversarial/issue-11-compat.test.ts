/**
 * Issue 11's compatibility list, found with a real client and with parse-server on the same database: the
 * code for saving into an invalid class name, the default `_id_` index, the built-in classes a fresh
 * `GET /schemas` lists, the file metadata route's shape and `_Session.createdWith` as parse-server writes
 * it. On SQLite and on MongoDB (FerretDB here) when STRATA_TEST_MONGODB_URI is set; the GridFS layout itself
 * is checked in server/src/files/gridfs-store.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { describeWithMongo } from '../../server/src/testing/mongo.test-util.js';
import { jsonCall } from './json-call.js';
import type { Json, JsonRequest } from './json-call.js';

const q = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

function compatTests(backend: 'sqlite' | 'mongodb'): void {
  let server: TestServer;

  const call = (request: JsonRequest): Promise<{ status: number; body: Json }> => jsonCall(server, request);

  before(async () => {
    server = await startTestServer({ backend });
  });
  after(() => server.close());

  it('a fresh GET /schemas lists _User, _Role and _Session, before any user or session exists', async () => {
    const { status, body } = await call({ path: '/schemas', master: true });
    assert.equal(status, 200, JSON.stringify(body));
    const names = (body['results'] as Json[]).map((schema) => schema['className']).sort();
    assert.deepEqual(names, ['_Role', '_Session', '_User']);
    const session = await call({ path: '/schemas/_Session', master: true });
    assert.equal(session.status, 200, JSON.stringify(session.body));
    assert.deepEqual((session.body['fields'] as Json)['user'], { type: 'Pointer', targetClass: '_User' });
    assert.deepEqual((session.body['fields'] as Json)['createdWith'], { type: 'Object' });
  });

  it('saving into an invalid class name through /classes is 107; the schema API keeps 103', async () => {
    for (const className of ['1bad', '_Secret', 'has-dash']) {
      const created = await call({ method: 'POST', path: `/classes/${className}`, body: { a: 1 } });
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.equal(created.body['code'], 107, JSON.stringify(created.body));
      const updated = await call({ method: 'PUT', path: `/classes/${className}/abc`, body: { a: 1 }, master: true });
      assert.equal(updated.body['code'], 107, JSON.stringify(updated.body));
      const schema = await call({ method: 'POST', path: `/schemas/${className}`, body: {}, master: true });
      assert.equal(schema.body['code'], 103, JSON.stringify(schema.body));
    }
    // Reads of such a name keep 103.
    assert.equal((await call({ path: '/classes/1bad' })).body['code'], 103);
  });

  it('GET /schemas/<Class> lists the default _id_ index first', async () => {
    assert.equal((await call({ method: 'POST', path: '/classes/Indexed', body: { score: 1 } })).status, 201);
    const bare = await call({ path: '/schemas/Indexed', master: true });
    assert.deepEqual(bare.body['indexes'], { _id_: { _id: 1 } });
    const put = await call({
      method: 'PUT',
      path: '/schemas/Indexed',
      body: { indexes: { score_1: { score: 1 } } },
      master: true,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const { body } = await call({ path: '/schemas/Indexed', master: true });
    assert.deepEqual(body['indexes'], { _id_: { _id: 1 }, score_1: { score: 1 } });
    assert.deepEqual(Object.keys(body['indexes'] as Json)[0], '_id_');
    const listed = await call({ path: '/schemas', master: true });
    const indexed = (listed.body['results'] as Json[]).find((schema) => schema['className'] === 'Indexed');
    assert.deepEqual(indexed?.['indexes'], { _id_: { _id: 1 }, score_1: { score: 1 } });
  });

  it('GET /files/<app>/metadata/<name> answers {"metadata":{...}} for a stored file, {} for a missing one', async () => {
    const upload = async (headers: Record<string, string>): Promise<string> => {
      const response = await fetch(`${server.mountURL}/files/note.txt`, {
        method: 'POST',
        headers: {
          'X-Parse-Application-Id': 'test-app',
          // Public uploads are off by default.
          'X-Parse-Master-Key': 'test-master-key',
          'Content-Type': 'text/plain',
          ...headers,
        },
        body: 'hello',
      });
      const body = (await response.json()) as Json;
      assert.equal(response.status, 201, JSON.stringify(body));
      return String(body['name']);
    };
    const withMetadata = await upload({ 'X-Parse-File-Metadata': JSON.stringify({ owner: 'ann' }) });
    const plain = await upload({});
    assert.deepEqual((await call({ path: `/files/test-app/metadata/${withMetadata}` })).body, {
      metadata: { owner: 'ann' },
    });
    assert.deepEqual((await call({ path: `/files/test-app/metadata/${plain}` })).body, { metadata: {} });
    assert.deepEqual((await call({ path: '/files/test-app/metadata/0123abcd_missing.txt' })).body, {});
  });

  describe('_Session.createdWith as parse-server writes it', () => {
    async function sessionOf(token: string): Promise<Json> {
      const { status, body } = await call({
        path: `/classes/_Session?where=${q({ sessionToken: token })}`,
        master: true,
      });
      assert.equal(status, 200, JSON.stringify(body));
      const [session] = body['results'] as Json[];
      assert.ok(session !== undefined, 'no session with that token');
      return session;
    }

    it('a password sign-up is {"action":"signup","authProvider":"password"}', async () => {
      const { body } = await call({ method: 'POST', path: '/users', body: { username: 'pat', password: 'pw' } });
      const session = await sessionOf(String(body['sessionToken']));
      assert.deepEqual(session['createdWith'], { action: 'signup', authProvider: 'password' });
    });

    it('an anonymous sign-up is {"action":"login","authProvider":"anonymous"}', async () => {
      const { status, body } = await call({
        method: 'POST',
        path: '/users',
        body: { authData: { anonymous: { id: '7b1e3f52-9a4c-4d1e-8f00-0123456789ab' } } },
      });
      assert.equal(status, 201, JSON.stringify(body));
      const session = await sessionOf(String(body['sessionToken']));
      assert.deepEqual(session['createdWith'], { action: 'login', authProvider: 'anonymous' });
    });

    it('the session a password change hands out has no createdWith', async () => {
      const signUp = await call({ method: 'POST', path: '/users', body: { username: 'cam', password: 'pw' } });
      const changed = await call({
        method: 'PUT',
        path: `/users/${String(signUp.body['objectId'])}`,
        body: { password: 'pw2' },
        headers: { 'X-Parse-Session-Token': String(signUp.body['sessionToken']) },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      const token = changed.body['sessionToken'];
      assert.equal(typeof token, 'string', 'a password change hands out a new session');
      const session = await sessionOf(String(token));
      assert.equal(Object.hasOwn(session, 'createdWith'), false, JSON.stringify(session));
      // The new session works.
      const me = await call({ path: '/users/me', headers: { 'X-Parse-Session-Token': String(token) } });
      assert.equal(me.body['username'], 'cam');
    });
  });
}

describe('issue 11 compatibility list (SQLite)', () => compatTests('sqlite'));
describeWithMongo('issue 11 compatibility list (MongoDB)', () => compatTests('mongodb'));
