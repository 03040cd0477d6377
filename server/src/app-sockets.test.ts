import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LiveDoor } from './app-sockets.js';
import { capturedLogger, rawUpgrade } from './testing/door-probes.test-util.js';
import { RawLiveClient } from './testing/live-client.test-util.js';
import { APP_ID, CLIENT_KEY, startTestServer } from './testing/test-server.test-util.js';
import type { TestServer } from './testing/test-server.test-util.js';

// In the default role `all` the LiveQuery server (live/ and ws) is built on the first LiveQuery upgrade, not at
// start (cold start, issue 17 item 5). Concurrent first clients share one build and are all served; a build that
// fails answers each upgrade HTTP 500, never a hang.

describe('LiveQuery server: built on the first LiveQuery upgrade', () => {
  let server: TestServer;
  const log = capturedLogger();

  before(async () => {
    server = await startTestServer({ logger: log.logger });
  });
  after(async () => server.close());

  it('is not built by REST traffic, then once for concurrent first clients, who are all connected', async () => {
    assert.equal((await server.call({ method: 'POST', path: '/classes/LiveDoorItem', body: { n: 1 } })).status, 201);
    assert.equal(log.count('LiveQuery server loaded'), 0);
    const clients = await Promise.all(Array.from({ length: 4 }, () => RawLiveClient.open(server.url)));
    try {
      for (const client of clients) client.send({ op: 'connect', applicationId: APP_ID, javascriptKey: CLIENT_KEY });
      for (const client of clients)
        assert.equal((await client.next((frame) => frame.op === 'connected')).op, 'connected');
      assert.equal(log.count('LiveQuery server loaded'), 1);
    } finally {
      for (const client of clients) client.socket.close();
    }
  });
});

describe('LiveQuery server that fails to build', () => {
  const log = capturedLogger();
  let builds = 0;
  let http: Server;
  let door: LiveDoor;

  before(async () => {
    door = new LiveDoor(log.logger, () => {
      builds += 1;
      return Promise.reject(new Error('Cannot find package ws'));
    });
    http = createServer((_req, res) => res.end());
    http.on('upgrade', (req, socket, head: Buffer) => door.upgrade(req, socket, head));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  });
  after(async () => new Promise<void>((resolve) => http.close(() => resolve())));

  it('answers each upgrade, concurrent ones included, HTTP 500 and logs the cause once', async () => {
    const port = (http.address() as AddressInfo).port;
    const replies = await Promise.all([rawUpgrade(port), rawUpgrade(port), rawUpgrade(port)]);
    for (const reply of replies) assert.match(reply, /^HTTP\/1\.1 500 /);
    assert.equal(builds, 1);
    assert.equal(log.count('the LiveQuery server could not be loaded'), 1);
  });

  it('refuses upgrades after close with 503', async () => {
    await door.close();
    assert.match(await rawUpgrade((http.address() as AddressInfo).port), /^HTTP\/1\.1 503 /);
  });
});
