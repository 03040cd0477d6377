/**
 * APNs over HTTP/2 against a local fake of its API (TLS with a self-signed certificate): through the app
 * with token auth (exact headers and `aps` payload, badge Increment applied server-side and delivered per
 * device, 410 / BadDeviceToken tokens removed, 429 / 503 retried), and the provider alone with
 * certificate auth (a TLS client certificate; without one the fake refuses the connection).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { startApnsFake } from './fakes/apns-fake.test-util.js';
import type { ApnsFake } from './fakes/apns-fake.test-util.js';
import { createApnsProvider } from './providers/apns.js';

type Json = Record<string, unknown>;
const hex = (prefix: string): string => (prefix + 'a'.repeat(64)).slice(0, 64);

describe('APNs provider (token auth, through the app)', () => {
  let dir: string;
  let apns: ApnsFake;
  let server: TestServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-apns-'));
    apns = await startApnsFake({ dir, mode: 'token' });
    server = await startTestServer({
      pushApnsKey: apns.keyFile,
      pushApnsKeyId: apns.keyId,
      pushApnsTeamId: apns.teamId,
      pushApnsUrl: apns.url,
      pushCa: apns.caFile,
      pushApnsTopic: 'org.strata.default',
    });
  });
  after(async () => {
    await server.close();
    await apns.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends Parse data as an aps payload with the right headers, per-device badges, dead tokens removed', async () => {
    const ids = new Map<string, string>();
    const devices: [string, Json][] = [
      [hex('0001'), { badge: 2, appIdentifier: 'org.strata.app' }],
      [hex('0002'), {}],
      [hex('dead'), {}],
      [hex('bad0'), {}],
      ['busy-token', {}],
      ['down-token', {}],
    ];
    for (const [token, extra] of devices) {
      const r = await server.call({
        method: 'POST',
        path: '/installations',
        body: { installationId: `i-${token}`, deviceType: 'ios', deviceToken: token, channels: ['all'], ...extra },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.set(token, String((r.body as Json)['objectId']));
    }
    const sent = await server.call({
      method: 'POST',
      path: '/push',
      master: true,
      body: {
        channels: ['all'],
        data: {
          alert: 'Hi',
          title: 'T',
          badge: 'Increment',
          sound: 'default',
          'mutable-content': 1,
          category: 'C',
          custom: 'v',
        },
        expiration_interval: 600,
        collapse_id: 'grp',
      },
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const id = sent.headers.get('x-parse-push-status-id') as string;
    let status: Json = {};
    const deadline = Date.now() + 60_000;
    while (status['status'] !== 'succeeded') {
      assert.ok(Date.now() < deadline, JSON.stringify(status));
      await new Promise((r) => setTimeout(r, 50));
      status = (await server.call({ path: `/classes/_PushStatus/${id}`, master: true })).body as Json;
    }
    assert.equal(status['numSent'], 4);
    assert.equal(status['numFailed'], 2);
    assert.deepEqual(status['sentPerType'], { ios: 4 });
    assert.deepEqual(
      apns.accepted.map((r) => r.token).sort(),
      [hex('0001'), hex('0002'), 'busy-token', 'down-token'].sort(),
    );
    const first = apns.accepted.find((r) => r.token === hex('0001'));
    assert.ok(first);
    assert.equal(first.headers['apns-topic'], 'org.strata.app');
    assert.equal(first.headers['apns-push-type'], 'alert');
    assert.equal(first.headers['apns-priority'], '10');
    assert.equal(first.headers['apns-collapse-id'], 'grp');
    assert.match(String(first.headers['apns-expiration']), /^\d{10}$/);
    assert.deepEqual(first.body, {
      aps: { alert: { title: 'T', body: 'Hi' }, badge: 3, sound: 'default', 'mutable-content': 1, category: 'C' },
      custom: 'v',
    });
    const second = apns.accepted.find((r) => r.token === hex('0002'));
    assert.equal(second?.headers['apns-topic'], 'org.strata.default');
    assert.equal((second?.body['aps'] as Json)['badge'], 1);
    const rows = (await server.call({ path: '/installations?limit=50', master: true })).body as { results: Json[] };
    const row = (token: string): Json | undefined => rows.results.find((r) => r['objectId'] === ids.get(token));
    assert.equal(row(hex('0001'))?.['badge'], 3);
    assert.equal(row(hex('dead'))?.['deviceToken'], undefined);
    assert.equal(row(hex('bad0'))?.['deviceToken'], undefined);
    assert.equal(row(hex('0002'))?.['deviceToken'], hex('0002'));
  });
});

describe('APNs provider (certificate auth)', () => {
  let dir: string;
  let apns: ApnsFake;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-apns-cert-'));
    apns = await startApnsFake({ dir, mode: 'certificate' });
  });
  after(async () => {
    await apns.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const message = {
    device: { objectId: 'x', deviceType: 'ios', deviceToken: hex('00ff') },
    payload: { alert: 'cert', 'content-available': 1 },
    pushId: 'p',
    sentAt: new Date(),
    options: {},
  };

  it('authenticates with the TLS client certificate', async () => {
    const provider = createApnsProvider({
      url: apns.url,
      auth: { kind: 'certificate', pem: readFileSync(apns.clientPemFile, 'utf8') },
      topic: 'org.strata.test',
      ca: readFileSync(apns.caFile, 'utf8'),
    });
    try {
      assert.deepEqual(await provider.send([message]), [{ ok: true }]);
      assert.equal(apns.accepted.length, 1);
      assert.equal(apns.accepted[0]?.headers['authorization'], undefined);
      assert.deepEqual(apns.accepted[0]?.body, { aps: { alert: 'cert', 'content-available': 1 } });
    } finally {
      await provider.close?.();
    }
  });

  it('fails (transiently, never crashing) without a client certificate', async () => {
    const provider = createApnsProvider({
      url: apns.url,
      auth: { kind: 'certificate', pem: '' },
      topic: 'org.strata.test',
      ca: readFileSync(apns.caFile, 'utf8'),
    });
    try {
      const [result] = await provider.send([message]);
      assert.equal(result?.ok, false);
    } finally {
      await provider.close?.();
    }
  });
});
