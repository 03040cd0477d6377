import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { RawLiveClient } from './live-client.test-util.js';

// Scale-out (issue 14 item 5): two `live` servers and one `api` server sharing a database and Redis. A write
// taken by the api server reaches the clients of both live servers, each delivering to its own sockets.

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const skip =
  redisURL === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (skip !== false) console.log(`# skipping LiveQuery scale-out: ${skip}`);

describe('LiveQuery across servers over Redis', { skip }, () => {
  let dir: string;
  let api: TestServer;
  let liveA: TestServer;
  let liveB: TestServer;
  const appId = `live-${randomBytes(6).toString('hex')}`;
  const clients: RawLiveClient[] = [];

  before(async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    dir = mkdtempSync(join(tmpdir(), 'strata-live-scale-'));
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    api = await startTestServer({ databaseURI, redisURL, appId, role: 'api' });
    liveA = await startTestServer({ databaseURI, redisURL, appId, role: 'live' });
    liveB = await startTestServer({ databaseURI, redisURL, appId, role: 'live' });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([api?.close(), liveA?.close(), liveB?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write through the api server is delivered by both live servers to their own clients', async () => {
    const headers = { 'X-Parse-Application-Id': appId };
    const signup = await api.call({
      method: 'POST',
      path: '/users',
      headers,
      body: { username: 'ada', password: 'pw' },
    });
    const token = (signup.body as Record<string, string>)['sessionToken'] as string;
    const userId = (signup.body as Record<string, string>)['objectId'] as string;
    for (const server of [liveA, liveB]) {
      const c = await RawLiveClient.open(`${server.url}/parse`);
      clients.push(c);
      await c.connect({ applicationId: appId, javascriptKey: CLIENT_KEY, sessionToken: token });
      assert.equal((await c.subscribe(1, { className: 'Ticket', where: { open: true } })).op, 'subscribed');
    }
    const created = await api.call({
      method: 'POST',
      path: '/classes/Ticket',
      headers,
      body: { open: true, title: 'ada only', ACL: { [userId]: { read: true, write: true } } },
      master: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = (created.body as Record<string, string>)['objectId'];
    for (const c of clients) {
      const event = await c.op('create', 1);
      const object = event['object'] as Record<string, unknown>;
      assert.equal(object['objectId'], id);
      assert.equal(object['title'], 'ada only');
    }
  });
});
