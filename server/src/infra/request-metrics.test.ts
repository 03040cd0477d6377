import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { createRequestMetrics } from './request-metrics.js';
import type { RequestSample } from './request-metrics.js';

const COUNTER = { name: 'test_requests_total', help: 'Requests.' };
const HISTOGRAM = { name: 'test_request_seconds', help: 'Seconds.', buckets: [0.001, 0.01, 0.1, 1] };

type Observe = (sample: RequestSample) => void;

/** The same two metrics as plain prom-client ones: what request-metrics.ts must render exactly like. */
function plain(registry: Registry): Observe {
  const counter = new Counter({ ...COUNTER, labelNames: ['method', 'route', 'status'], registers: [registry] });
  const histogram = new Histogram({
    ...HISTOGRAM,
    buckets: [...HISTOGRAM.buckets],
    labelNames: ['method', 'route'],
    registers: [registry],
  });
  return ({ method, route, status, seconds }) => {
    counter.inc({ method, route, status: String(status) });
    histogram.observe({ method, route }, seconds);
  };
}

// Bounds themselves, values between, above the last bound, zero and repeats, over several label sets.
const SAMPLES: RequestSample[] = [
  { method: 'GET', route: '/classes/:className/:objectId', status: 200, seconds: 0.0004 },
  { method: 'GET', route: '/classes/:className/:objectId', status: 200, seconds: 0.001 },
  { method: 'GET', route: '/classes/:className/:objectId', status: 404, seconds: 0.0101 },
  { method: 'POST', route: '/classes/:className', status: 201, seconds: 0.3 },
  { method: 'GET', route: '/classes/:className/:objectId', status: 200, seconds: 2.5 },
  { method: 'POST', route: '/classes/:className', status: 400, seconds: 0 },
  { method: 'GET', route: '/health', status: 200, seconds: 0.1 },
];

function fed(labels?: Record<string, string>): { cells: Registry; reference: Registry; both: Observe } {
  const cells = new Registry();
  const reference = new Registry();
  if (labels !== undefined) {
    cells.setDefaultLabels(labels);
    reference.setDefaultLabels(labels);
  }
  const metrics = createRequestMetrics({ registry: cells, counter: COUNTER, histogram: HISTOGRAM });
  const observe = plain(reference);
  const both: Observe = (one) => {
    metrics.observe(one);
    observe(one);
  };
  for (const one of SAMPLES) both(one);
  return { cells, reference, both };
}

describe('request metrics kept in cells', () => {
  it('render the same /metrics text as prom-client fed the same requests', async () => {
    const { cells, reference } = fed();
    assert.equal(await cells.metrics(), await reference.metrics());
    // A second scrape (the counter takes its cells' counts once) and default labels change nothing.
    assert.equal(await cells.metrics(), await reference.metrics());
    const labelled = fed({ worker: '2' });
    assert.equal(await labelled.cells.metrics(), await labelled.reference.metrics());
  });

  it('give the same JSON, which the cluster merges into the same totals', async () => {
    const a = fed();
    const b = fed();
    assert.deepEqual(await a.cells.getMetricsAsJSON(), await a.reference.getMetricsAsJSON());
    const merged = AggregatorRegistry.aggregate([await a.cells.getMetricsAsJSON(), await b.cells.getMetricsAsJSON()]);
    const expected = AggregatorRegistry.aggregate([
      await a.reference.getMetricsAsJSON(),
      await b.reference.getMetricsAsJSON(),
    ]);
    assert.equal(await merged.metrics(), await expected.metrics());
  });

  it('start again from zero after resetMetrics, as prom-client metrics do', async () => {
    const { cells, reference, both } = fed();
    await cells.metrics();
    both({ method: 'GET', route: '/x', status: 200, seconds: 0.5 }); // counted, not yet scraped
    cells.resetMetrics();
    reference.resetMetrics();
    assert.equal(await cells.metrics(), await reference.metrics());
    both({ method: 'GET', route: '/x', status: 200, seconds: 0.05 });
    assert.equal(await cells.metrics(), await reference.metrics());
  });
});
