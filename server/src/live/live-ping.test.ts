import { WebSocket } from 'ws';
import { describeDeadPeers } from '../testing/dead-peers.test-util.js';

// Dead peers (Parse's websocketTimeout): every socket is pinged once per --live-query-ping-interval, a slice of
// the sockets per tick (not all in one loop turn, which stalls every event behind thousands of writes), and one
// that did not answer its last ping is cut. Waits are on events (pings seen, close), never on elapsed time.

describeDeadPeers({
  door: 'LiveQuery',
  open: (server, autoPong) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/parse`, { autoPong });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    }),
});
