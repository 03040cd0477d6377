import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, startTestServer } from './testing/test-server.test-util.js';
import type { TestServer } from './testing/test-server.test-util.js';

/** GET /health on the agent's pooled socket; says whether the socket was reused and what it answered. */
function get(server: TestServer, agent: Agent): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.mountURL}/classes/Nothing`,
      { agent, headers: { 'X-Parse-Application-Id': APP_ID, 'X-Parse-Client-Key': CLIENT_KEY } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// Node closes idle keep-alive sockets after 5 s by default, while nginx's upstream pool and cloud load balancers
// keep theirs 60 s: the proxy then reuses a socket the server is closing and answers 502. `--keep-alive-timeout`
// (75 s by default) makes the server the side that waits longer.
describe('--keep-alive-timeout', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ keepAliveTimeout: 30_000 });
  });
  after(async () => {
    await server.close();
  });

  it('keeps an idle keep-alive socket open past Node’s 5 s default', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(server, agent);
      assert.equal(first.status, 200);
      assert.equal(first.reused, false);
      // Past Node's default (5 s), well inside the configured 30 s.
      await sleep(6500);
      const second = await get(server, agent);
      assert.equal(second.status, 200);
      assert.equal(second.reused, true, 'the idle socket was closed by the server');
    } finally {
      agent.destroy();
    }
  });
});
