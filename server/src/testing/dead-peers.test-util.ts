/**
 * The dead-peer check both socket servers (LiveQuery, GraphQL) share through `lib/heartbeat.ts`: sockets that
 * never answer a ping are cut, whichever slice of the ping interval they fall in, and answering ones stay open.
 * Waits are on events (pings seen, close), never on elapsed time.
 */
import assert from 'node:assert/strict';
import type { WebSocket } from 'ws';

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
export async function assertDeadPeersCut(open: (autoPong: boolean) => Promise<WebSocket>): Promise<void> {
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
