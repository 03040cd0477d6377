import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from './index.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

// client.installations against a real server: register a device and a Web Push subscription with the client
// key, subscribe and unsubscribe channels, all upserts of the one row of this installation id.
describe('client.installations', () => {
  let server: SdkTestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const rows = async (installationId: string): Promise<Record<string, unknown>[]> => {
    const admin = createClient({ serverURL: server.serverURL, appId: APP_ID, masterKey: MASTER_KEY });
    const where = encodeURIComponent(JSON.stringify({ installationId }));
    const body = (await admin.request({ method: 'GET', path: `/installations?where=${where}` })) as {
      results: Record<string, unknown>[];
    };
    return body.results;
  };

  it('registers a device, then its channels, on one installation', async () => {
    const client = createClient({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
    const device = client.installations.device({ installationId: 'sdk-device-1', deviceType: 'android' });
    const { objectId } = await device.register({ deviceToken: 'fcm-token-1', channels: ['news'] });
    assert.match(objectId, /^[A-Za-z0-9]{10}$/);
    await device.subscribe('sport', 'news');
    await device.unsubscribe('news');
    const [row, ...others] = await rows('sdk-device-1');
    assert.equal(others.length, 0);
    assert.deepEqual(row?.['channels'], ['sport']);
    assert.equal(row?.['deviceToken'], 'fcm-token-1');
    assert.equal(typeof row?.['timeZone'], 'string');
  });

  it('stores a Web Push subscription as the deviceToken of a web installation', async () => {
    const client = createClient({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
    const device = client.installations.device({ installationId: 'sdk-browser-1', deviceType: 'web' });
    const subscription = { endpoint: 'https://push.example/abc', keys: { p256dh: 'BPk', auth: 'xyz' } };
    await device.registerWebPush({ toJSON: () => subscription }, { channels: ['web'] });
    const [row] = await rows('sdk-browser-1');
    assert.deepEqual(JSON.parse(String(row?.['deviceToken'])), subscription);
    assert.equal(row?.['deviceType'], 'web');
  });
});
