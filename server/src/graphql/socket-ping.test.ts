import { WebSocket } from 'ws';
import { describeDeadPeers } from '../testing/dead-peers.test-util.js';
import { APP_ID, CLIENT_KEY } from '../testing/test-server.test-util.js';

// Dead peers on GraphQL sockets, as on LiveQuery's (the same `Heartbeat`): every socket is pinged once per
// --live-query-ping-interval, a slice of the sockets per tick (not all in one loop turn), and one that did not
// answer its last ping is cut. Waits are on events (pings seen, close), never on elapsed time.

describeDeadPeers({
  door: 'GraphQL socket',
  // A graphql-transport-ws socket past `connection_init` (acknowledged), answering pings or not.
  open: (server, autoPong) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { autoPong });
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
    }),
});
