/**
 * `POST /push` end to end on SQLite (and MongoDB when configured): every validation error (115 with Parse's words, nothing recorded), the
 * client key refused, and a push to a channel delivered by the worker to a local FCM HTTP v1 fake: exact
 * requests, OAuth token cached, 429 / 503 retried, dead and invalid tokens removed from `_Installation`,
 * localized alerts, `_PushStatus` counters and samples, expiry, and a push scheduled ahead.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { describeWithMongo } from '../testing/mongo.test-util.js';
import { startFcmFake } from './fakes/fcm-fake.test-util.js';
import type { FcmFake } from './fakes/fcm-fake.test-util.js';

type Json = Record<string, unknown>;

function pushTests(backend: 'sqlite' | 'mongodb'): void {
  let dir: string;
  let fcm: FcmFake;
  let server: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-push-'));
    fcm = await startFcmFake({ dir });
    server = await startTestServer({ backend, pushFcmServiceAccount: fcm.serviceAccountFile, pushFcmUrl: fcm.url });
  });
  after(async () => {
    await server.close();
    await fcm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (options: {
    method?: string;
    path: string;
    body?: unknown;
    master?: boolean;
  }): Promise<{
    status: number;
    body: Json;
    headers: Headers;
  }> => {
    const response = await server.call({ method: options.method ?? 'GET', ...options });
    return { status: response.status, body: response.body as Json, headers: response.headers };
  };
  const install = async (fields: Json): Promise<string> => {
    const r = await call({ method: 'POST', path: '/installations', body: { deviceType: 'android', ...fields } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return String(r.body['objectId']);
  };
  const statusOf = async (id: string): Promise<Json> =>
    (await call({ path: `/classes/_PushStatus/${id}`, master: true })).body;
  const finished = async (id: string): Promise<Json> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await statusOf(id);
      if (status['status'] === 'succeeded' || status['status'] === 'failed') return status;
      if (Date.now() > deadline) assert.fail(`push ${id} did not finish: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const push = async (body: Json): Promise<string> => {
    const r = await call({ method: 'POST', path: '/push', body, master: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { result: true });
    const id = r.headers.get('x-parse-push-status-id');
    assert.match(id ?? '', /^[A-Za-z0-9]{10}$/);
    return id as string;
  };

  it("answers every malformed push with 115 and Parse's message, recording nothing", async () => {
    const cases: [Json, RegExp][] = [
      [{ where: {}, channels: ['a'], data: { alert: 'x' } }, /^Channels and query can not be set at the same time\.$/],
      [{ data: { alert: 'x' } }, /^Sending a push requires either "channels" or a "where" query\.$/],
      [{ channels: 'news', data: { alert: 'x' } }, /channels must be an array/],
      [{ channels: ['a'] }, /data must be an object/],
      [{ channels: ['a'], data: 'hello' }, /data must be an object/],
      [{ channels: ['a'], data: { alert: 'x' }, push_time: 'tomorrow' }, /^tomorrow is not valid time\.$/],
      [{ channels: ['a'], data: { alert: 'x' }, expiration_time: 'never' }, /^never is not valid time\.$/],
      [
        { channels: ['a'], data: { alert: 'x' }, expiration_time: 1, expiration_interval: 5 },
        /^Both expiration_time and expiration_interval cannot be set\.$/,
      ],
      [
        { channels: ['a'], data: { alert: 'x' }, expiration_interval: -3 },
        /expiration_interval must be a number greater than 0/,
      ],
      [{ channels: ['a'], data: { badge: 'lots' } }, /^Invalid value for badge/],
      [{ channels: ['a'], data: { alert: 'x'.repeat(5000) } }, /larger than 4096 bytes/],
    ];
    for (const [body, message] of cases) {
      const r = await call({ method: 'POST', path: '/push', body, master: true });
      assert.equal(r.status, 400, JSON.stringify({ body, answer: r.body }));
      assert.equal(r.body['code'], 115, JSON.stringify(r.body));
      assert.match(String(r.body['error']), message);
    }
    // The audience is checked as an _Installation query when the push is sent (once the class exists).
    await install({ installationId: 'iid-validation', deviceToken: 'ok-validation' });
    const bad = await call({
      method: 'POST',
      path: '/push',
      body: { where: { $or: 'nope' }, data: { alert: 'x' } },
      master: true,
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    const statuses = await call({ path: '/classes/_PushStatus', master: true });
    assert.deepEqual(statuses.body['results'], []);
  });

  it('refuses the client key (403) and never records or sends', async () => {
    await install({ installationId: 'client-key-victim', deviceToken: 'ok-client', channels: ['attack'] });
    const r = await call({ method: 'POST', path: '/push', body: { channels: ['attack'], data: { alert: 'spam' } } });
    // Strata's answer to a missing master key on a master-only route (bare, as Parse's).
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body['error'], 'Permission denied');
    const read = await call({ path: '/classes/_PushStatus' });
    assert.equal(read.body['code'], 119, JSON.stringify(read.body));
    const audiences = await call({ path: '/push_audiences' });
    assert.equal(audiences.body['code'], 119, JSON.stringify(audiences.body));
    assert.ok(!fcm.attempts.includes('ok-client'));
  });

  it('delivers to a channel through FCM: exact messages, retries, dead tokens removed, counters', async () => {
    const tokens = ['ok-1', 'ok-2', 'busy-1', 'down-1', 'dead-1', 'bad-1'];
    const ids = new Map<string, string>();
    for (const token of tokens)
      ids.set(token, await install({ installationId: `iid-${token}`, deviceToken: token, channels: ['news'] }));
    await install({ installationId: 'iid-fr', deviceToken: 'ok-fr', channels: ['news'], localeIdentifier: 'fr-FR' });
    await install({ installationId: 'iid-other', deviceToken: 'ok-other', channels: ['sport'] });
    await install({ installationId: 'iid-notoken', channels: ['news'] });
    const before = fcm.messages.length;
    const id = await push({
      channels: ['news'],
      data: {
        alert: 'Hello',
        'alert-fr': 'Bonjour',
        title: 'Hi',
        uri: 'app://x',
        badge: 'Increment',
        sound: 'ping',
        custom: 7,
      },
      notification: { title: 'Hi', body: 'Hello' },
    });
    const status = await finished(id);
    assert.equal(status['status'], 'succeeded', JSON.stringify(status));
    assert.equal(status['numSent'], 5);
    assert.equal(status['numFailed'], 2);
    assert.deepEqual(status['sentPerType'], { android: 5 });
    assert.deepEqual(status['failedPerType'], { android: 2 });
    assert.equal(status['source'], 'rest');
    assert.equal(status['query'], JSON.stringify({ channels: { $in: ['news'] } }));
    assert.equal(JSON.parse(String(status['payload']))['alert'], 'Hello');
    assert.match(String(status['pushHash']), /^[0-9a-f]{32}$/);
    const failures = status['failures'] as Json[];
    assert.equal(failures.length, 2);
    assert.ok(failures.some((f) => /UNREGISTERED/.test(String(f['error']))));
    // Each accepted device got exactly one message, in Parse's Android format.
    const got = fcm.messages.slice(before);
    assert.deepEqual(got.map((m) => m['token']).sort(), ['busy-1', 'down-1', 'ok-1', 'ok-2', 'ok-fr']);
    const one = got.find((m) => m['token'] === 'ok-1') as Json;
    const data = one['data'] as Json;
    assert.deepEqual(Object.keys(data).sort(), ['data', 'push_id', 'time']);
    assert.equal(data['push_id'], id);
    assert.deepEqual(JSON.parse(String(data['data'])), { alert: 'Hello', title: 'Hi', uri: 'app://x', custom: 7 });
    assert.deepEqual(one['android'], { priority: 'high' });
    assert.deepEqual(one['notification'], { title: 'Hi', body: 'Hello' });
    const fr = got.find((m) => m['token'] === 'ok-fr') as Json;
    assert.equal(JSON.parse(String((fr['data'] as Json)['data']))['alert'], 'Bonjour');
    // The OAuth token was fetched once and reused.
    assert.equal(fcm.tokenRequests, 1);
    // Dead and invalid tokens were removed; the live ones stay.
    const rows = (await call({ path: '/installations?limit=100', master: true })).body['results'] as Json[];
    const tokenOf = (objectId: string | undefined): unknown =>
      rows.find((r) => r['objectId'] === objectId)?.['deviceToken'];
    assert.equal(tokenOf(ids.get('dead-1')), undefined);
    assert.equal(tokenOf(ids.get('bad-1')), undefined);
    assert.equal(tokenOf(ids.get('ok-1')), 'ok-1');
  });

  it('sends nothing for an expired push, and a push scheduled ahead waits for its time', async () => {
    await install({ installationId: 'iid-late', deviceToken: 'ok-late', channels: ['late'] });
    const expired = await push({ channels: ['late'], data: { alert: 'old' }, expiration_time: '2001-01-01T00:00:00Z' });
    const status = await finished(expired);
    assert.equal(status['numSent'], 0);
    assert.deepEqual(status['errorMessage'], { message: 'The push expired before it was sent.' });
    assert.ok(!fcm.attempts.includes('ok-late'));

    const at = new Date(Date.now() + 1500);
    const scheduled = await push({ channels: ['late'], data: { alert: 'soon' }, push_time: at.toISOString() });
    const first = await statusOf(scheduled);
    assert.equal(first['status'], 'scheduled');
    assert.equal(first['pushTime'], at.toISOString());
    const done = await finished(scheduled);
    assert.equal(done['numSent'], 1);
    assert.equal(fcm.attempts.filter((t) => t === 'ok-late').length, 1);
  });

  it('stores a device-local push_time without its zone, and a push to nobody succeeds at once', async () => {
    const id = await push({
      where: { deviceType: 'nothing-here' },
      data: { alert: 'x' },
      push_time: '2001-02-03T04:05:06',
    });
    const status = await finished(id);
    assert.equal(status['pushTime'], '2001-02-03T04:05:06.000');
    assert.equal(status['status'], 'succeeded');
    assert.equal(status['numSent'], 0);
  });

  it("keeps parse-dashboard's audiences in _Audience and counts their use", async () => {
    const created = await call({
      method: 'POST',
      path: '/push_audiences',
      master: true,
      body: { name: 'French', query: JSON.stringify({ localeIdentifier: { $regex: '^fr' } }) },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const audienceId = String(created.body['objectId']);
    const listed = await call({ path: '/push_audiences', master: true });
    const audience = (listed.body['results'] as Json[])[0] as Json;
    assert.deepEqual(audience['query'], { localeIdentifier: { $regex: '^fr' } });
    const id = await push({ where: audience['query'] as Json, audience_id: audienceId, data: { alert: 'Salut' } });
    assert.equal((await finished(id))['numSent'], 1);
    const used = await call({ path: `/push_audiences/${audienceId}`, master: true });
    assert.equal(used.body['timesUsed'], 1);
    assert.ok(used.body['lastUsed']);
    const renamed = await call({
      method: 'PUT',
      path: `/push_audiences/${audienceId}`,
      master: true,
      body: { name: 'Francophones' },
    });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    const bad = await call({
      method: 'POST',
      path: '/push_audiences',
      master: true,
      body: { name: 'x', query: 'not json' },
    });
    assert.equal(bad.status, 400);
    assert.equal((await call({ method: 'DELETE', path: `/push_audiences/${audienceId}`, master: true })).status, 200);
    const unknown = await call({
      method: 'POST',
      path: '/push',
      master: true,
      body: { channels: ['x'], data: {}, audience_id: audienceId },
    });
    assert.equal(unknown.body['code'], 101, JSON.stringify(unknown.body));
  });
}

describe('POST /push [sqlite]', () => pushTests('sqlite'));
describeWithMongo('POST /push [mongodb]', () => pushTests('mongodb'));
