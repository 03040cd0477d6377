import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket as NodeWebSocket } from 'ws';
import { createClient } from './index.js';
import type { WebSocketConstructor } from './index.js';
import { CLIENT_KEY, MASTER_KEY, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

// The SDK's automatic reconnect when the next socket lands on another live server (as behind a round-robin
// proxy): an api server and two live servers share a database and Redis; the subscription resumes on the other
// server with nothing lost or repeated and no resync.

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const skip =
  redisURL === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (skip !== false) console.log(`# skipping the SDK's LiveQuery server switch: ${skip}`);

interface Item {
  n: number;
}

describe('query.subscribe() across live servers', { skip }, () => {
  let dir: string;
  const servers: SdkTestServer[] = [];
  const appId = `sdk-switch-${randomBytes(6).toString('hex')}`;

  before(async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    dir = mkdtempSync(join(tmpdir(), 'strata-sdk-switch-'));
    const config = { databaseURI: `sqlite:${join(dir, 'shared.db')}`, redisURL, appId };
    for (const role of ['api', 'live', 'live']) servers.push(await startServer({ config: { ...config, role } }));
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a socket killed on one live server reconnects to the other and resumes: every event once, in order', async () => {
    const [api, liveA, liveB] = servers as [SdkTestServer, SdkTestServer, SdkTestServer];
    // The first socket goes to A, every later one to B: what a proxy that picks another backend does.
    const opened: Array<{ socket: NodeWebSocket; url: string }> = [];
    const backends = [liveA, liveB].map((server) => server.serverURL.replace(/^http/, 'ws'));
    class SwitchingWebSocket extends NodeWebSocket {
      constructor() {
        const url = backends[opened.length === 0 ? 0 : 1] as string;
        super(url);
        opened.push({ socket: this, url });
      }
    }
    const options = {
      serverURL: api.serverURL,
      appId,
      WebSocket: SwitchingWebSocket as unknown as WebSocketConstructor,
    };
    const reader = createClient({ ...options, clientKey: CLIENT_KEY });
    const admin = createClient({ ...options, masterKey: MASTER_KEY });
    const live = reader.collection<Item>('Item').query().subscribe();
    try {
      const got: number[] = [];
      live.on('create', (item) => got.push(item.n));
      let resyncs = 0;
      live.on('resync', () => resyncs++);
      const events = live[Symbol.asyncIterator]();
      await live.ready;
      const seqs: Array<number | undefined> = [];
      // Waits for `count` events; a lost event fails here (after 20 s) instead of hanging the suite.
      const until = async (count: number): Promise<void> => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stuck = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${seqs.length} of ${count} events, resyncs ${resyncs}`)), 20_000);
        });
        try {
          while (seqs.length < count) {
            const next = await Promise.race([events.next(), stuck]);
            if (next.done === true) assert.fail('the subscription ended');
            seqs.push(next.value.seq);
          }
        } finally {
          clearTimeout(timer);
        }
      };
      const items = admin.collection<Item>('Item');
      for (let n = 1; n <= 5; n++) await items.create({ n });
      await until(5);
      assert.equal(opened.length, 1);
      (opened[0] as { socket: NodeWebSocket }).socket.terminate();
      // Written while the client is away: live server A keeps them until B asks for them.
      for (let n = 6; n <= 15; n++) await items.create({ n });
      await until(15);
      assert.deepEqual(
        got,
        Array.from({ length: 15 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        seqs,
        Array.from({ length: 15 }, (_, i) => i + 1),
      );
      assert.equal(resyncs, 0, 'resumed, not resynced');
      assert.equal(opened.at(-1)?.url, backends[1], 'the last socket is on live server B');
    } finally {
      live.close();
    }
  });
});
