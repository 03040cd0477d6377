import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;
const TTL_SECONDS = 60;

/** `X-Parse-Request-Id` over real HTTP: replay, concurrency, expiry with an injected clock, bad ids. */
function idempotencyTests(backend: 'sqlite' | 'mongodb'): void {
  let server: TestServer;
  let clock = new Date('2025-03-01T10:00:00.000Z');

  before(async () => {
    server = await startTestServer({ backend, now: () => clock, idempotencyTtl: TTL_SECONDS });
  });
  after(() => server.close());

  const create = (className: string, body: Json, requestId: string): ReturnType<TestServer['call']> =>
    server.call({ method: 'POST', path: `/classes/${className}`, body, headers: { 'X-Parse-Request-Id': requestId } });

  async function count(className: string): Promise<number> {
    const response = await server.call({ path: `/classes/${className}?count=1&limit=0`, master: true });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return (response.body as Json)['count'] as number;
  }

  it('a repeated create replays the first status, body and Location, and creates one object', async () => {
    const id = randomUUID();
    const first = await create('Order', { item: 'tea' }, id);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await create('Order', { item: 'tea' }, id);
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.deepEqual(second.body, first.body);
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    assert.equal(await count('Order'), 1);
  });

  it('different request ids create two objects', async () => {
    const a = await create('Pair', { n: 1 }, randomUUID());
    const b = await create('Pair', { n: 1 }, randomUUID());
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual((a.body as Json)['objectId'], (b.body as Json)['objectId']);
    assert.equal(await count('Pair'), 2);
  });

  it('concurrent duplicates: one runs, the others get 159 or the same replayed object', async () => {
    await create('Burst', { warm: true }, randomUUID()); // the class exists before the race
    const id = randomUUID();
    const responses = await Promise.all(Array.from({ length: 8 }, () => create('Burst', { n: 1 }, id)));
    const created = responses.filter((r) => r.status === 201);
    assert.ok(created.length >= 1, JSON.stringify(responses.map((r) => r.body)));
    const ids = new Set(created.map((r) => (r.body as Json)['objectId']));
    assert.equal(ids.size, 1, 'every 201 names the same object');
    for (const r of responses.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { code: 159, error: 'Duplicate request' });
    }
    assert.equal(await count('Burst'), 2);
  });

  it('the same id with another body or another caller is 159, not a replay, and writes nothing', async () => {
    const id = randomUUID();
    assert.equal((await create('Probe', { secret: 'mine' }, id)).status, 201);
    const otherBody = await create('Probe', { secret: 'yours' }, id);
    assert.equal(otherBody.status, 400);
    assert.deepEqual(otherBody.body, { code: 159, error: 'Duplicate request' });
    const asMaster = await server.call({
      method: 'POST',
      path: '/classes/Probe',
      body: { secret: 'mine' },
      master: true,
      headers: { 'X-Parse-Request-Id': id },
    });
    assert.deepEqual(asMaster.body, { code: 159, error: 'Duplicate request' });
    assert.equal(await count('Probe'), 1);
  });

  it('updates and deletes are deduplicated too', async () => {
    const made = await create('Counter', { n: 0 }, randomUUID());
    const objectId = (made.body as Json)['objectId'] as string;
    const id = randomUUID();
    const increment = (): ReturnType<TestServer['call']> =>
      server.call({
        method: 'PUT',
        path: `/classes/Counter/${objectId}`,
        body: { n: { __op: 'Increment', amount: 1 } },
        headers: { 'X-Parse-Request-Id': id },
      });
    const first = await increment();
    const second = await increment();
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(second.body, first.body);
    const read = await server.call({ path: `/classes/Counter/${objectId}` });
    assert.equal((read.body as Json)['n'], 1);
    const deleteId = randomUUID();
    const del = (): ReturnType<TestServer['call']> =>
      server.call({
        method: 'DELETE',
        path: `/classes/Counter/${objectId}`,
        headers: { 'X-Parse-Request-Id': deleteId },
      });
    assert.equal((await del()).status, 200);
    const again = await del();
    assert.equal(again.status, 200, 'the repeat replays the success instead of answering 101');
  });

  it('a repeated file upload replays the stored file; other bytes under the same id answer 159', async () => {
    const id = randomUUID();
    const upload = (raw: string): ReturnType<TestServer['call']> =>
      server.call({
        method: 'POST',
        path: '/files/note.txt',
        raw,
        master: true,
        headers: { 'Content-Type': 'text/plain', 'X-Parse-Request-Id': id },
      });
    const first = await upload('first version');
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const again = await upload('first version');
    assert.deepEqual(again.body, first.body);
    const other = await upload('a longer second version');
    assert.deepEqual(other.body, { code: 159, error: 'Duplicate request' });
    const download = await fetch((first.body as Json)['url'] as string);
    assert.equal(await download.text(), 'first version');
  });

  it('reads are not deduplicated', async () => {
    const id = randomUUID();
    for (let i = 0; i < 2; i++) {
      const response = await server.call({ path: '/classes/Order', headers: { 'X-Parse-Request-Id': id } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
    }
  });

  it('an expired id is forgotten (injected clock)', async () => {
    const id = randomUUID();
    const first = await create('Expiring', { v: 1 }, id);
    clock = new Date(clock.getTime() + (TTL_SECONDS - 1) * 1000);
    const within = await create('Expiring', { v: 1 }, id);
    assert.deepEqual(within.body, first.body);
    clock = new Date(clock.getTime() + 2000);
    const after = await create('Expiring', { v: 1 }, id);
    assert.equal(after.status, 201);
    assert.notEqual((after.body as Json)['objectId'], (first.body as Json)['objectId']);
    assert.equal(await count('Expiring'), 2);
  });

  it('a failed request is forgotten, so the same request may be retried', async () => {
    await server.call({ method: 'POST', path: '/users', body: { username: 'taken', password: 'pw-1' } });
    const existing = await server.call({
      path: '/users?where=' + encodeURIComponent('{"username":"taken"}'),
      master: true,
    });
    const takenId = ((existing.body as Json)['results'] as Json[])[0]?.['objectId'] as string;
    const id = randomUUID();
    const signUp = (): ReturnType<TestServer['call']> =>
      server.call({
        method: 'POST',
        path: '/users',
        body: { username: 'taken', password: 'pw-2' },
        headers: { 'X-Parse-Request-Id': id },
      });
    const refused = await signUp();
    assert.equal((refused.body as Json)['code'], 202, JSON.stringify(refused.body));
    assert.equal((await server.call({ method: 'DELETE', path: `/users/${takenId}`, master: true })).status, 200);
    const retried = await signUp();
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
  });

  it('a response too large to keep is not replayed: the repeat answers 159', async () => {
    const big = 'x'.repeat(70 * 1024);
    const made = await server.call({
      method: 'POST',
      path: '/users',
      body: { username: 'big', password: 'pw', bio: big },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = randomUUID();
    const logIn = (): ReturnType<TestServer['call']> =>
      server.call({
        method: 'POST',
        path: '/login',
        body: { username: 'big', password: 'pw' },
        headers: { 'X-Parse-Request-Id': id },
      });
    const first = await logIn();
    assert.equal(first.status, 200, JSON.stringify(first.body).slice(0, 200));
    assert.equal((first.body as Json)['bio'], big);
    const second = await logIn();
    assert.deepEqual(second.body, { code: 159, error: 'Duplicate request' });
  });

  it('bad ids are refused with 162 before anything is written', async () => {
    const before = await count('Order');
    for (const bad of ['', 'x'.repeat(129), 'has space']) {
      const response = await fetch(`${server.mountURL}/classes/Order`, {
        method: 'POST',
        headers: {
          'X-Parse-Application-Id': APP_ID,
          'X-Parse-REST-API-Key': CLIENT_KEY,
          'Content-Type': 'application/json',
          'X-Parse-Request-Id': bad,
        },
        body: JSON.stringify({ item: 'bad' }),
      });
      assert.equal(response.status, 400, `id ${JSON.stringify(bad)}`);
      const body = (await response.json()) as Json;
      assert.equal(body['code'], 162);
      assert.match(String(body['error']), /X-Parse-Request-Id must be 1 to 128 printable ASCII characters/);
    }
    assert.equal(await count('Order'), before);
  });
}

/** Two app servers on one database: a retry that lands on the other server still replays. */
function sharedDatabaseTests(databaseURI: () => string): void {
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    first = await startTestServer({ databaseURI: databaseURI() });
    second = await startTestServer({ databaseURI: databaseURI() });
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  it('a repeat sent to the other server replays the first response', async () => {
    const id = randomUUID();
    const send = (server: TestServer): ReturnType<TestServer['call']> =>
      server.call({ method: 'POST', path: '/classes/Shared', body: { n: 1 }, headers: { 'X-Parse-Request-Id': id } });
    const a = await send(first);
    assert.equal(a.status, 201, JSON.stringify(a.body));
    const b = await send(second);
    assert.equal(b.status, 201, JSON.stringify(b.body));
    assert.deepEqual(b.body, a.body);
    // Counted on the first server: the second one's schema cache has not heard of the class (no Redis here).
    const count = await first.call({ path: '/classes/Shared?count=1&limit=0', master: true });
    assert.equal((count.body as Json)['count'], 1);
  });
}

describe('X-Parse-Request-Id idempotency over HTTP (SQLite)', () => idempotencyTests('sqlite'));

describe('X-Parse-Request-Id across two app servers (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-idem-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  sharedDatabaseTests(() => `sqlite:${join(dir, 'shared.db')}`);
});

describe('X-Parse-Request-Id with --no-idempotency', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ idempotency: false });
  });
  after(() => server.close());

  it('runs every repeat', async () => {
    const id = randomUUID();
    const call = (): ReturnType<TestServer['call']> =>
      server.call({ method: 'POST', path: '/classes/Plain', body: { a: 1 }, headers: { 'X-Parse-Request-Id': id } });
    const a = await call();
    const b = await call();
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual((a.body as Json)['objectId'], (b.body as Json)['objectId']);
  });
});

const mongo = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip =
  mongo === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
    ? 'STRATA_TEST_MONGODB_URI is not set'
    : undefined;
if (mongoSkip !== undefined) console.log(`idempotency API tests on MongoDB skipped: ${mongoSkip}`);
describe(
  'X-Parse-Request-Id idempotency over HTTP (MongoDB)',
  mongoSkip === undefined ? {} : { skip: mongoSkip },
  () => {
    if (mongo === undefined) {
      it('needs STRATA_TEST_MONGODB_URI (STRATA_REQUIRE_SERVICES=1)', () =>
        assert.fail('STRATA_TEST_MONGODB_URI is not set'));
      return;
    }
    idempotencyTests('mongodb');
    describe('across two app servers', () => {
      const name = `strata_test_idem_${randomUUID().slice(0, 8)}`;
      sharedDatabaseTests(() => `${mongo.replace(/\/+$/, '')}/${name}`);
    });
  },
);
