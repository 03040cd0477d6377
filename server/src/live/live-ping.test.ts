import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { assertDeadPeersCut } from '../testing/dead-peers.test-util.js';

// Dead peers (Parse's websocketTimeout): every socket is pinged once per --live-query-ping-interval, a slice of
// the sockets per tick (not all in one loop turn, which stalls every event behind thousands of writes), and one
// that did not answer its last ping is cut. Waits are on events (pings seen, close), never on elapsed time.

describe('LiveQuery pings', () => {
  let server: TestServer;
  const sockets: WebSocket[] = [];

  before(async () => {
    // 200 ms (the option is in seconds): 16 ticks of 12.5 ms, each pinging its slice of the sockets.
    server = await startTestServer({ liveQueryPingInterval: 0.2 });
  });
  after(async () => {
    for (const ws of sockets) ws.terminate();
    await server.close();
  });

  const open = (autoPong: boolean): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/parse`, { autoPong });
      sockets.push(ws);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });

  it('silent sockets are cut whichever slice they are in; answering ones stay open', { timeout: 60_000 }, () =>
    assertDeadPeersCut(open),
  );
});
