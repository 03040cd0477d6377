import assert from 'node:assert/strict';
import { createHistogram } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { createMetrics, eventLoopLagSeconds } from './metrics.js';

function gauge(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(match !== null, `${name} in /metrics`);
  return Number(match[1]);
}

describe('event-loop lag', () => {
  it("reports the delay beyond the monitor's timer, not the timer's own interval", () => {
    // What monitorEventLoopDelay({ resolution: 20 }) records: the time between two runs of its 20 ms timer.
    const idle = createHistogram();
    for (let i = 0; i < 50; i++) idle.record(20_150_000);
    idle.record(145_000_000); // one run held back by a 125 ms block
    assert.ok(eventLoopLagSeconds(idle.percentile(50), 20) < 0.001, 'an idle loop has (almost) no lag');
    const worst = eventLoopLagSeconds(idle.max, 20);
    assert.ok(worst > 0.12 && worst < 0.13, String(worst));
    // A run a little early is no negative lag.
    assert.equal(eventLoopLagSeconds(19_000_000, 20), 0);
  });

  it('shows a blocked loop in nodejs_eventloop_lag_max_seconds', async () => {
    const metrics = createMetrics();
    try {
      // Let the monitor's timer run, hold the loop for 150 ms, then let it run again.
      await new Promise((resolve) => setTimeout(resolve, 60));
      const start = Date.now();
      while (Date.now() - start < 150) {
        // blocking on purpose
      }
      await new Promise((resolve) => setTimeout(resolve, 60));
      const { body } = await metrics.render();
      assert.ok(gauge(body, 'nodejs_eventloop_lag_max_seconds') >= 0.12, body);
    } finally {
      metrics.close();
    }
  });
});
