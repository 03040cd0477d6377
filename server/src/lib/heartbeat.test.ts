import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Heartbeat } from './heartbeat.js';

// The heartbeat of the LiveQuery and GraphQL socket servers, on sockets that count their pings, with node's
// mocked interval timer: which sockets a tick pings is decided by the ticks, not by a clock.

/** A socket that answers pings (or not) when the test says so. */
class CountingSocket extends EventEmitter {
  pings = 0;
  terminated = false;
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
  }
  pong(): void {
    this.emit('pong');
  }
}

describe('Heartbeat', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('pings one slice per tick, every socket once per interval', () => {
    const heartbeat = new Heartbeat<CountingSocket>({ intervalMs: 1600, slices: 16 });
    const sockets = Array.from({ length: 40 }, () => new CountingSocket());
    for (const socket of sockets) heartbeat.add(socket);
    mock.timers.tick(100);
    // 40 sockets in 16 slices: slices of 3 and 2.
    const first = sockets.filter((s) => s.pings === 1).length;
    assert.ok(first === 2 || first === 3, `one slice pinged, got ${first}`);
    for (const socket of sockets) socket.pong();
    mock.timers.tick(1500);
    assert.deepEqual(new Set(sockets.map((s) => s.pings)), new Set([1]), 'each once in the interval');
    heartbeat.close();
  });

  it('cuts a socket that did not answer its last ping, on its next turn; answering ones stay', () => {
    const heartbeat = new Heartbeat<CountingSocket>({ intervalMs: 160, slices: 16 });
    const answering = new CountingSocket();
    const silent = new CountingSocket();
    heartbeat.add(answering);
    heartbeat.add(silent);
    for (let interval = 0; interval < 3; interval++) {
      mock.timers.tick(160);
      answering.pong();
    }
    assert.equal(silent.pings, 1, 'pinged once, then cut instead of pinged again');
    assert.equal(silent.terminated, true);
    assert.equal(answering.terminated, false);
    assert.equal(answering.pings, 3);
    assert.equal(heartbeat.size, 1, 'a cut socket is no longer watched');
    heartbeat.close();
  });

  it('a deleted socket is not pinged; close stops the ticks', () => {
    const heartbeat = new Heartbeat<CountingSocket>({ intervalMs: 160, slices: 4 });
    const gone = new CountingSocket();
    const kept = new CountingSocket();
    heartbeat.add(gone);
    heartbeat.add(kept);
    heartbeat.delete(gone);
    mock.timers.tick(160);
    assert.equal(gone.pings, 0);
    assert.equal(kept.pings, 1);
    heartbeat.close();
    kept.pong();
    mock.timers.tick(1600);
    assert.equal(kept.pings, 1);
  });
});
