import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LOOP_RESOLUTION_MS } from './metrics-api.js';
import type { Metrics } from './metrics-api.js';
import type * as RegistryModule from './metrics-registry.js';

export { eventLoopLagSeconds } from './metrics-api.js';
export type {
  DatabasePoolStats,
  HookKind,
  HookSample,
  LiveQueryEvent,
  LiveQueryMetrics,
  LiveQuerySample,
  Metrics,
  QueueDepth,
} from './metrics-api.js';

/**
 * Samples kept before the registry has loaded. Past this many the registry is loaded without waiting for a
 * scrape, so a server nobody scrapes keeps a bounded backlog (about 2 MB), replayed once.
 */
const BACKLOG_LIMIT = 10_000;

/**
 * The server's Prometheus metrics (`GET /metrics`): see `metrics-api.ts` for what is reported. prom-client and
 * @opentelemetry/api (about 120 CommonJS files, a sixth of a cold start) are loaded on the first scrape, or when
 * `BACKLOG_LIMIT` samples wait, not at start. Until then every sample and sampler is kept in order and replayed
 * into the registry when it loads, so the first scrape reports everything since the start (the event-loop
 * monitor runs from the start). Concurrent first scrapes share one load; a failed load rejects every scrape
 * (`/metrics` answers 500) and samples are dropped from then on instead of kept without bound.
 */
export function createMetrics(
  options: {
    labels?: Readonly<Record<string, string>>;
    /** Loads the registry half; default `import('./metrics-registry.js')` (tests pass one that fails). */
    load?: () => Promise<typeof RegistryModule>;
  } = {},
): Metrics {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  let registry: Omit<Metrics, 'close'> | undefined;
  let loading: Promise<Omit<Metrics, 'close'>> | undefined;
  let failed = false;
  let backlog: ((metrics: Omit<Metrics, 'close'>) => void)[] = [];
  const load = (): Promise<Omit<Metrics, 'close'>> =>
    (loading ??= (options.load ?? (() => import('./metrics-registry.js')))().then(
      ({ createRegistryMetrics }) => {
        const loaded = createRegistryMetrics({ labels: options.labels, loop });
        for (const replay of backlog) replay(loaded);
        backlog = [];
        registry = loaded;
        return loaded;
      },
      (err: unknown) => {
        failed = true;
        backlog = [];
        throw err;
      },
    ));
  // Before the load a sample waits in the backlog; after it, it goes straight to the registry (no closure).
  const later = (replay: (metrics: Omit<Metrics, 'close'>) => void): void => {
    if (failed) return;
    backlog.push(replay);
    if (backlog.length >= BACKLOG_LIMIT) load().catch(() => undefined);
  };
  return {
    observeRequest(sample) {
      if (registry !== undefined) registry.observeRequest(sample);
      else later((metrics) => metrics.observeRequest(sample));
    },
    countError(sample) {
      if (registry !== undefined) registry.countError(sample);
      else later((metrics) => metrics.countError(sample));
    },
    observeHook(sample) {
      if (registry !== undefined) registry.observeHook(sample);
      else later((metrics) => metrics.observeHook(sample));
    },
    sampleDatabasePool(sampler) {
      if (registry !== undefined) registry.sampleDatabasePool(sampler);
      else later((metrics) => metrics.sampleDatabasePool(sampler));
    },
    sampleQueue(name, sampler) {
      if (registry !== undefined) registry.sampleQueue(name, sampler);
      else later((metrics) => metrics.sampleQueue(name, sampler));
    },
    liveQuery: {
      sample(sampler) {
        if (registry !== undefined) registry.liveQuery.sample(sampler);
        else later((metrics) => metrics.liveQuery.sample(sampler));
      },
      eventSent(labels) {
        if (registry !== undefined) registry.liveQuery.eventSent(labels);
        else later((metrics) => metrics.liveQuery.eventSent(labels));
      },
      errorSent(code) {
        if (registry !== undefined) registry.liveQuery.errorSent(code);
        else later((metrics) => metrics.liveQuery.errorSent(code));
      },
    },
    render: async () => (await load()).render(),
    snapshot: async () => (await load()).snapshot(),
    close() {
      loop.disable();
    },
  };
}
