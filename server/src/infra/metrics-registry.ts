import type { IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LOOP_RESOLUTION_MS, eventLoopLagSeconds } from './metrics-api.js';
import type { DatabasePoolStats, HookKind, LiveQuerySample, Metrics, QueueDepth } from './metrics-api.js';
import { createRequestMetrics } from './request-metrics.js';

/**
 * The metrics of `metrics.ts` on a prom-client registry of their own (never prom-client's global one, so two
 * apps in one process keep apart). This file is what loads prom-client (~120 CommonJS files with
 * @opentelemetry/api): `metrics.ts` imports it on the first scrape, not at start.
 */

/** Latency buckets (seconds): sub-millisecond gets to a 30 s cloud timeout. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createRegistryMetrics(options: {
  labels?: Readonly<Record<string, string>> | undefined;
  /** The event-loop monitor, started with the app (lag is measured from the start, not from the load). */
  loop: IntervalHistogram;
}): Omit<Metrics, 'close'> {
  const registry = new Registry();
  if (options.labels !== undefined) registry.setDefaultLabels({ ...options.labels });
  const requests = createRequestMetrics({
    registry,
    counter: {
      name: 'strata_http_requests_total',
      help: 'HTTP requests answered, by method, matched route and status.',
    },
    histogram: {
      name: 'strata_http_request_duration_seconds',
      help: 'Time from the request arriving to the response being written, by method and matched route.',
      buckets: DURATION_BUCKETS,
    },
  });
  const errors = new Counter({
    name: 'strata_http_errors_total',
    help: 'Parse errors answered, by route and Parse error code (1: internal).',
    labelNames: ['route', 'code'] as const,
    registers: [registry],
  });
  const hookCounters = {
    function: hookFamily(registry, { kind: 'function', labelNames: ['function'], what: 'Cloud function runs' }),
    trigger: hookFamily(registry, {
      kind: 'trigger',
      labelNames: ['trigger', 'className'],
      what: 'Cloud trigger runs',
    }),
    job: hookFamily(registry, { kind: 'job', labelNames: ['job'], what: 'Cloud job attempts' }),
  };
  registerProcessMetrics(registry, options.loop);

  let poolSampler: (() => DatabasePoolStats) | undefined;
  new Gauge({
    name: 'strata_db_pool_connections',
    help: 'Database connections: open (size), checked out (in_use) and operations waiting for one (waiting).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (poolSampler === undefined) return;
      const stats = poolSampler();
      this.set({ state: 'size' }, stats.size);
      this.set({ state: 'in_use' }, stats.inUse);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  const queueSamplers = new Map<string, () => Promise<QueueDepth>>();
  new Gauge({
    name: 'strata_queue_jobs',
    help: 'Jobs in each queue by state (waiting, active, delayed, failed).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    // Every worker reads the same queue: across workers, one reading, not their sum.
    aggregator: 'max',
    async collect() {
      this.reset();
      for (const [queue, sampler] of queueSamplers) {
        // A queue that cannot answer (Redis down) is left out of this scrape; /ready reports the outage.
        const depth = await sampler().catch(() => undefined);
        if (depth === undefined) continue;
        for (const state of ['waiting', 'active', 'delayed', 'failed'] as const)
          this.set({ queue, state }, depth[state]);
      }
    },
  });

  let liveSampler: (() => LiveQuerySample) | undefined;
  new Gauge({
    name: 'strata_livequery_connections',
    help: 'Open LiveQuery WebSocket connections on this server.',
    registers: [registry],
    collect() {
      this.set(liveSampler?.().connections ?? 0);
    },
  });
  new Gauge({
    name: 'strata_livequery_subscriptions',
    help: 'Active LiveQuery subscriptions on this server, by class.',
    labelNames: ['className'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [className, count] of Object.entries(liveSampler?.().subscriptions ?? {}))
        this.set({ className }, count);
    },
  });
  const liveEvents = new Counter({
    name: 'strata_livequery_events_total',
    help: 'LiveQuery events sent to clients, by class and event.',
    labelNames: ['className', 'event'] as const,
    registers: [registry],
  });
  const liveErrors = new Counter({
    name: 'strata_livequery_errors_total',
    help: 'LiveQuery error messages sent to clients, by Parse code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  return {
    observeRequest(sample) {
      requests.observe(sample);
    },
    countError(sample) {
      errors.inc({ route: sample.route, code: String(sample.code) });
    },
    observeHook(sample) {
      const family = hookCounters[sample.kind];
      const labels =
        sample.kind === 'trigger'
          ? { trigger: sample.name, className: sample.className ?? '' }
          : { [sample.kind]: sample.name };
      family.invocations.inc(labels);
      if (!sample.ok) family.errors.inc(labels);
      family.duration.observe(labels, sample.ms / 1000);
    },
    sampleDatabasePool(sampler) {
      poolSampler = sampler;
    },
    sampleQueue(name, sampler) {
      queueSamplers.set(name, sampler);
    },
    liveQuery: {
      sample(sampler) {
        liveSampler = sampler;
      },
      eventSent(labels) {
        liveEvents.inc(labels);
      },
      errorSent(code) {
        liveErrors.inc({ code: String(code) });
      },
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    snapshot: () => registry.getMetricsAsJSON(),
  };
}

interface HookFamily {
  readonly invocations: Counter<string>;
  readonly errors: Counter<string>;
  readonly duration: Histogram<string>;
}

function hookFamily(registry: Registry, options: { kind: HookKind; labelNames: string[]; what: string }): HookFamily {
  const { kind, labelNames, what } = options;
  const plural = `${kind}s`;
  return {
    invocations: new Counter({
      name: `strata_cloud_${kind}_invocations_total`,
      help: `${what}.`,
      labelNames,
      registers: [registry],
    }),
    errors: new Counter({
      name: `strata_cloud_${kind}_errors_total`,
      help: `${what} that failed (threw, rejected or timed out).`,
      labelNames,
      registers: [registry],
    }),
    duration: new Histogram({
      name: `strata_cloud_${kind}_duration_seconds`,
      help: `How long ${plural} ran (wall clock, validator excluded).`,
      labelNames,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
  };
}

/**
 * The process metrics Node dashboards expect, under prom-client's default names. prom-client's
 * `collectDefaultMetrics` is not used: its event-loop monitor and GC observers cannot be stopped, and tests
 * start hundreds of apps in one process.
 */
function registerProcessMetrics(registry: Registry, loop: IntervalHistogram): void {
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  // Until the loop has been measured, the histogram holds sentinel values: report 0. Each scrape reads the
  // delays since the previous one.
  const lag = (read: () => number) => (loop.count > 0 ? eventLoopLagSeconds(read(), LOOP_RESOLUTION_MS) : 0);
  const lagGauges = [
    ['nodejs_eventloop_lag_p50_seconds', 'median', () => loop.percentile(50)],
    ['nodejs_eventloop_lag_p99_seconds', '99th percentile', () => loop.percentile(99)],
    ['nodejs_eventloop_lag_max_seconds', 'longest', () => loop.max],
  ] as const;
  lagGauges.forEach(([name, what, read], index) => {
    new Gauge({
      name,
      help: `Event-loop lag (delay beyond the monitor's ${LOOP_RESOLUTION_MS} ms timer) since the previous scrape, ${what} (seconds).`,
      registers: [registry],
      // Across the workers of one port (cluster-metrics.ts): the worst loop, not a sum.
      aggregator: 'max',
      collect() {
        this.set(lag(read));
        // The last of the three starts the next window.
        if (index === lagGauges.length - 1) loop.reset();
      },
    });
  });
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time of the process (seconds).',
    registers: [registry],
    collect() {
      const usage = process.cpuUsage();
      this.reset();
      this.inc((usage.user + usage.system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory of the process (bytes).',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'V8 heap in use (bytes).',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'When the process started (Unix seconds).',
    registers: [registry],
    aggregator: 'min',
    collect() {
      this.set(startSeconds);
    },
  });
}
