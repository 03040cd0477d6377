import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { difference, histograms, parseMetrics, quantile, total } from './metrics.js';

const TEXT = `# HELP strata_http_request_duration_seconds Time
# TYPE strata_http_request_duration_seconds histogram
strata_http_request_duration_seconds_bucket{le="0.01",method="GET",route="/classes/:className"} 90
strata_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/classes/:className"} 99
strata_http_request_duration_seconds_bucket{le="1",method="GET",route="/classes/:className"} 100
strata_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/classes/:className"} 100
strata_http_request_duration_seconds_sum{method="GET",route="/classes/:className"} 1.5
strata_http_request_duration_seconds_count{method="GET",route="/classes/:className"} 100
strata_livequery_connections 3
strata_livequery_subscriptions{className="Chat \\"room\\""} 2
strata_livequery_subscriptions{className="Note"} 5
`;

describe('dashboard metrics', () => {
  it('parses samples with escaped labels', () => {
    const samples = parseMetrics(TEXT);
    assert.equal(samples.length, 9);
    assert.deepEqual(samples[7]?.labels, { className: 'Chat "room"' });
    assert.equal(total(samples, 'strata_livequery_subscriptions'), 7);
    assert.equal(total(samples, 'strata_livequery_connections'), 3);
  });

  it('estimates p99 from buckets like histogram_quantile, also between two scrapes', () => {
    const all = histograms(
      parseMetrics(TEXT),
      'strata_http_request_duration_seconds',
      (l) => `${l['method']} ${l['route']}`,
    );
    const h = all.get('GET /classes/:className');
    assert.ok(h !== undefined);
    assert.equal(h.count, 100);
    // The 99th of 100 observations is the last one of the (0.01, 0.1] bucket.
    assert.equal(quantile(0.99, h), 0.1);
    assert.equal(quantile(0.5, h)?.toFixed(4), (0.01 * (50 / 90)).toFixed(4));
    const before = { buckets: h.buckets.map(([le, n]) => [le, Math.floor(n / 2)] as const), count: 50 };
    const delta = difference(h, before);
    assert.equal(delta.count, 50);
    assert.equal(quantile(0.5, { buckets: [], count: 0 }), undefined);
    // A restarted server's counters start over: the new totals stand alone.
    assert.equal(difference(before, h), before);
    // Everything in +Inf: the largest finite bound.
    assert.equal(
      quantile(0.99, {
        buckets: [
          [1, 0],
          [Infinity, 4],
        ],
        count: 4,
      }),
      1,
    );
  });
});
