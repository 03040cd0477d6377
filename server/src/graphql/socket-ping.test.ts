import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { APP_ID, CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { assertDeadPeersCut } from '../testing/dead-peers.test-util.js';

// Dead peers on GraphQL sockets, as on LiveQuery's (the same `Heartbeat`): every socket is pinged once per
// --live-query-ping-interval, a slice of the sockets per tick (not all in one loop turn), and one that did not
// answer its last ping is cut. Waits are on events (pings seen, close), never on elapsed time.

describe('GraphQL socket pings', () => {
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

  /** A graphql-transport-ws socket past `connection_init` (acknowledged), answering pings or not. */
  const open = (autoPong: boolean): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { autoPong });
      sockets.push(ws);
      ws.once('open', () => {
        const payload = { 'X-Parse-Application-Id': APP_ID, 'X-Parse-Javascript-Key': CLIENT_KEY };
        ws.send(JSON.stringify({ type: 'connection_init', payload }));
      });
      ws.once('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { type?: string };
        if (message.type === 'connection_ack') resolve(ws);
        else reject(new Error(`expected connection_ack, got ${data.toString()}`));
      });
      ws.once('error', reject);
    });

  it('silent sockets are cut whichever slice they are in; answering ones stay open', { timeout: 60_000 }, () =>
    assertDeadPeersCut(open),
  );
});
