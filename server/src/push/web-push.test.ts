/**
 * Web Push through the app against a local push service (HTTPS, self-signed): a `web` installation whose
 * deviceToken is a browser subscription gets the push's data, VAPID-signed and aes128gcm-encrypted (the
 * fake decrypts it with the subscription's keys); 410 removes the subscription, 429 is retried, and a
 * deviceToken that is not a subscription fails without crashing anything.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import webPush from 'web-push';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { startWebPushFake } from './fakes/web-push-fake.test-util.js';
import type { WebPushFake } from './fakes/web-push-fake.test-util.js';

type Json = Record<string, unknown>;

describe('Web Push provider (through the app)', () => {
  let dir: string;
  let fake: WebPushFake;
  let server: TestServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-webpush-'));
    const vapid = webPush.generateVAPIDKeys();
    fake = await startWebPushFake({ dir, vapidPublicKey: vapid.publicKey });
    server = await startTestServer({
      pushWebVapidPublicKey: vapid.publicKey,
      pushWebVapidPrivateKey: vapid.privateKey,
      pushWebVapidSubject: 'mailto:ops@strata.test',
      pushCa: fake.caFile,
    });
  });
  after(async () => {
    await server.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the encrypted payload to each subscription, drops gone ones, retries 429', async () => {
    const ids = new Map<string, string>();
    const tokens: [string, string][] = [
      ['ok-1', JSON.stringify(fake.subscription('ok-1'))],
      ['gone-1', JSON.stringify(fake.subscription('gone-1'))],
      ['busy-1', JSON.stringify(fake.subscription('busy-1'))],
      ['junk', 'not a subscription'],
    ];
    for (const [name, token] of tokens) {
      const r = await server.call({
        method: 'POST',
        path: '/installations',
        body: { installationId: `w-${name}`, deviceType: 'web', deviceToken: token, channels: ['web'] },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.set(name, String((r.body as Json)['objectId']));
    }
    const sent = await server.call({
      method: 'POST',
      path: '/push',
      master: true,
      body: { channels: ['web'], data: { alert: 'Hello web', title: 'Strata', uri: '/inbox' } },
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
    assert.equal(status['numSent'], 2, JSON.stringify(status));
    assert.equal(status['numFailed'], 2);
    assert.deepEqual(fake.delivered.map((d) => d.id).sort(), ['busy-1', 'ok-1']);
    const ok = fake.delivered.find((d) => d.id === 'ok-1');
    assert.deepEqual(ok?.payload, { alert: 'Hello web', title: 'Strata', uri: '/inbox' });
    assert.equal(ok?.headers['urgency'], 'high');
    const rows = (await server.call({ path: '/installations?limit=50', master: true })).body as { results: Json[] };
    const row = (name: string): Json | undefined => rows.results.find((r) => r['objectId'] === ids.get(name));
    assert.equal(row('gone-1')?.['deviceToken'], undefined);
    assert.equal(row('junk')?.['deviceToken'], undefined);
    assert.ok(row('ok-1')?.['deviceToken']);
  });
});
