import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterMetrics, MetricsGatherer } from './cluster-metrics.js';
import { createMetrics } from './metrics.js';
import type { Metrics } from './metrics.js';

/** A primary and workers in one process: each side's `send` is the other side's `receive`, as over IPC. */
function cluster(count: number): { gatherer: MetricsGatherer; workers: ClusterMetrics[]; registries: Metrics[] } {
  const gatherer = new MetricsGatherer();
  const workers: ClusterMetrics[] = [];
  const registries: Metrics[] = [];
  for (let id = 1; id <= count; id++) {
    const worker = new ClusterMetrics({ send: (message) => queueMicrotask(() => gatherer.receive(id, message)) });
    const metrics = createMetrics();
    worker.attach(metrics);
    gatherer.add(id, (message) => queueMicrotask(() => worker.receive(message)));
    workers.push(worker);
    registries.push(metrics);
  }
  return { gatherer, workers, registries };
}

const sample = { method: 'GET', route: '/classes/:className', status: 200, seconds: 0.002 };

describe('ClusterMetrics and MetricsGatherer', () => {
  it("merge every worker's registry into the scraped worker's answer", async () => {
    const { workers, registries } = cluster(3);
    try {
      registries[0]?.observeRequest(sample);
      registries[1]?.observeRequest(sample);
      registries[1]?.observeRequest(sample);
      registries[2]?.observeHook({ kind: 'function', name: 'hello', ok: false, ms: 3 });
      for (const worker of workers) {
        const { body } = await worker.render();
        assert.match(
          body,
          /^strata_http_requests_total\{method="GET",route="\/classes\/:className",status="200"\} 3$/m,
        );
        assert.match(body, /^strata_cloud_function_errors_total\{function="hello"\} 1$/m);
        assert.match(
          body,
          /^strata_http_request_duration_seconds_count\{method="GET",route="\/classes\/:className"\} 3$/m,
        );
      }
    } finally {
      for (const metrics of registries) metrics.close();
    }
  });

  it('answers without a worker that died during the gathering', async () => {
    const { gatherer, registries } = cluster(2);
    try {
      // Worker 2 never answers (its messages are dropped), then dies.
      const silent = new ClusterMetrics({ send: () => undefined });
      gatherer.add(2, () => undefined);
      const asking = new ClusterMetrics({ send: (message) => queueMicrotask(() => gatherer.receive(1, message)) });
      asking.attach(registries[0] as Metrics);
      gatherer.add(1, (message) => queueMicrotask(() => asking.receive(message)));
      registries[0]?.observeRequest(sample);
      const answer = asking.render();
      await new Promise((resolve) => setImmediate(resolve));
      gatherer.remove(2);
      const { body } = await answer;
      assert.match(body, /^strata_http_requests_total\{method="GET",route="\/classes\/:className",status="200"\} 1$/m);
      assert.equal(silent.receive({ strataPubSub: 1 }), false, 'other messages are not its own');
    } finally {
      for (const metrics of registries) metrics.close();
    }
  });
});
