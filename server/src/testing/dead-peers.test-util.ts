/**
 * The dead-peer check both socket servers (LiveQuery, GraphQL) share through `lib/heartbeat.ts`: sockets that
 * never answer a ping are cut, whichever slice of the ping interval they fall in, and answering ones stay open.
 * Waits are on events (pings seen, close), never on elapsed time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { startTestServer } from './test-server.test-util.js';
import type { TestServer } from './test-server.test-util.js';

/** Resolves with the close code (-1 when already closed). */
function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve(-1);
    else ws.once('close', (code) => resolve(code));
  });
}

/** Resolves once `ws` has received `count` more pings. */
function pings(ws: WebSocket, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onPing = (): void => {
      if (++seen < count) return;
      ws.off('ping', onPing);
      resolve();
    };
    ws.on('ping', onPing);
  });
}

/**
 * Opens 20 answering and 20 silent sockets, alternately (so both kinds fall in every one of the 16 slices), and
 * checks that every silent one is terminated (1006, no close frame) while every answering one is pinged twice
 * more after that and is still open. `open(autoPong)` opens one socket the server has accepted.
 */
async function assertDeadPeersCut(open: (autoPong: boolean) => Promise<WebSocket>): Promise<void> {
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
  await Promise.all(answering.map((ws) => pings(ws, 2)));
  assert.ok(answering.every((ws) => ws.readyState === ws.OPEN));
}

/**
 * The suite, for one door: a server pinging every 200 ms (`--live-query-ping-interval` is in seconds: 16 ticks
 * of 12.5 ms, each pinging its slice of the sockets), and `open(server, autoPong)` opening one socket of that
 * door the server has accepted. Every socket opened is cut at the end.
 */
export function describeDeadPeers(options: {
  door: string;
  open: (server: TestServer, autoPong: boolean) => Promise<WebSocket>;
}): void {
  describe(`${options.door} pings`, () => {
    let server: TestServer;
    const sockets: WebSocket[] = [];

    before(async () => {
      server = await startTestServer({ liveQueryPingInterval: 0.2 });
    });
    after(async () => {
      for (const ws of sockets) ws.terminate();
      await server.close();
    });

    it('silent sockets are cut whichever slice they are in; answering ones stay open', { timeout: 60_000 }, () =>
      assertDeadPeersCut(async (autoPong) => {
        const ws = await options.open(server, autoPong);
        sockets.push(ws);
        return ws;
      }),
    );
  });
}
