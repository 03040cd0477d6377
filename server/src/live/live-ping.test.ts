import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

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
  const closed = (ws: WebSocket): Promise<number> =>
    new Promise((resolve) => {
      if (ws.readyState === ws.CLOSED) resolve(-1);
      else ws.once('close', (code) => resolve(code));
    });
  const pings = (ws: WebSocket, count: number): Promise<void> =>
    new Promise((resolve) => {
      let seen = 0;
      const onPing = (): void => {
        if (++seen < count) return;
        ws.off('ping', onPing);
        resolve();
      };
      ws.on('ping', onPing);
    });

  it('silent sockets are cut whichever slice they are in; answering ones stay open', { timeout: 60_000 }, async () => {
    // 20 of each, connected alternately, so both kinds fall in every one of the 16 slices.
    const answering: WebSocket[] = [];
    const silent: WebSocket[] = [];
    for (let i = 0; i < 20; i++) {
      answering.push(await open(true));
      silent.push(await open(false));
    }
    const codes = await Promise.all(silent.map(closed));
    assert.ok(
      codes.every((code) => code === 1006),
      `terminated without a close frame: ${codes.join(',')}`,
    );
    // Every answering socket is pinged twice more after the last silent one was cut, and is still open.
    await Promise.all(answering.map((ws) => pings(ws, 2)));
    assert.ok(answering.every((ws) => ws.readyState === ws.OPEN));
  });
});
