import assert from 'node:assert/strict';
import { createHistogram } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { createMetrics, eventLoopLagSeconds } from './metrics.js';
import type * as RegistryModule from './metrics-registry.js';

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

// prom-client is loaded on the first scrape (or past a backlog of samples), not at start: cold start.
describe('the registry loads on the first scrape', () => {
  /** The real registry module, counting how often it is asked for. */
  function countedLoad(): { load: () => Promise<typeof RegistryModule>; calls: () => number } {
    let calls = 0;
    return {
      load: () => {
        calls += 1;
        return import('./metrics-registry.js');
      },
      calls: () => calls,
    };
  }

  it('keeps what was reported before it, and concurrent first scrapes share one load', async () => {
    const { load, calls } = countedLoad();
    const metrics = createMetrics({ load });
    try {
      metrics.observeRequest({ method: 'GET', route: '/health', status: 200, seconds: 0.002 });
      metrics.countError({ route: '/classes/:className', code: 101 });
      metrics.observeHook({ kind: 'function', name: 'hello', ok: false, ms: 3 });
      metrics.sampleQueue('jobs', () => Promise.resolve({ waiting: 4, active: 0, delayed: 0, failed: 0 }));
      metrics.liveQuery.eventSent({ className: 'Score', event: 'create' });
      assert.equal(calls(), 0);
      const [first, second, snapshot] = await Promise.all([metrics.render(), metrics.render(), metrics.snapshot()]);
      assert.equal(calls(), 1);
      assert.match(second.body, /strata_http_requests_total\{method="GET",route="\/health",status="200"\} 1/);
      assert.ok(snapshot.length > 0);
      const { body } = first;
      assert.match(body, /strata_http_requests_total\{method="GET",route="\/health",status="200"\} 1/);
      assert.match(body, /strata_http_errors_total\{route="\/classes\/:className",code="101"\} 1/);
      assert.match(body, /strata_cloud_function_errors_total\{function="hello"\} 1/);
      assert.match(body, /strata_queue_jobs\{queue="jobs",state="waiting"\} 4/);
      assert.match(body, /strata_livequery_events_total\{className="Score",event="create"\} 1/);
      // After the load, samples go straight to the registry.
      metrics.observeRequest({ method: 'GET', route: '/health', status: 200, seconds: 0.002 });
      assert.match((await metrics.render()).body, /route="\/health",status="200"\} 2/);
      assert.equal(calls(), 1);
    } finally {
      metrics.close();
    }
  });

  it('loads without a scrape once 10,000 samples wait, so an unscraped server keeps a bounded backlog', async () => {
    const { load, calls } = countedLoad();
    const metrics = createMetrics({ load });
    try {
      for (let i = 0; i < 9_999; i++) metrics.observeRequest({ method: 'GET', route: '/x', status: 200, seconds: 0 });
      assert.equal(calls(), 0);
      metrics.observeRequest({ method: 'GET', route: '/x', status: 200, seconds: 0 });
      assert.equal(calls(), 1);
      assert.match((await metrics.render()).body, /route="\/x",status="200"\} 10000/);
      assert.equal(calls(), 1);
    } finally {
      metrics.close();
    }
  });

  it('a registry that fails to load fails each scrape instead of hanging, and is not retried', async () => {
    let calls = 0;
    const metrics = createMetrics({
      load: () => {
        calls += 1;
        return Promise.reject(new Error('Cannot find package prom-client'));
      },
    });
    try {
      metrics.observeRequest({ method: 'GET', route: '/x', status: 200, seconds: 0 });
      await Promise.all([
        assert.rejects(metrics.render(), /prom-client/),
        assert.rejects(metrics.render(), /prom-client/),
        assert.rejects(metrics.snapshot(), /prom-client/),
      ]);
      metrics.observeRequest({ method: 'GET', route: '/x', status: 200, seconds: 0 });
      await assert.rejects(metrics.render(), /prom-client/);
      assert.equal(calls, 1);
    } finally {
      metrics.close();
    }
  });
});
