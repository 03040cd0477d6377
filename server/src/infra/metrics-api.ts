import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/**
 * The server's Prometheus metrics (`GET /metrics`), one registry per app (never prom-client's global one, so
 * two apps in one process keep apart). Components report through the small typed methods below instead of
 * touching prom-client; gauges whose truth lives elsewhere (pool, queue, LiveQuery sockets) are sampled at
 * scrape time through `sample*` callbacks, so they cannot drift. The metric names and labels are a contract
 * (/work/team/contracts/metrics.md, README "Metrics"): the dashboard charts them.
 */
export interface Metrics {
  /** One HTTP request answered: `route` is the matched pattern (`/classes/:className`), never the raw URL. */
  observeRequest(sample: { method: string; route: string; status: number; seconds: number }): void;
  /** A Parse error answered (its code), by route. */
  countError(sample: { route: string; code: number }): void;
  /** One run of cloud code: a function, a trigger (`beforeSave` of `GameScore`) or a job. */
  observeHook(sample: HookSample): void;
  /** The database's connection pool, read at each scrape. */
  sampleDatabasePool(sampler: () => DatabasePoolStats): void;
  /** A queue's depth, read at each scrape (`name`: `jobs`, `push`, ...). */
  sampleQueue(name: string, sampler: () => Promise<QueueDepth>): void;
  /** LiveQuery's reporting point (the live server calls it; see the contract). */
  readonly liveQuery: LiveQueryMetrics;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<{ contentType: string; body: string }>;
  /**
   * Every metric as JSON (prom-client's `getMetricsAsJSON`): what a cluster worker sends through its primary to
   * the scraped worker, which merges them with `AggregatorRegistry.aggregate` into one `/metrics` for the port.
   */
  snapshot(): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
  /** Stops the event-loop monitor. */
  close(): void;
}

export type HookKind = 'function' | 'trigger' | 'job';

export interface HookSample {
  readonly kind: HookKind;
  /** The function's or job's name; for a trigger its trigger name (`beforeSave`). */
  readonly name: string;
  /** Triggers only: the class (`GameScore`, `_User`, `@File`, `@Connect`). */
  readonly className?: string;
  readonly ok: boolean;
  readonly ms: number;
}

export interface DatabasePoolStats {
  /** Open connections. */
  readonly size: number;
  /** Connections checked out by running operations. */
  readonly inUse: number;
  /** Operations waiting for a connection. */
  readonly waiting: number;
}

export interface QueueDepth {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
}

/**
 * What the LiveQuery server reports. Connections and subscriptions are sampled (pull) from the server's own
 * tables at scrape time; events and errors are counted (push) as they happen.
 */
export interface LiveQueryMetrics {
  /** Registers the live server's sampler; a later call replaces it (one live server per app). */
  sample(sampler: () => LiveQuerySample): void;
  /** One event sent to one client. */
  eventSent(labels: { className: string; event: LiveQueryEvent }): void;
  /** One `error` message sent to a client (its Parse code). */
  errorSent(code: number): void;
}

export interface LiveQuerySample {
  readonly connections: number;
  /** Subscriptions per class. */
  readonly subscriptions: Readonly<Record<string, number>>;
}

export type LiveQueryEvent = 'create' | 'enter' | 'update' | 'leave' | 'delete';

/** How often the event-loop monitor's timer runs (ms). */
export const LOOP_RESOLUTION_MS = 20;

/**
 * The lag in one reading of `monitorEventLoopDelay`: its timer records the whole time between two of its runs,
 * the resolution included (an idle loop reads 20 ms), so the lag is what exceeds the resolution.
 */
export function eventLoopLagSeconds(nanoseconds: number, resolutionMs: number): number {
  return Math.max(0, nanoseconds / 1e9 - resolutionMs / 1000);
}
