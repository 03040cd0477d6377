import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Metrics } from './metrics-api.js';

/**
 * `/metrics` of `strata start --workers N`: one scrape describes every worker of the port, not whichever worker
 * the primary handed the connection to (counters then jumped between workers' values, which Prometheus reads as
 * resets). The worker that got the scrape asks the primary to `gather`; the primary asks every worker for a
 * `snapshot` (prom-client's JSON), collects the `part`s and sends them back (`gathered`), and the asking worker
 * merges them with prom-client's `AggregatorRegistry` (counters and histograms add up; each gauge as it
 * declares: pool sizes and sockets add up, event-loop lag and queue depths take the largest). The process side
 * is injected, as for `IpcRelay`: the primary passes each message to `MetricsGatherer.receive`; a worker to
 * `ClusterMetrics.receive`.
 */
type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

export type ClusterMetricsMessage =
  | { readonly strataMetrics: 'gather'; readonly id: string }
  | { readonly strataMetrics: 'snapshot'; readonly id: string }
  | { readonly strataMetrics: 'part'; readonly id: string; readonly metrics: Snapshot }
  | { readonly strataMetrics: 'gathered'; readonly id: string; readonly parts: Snapshot[] };

export function isClusterMetricsMessage(value: unknown): value is ClusterMetricsMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v['id'] !== 'string') return false;
  switch (v['strataMetrics']) {
    case 'gather':
    case 'snapshot':
      return true;
    case 'part':
      return Array.isArray(v['metrics']);
    case 'gathered':
      return Array.isArray(v['parts']) && v['parts'].every((part) => Array.isArray(part));
    default:
      return false;
  }
}

/** How long the primary waits for the workers' parts, and a worker for the primary: past it, what arrived. */
const GATHER_TIMEOUT_MS = 2000;

interface Gathering {
  readonly from: number;
  readonly pending: Set<number>;
  readonly parts: Snapshot[];
  readonly timer: NodeJS.Timeout;
}

/** The primary's side: asks every worker for its snapshot and answers the asking worker with all of them. */
export class MetricsGatherer {
  readonly #workers = new Map<number, (message: ClusterMetricsMessage) => void>();
  readonly #gatherings = new Map<string, Gathering>();

  add(workerId: number, send: (message: ClusterMetricsMessage) => void): void {
    this.#workers.set(workerId, send);
  }

  /** A worker gone: no part is awaited from it. */
  remove(workerId: number): void {
    this.#workers.delete(workerId);
    for (const [id, gathering] of this.#gatherings) {
      gathering.pending.delete(workerId);
      this.#settle(id);
    }
  }

  /** A message from a worker; true when it was one of these. */
  receive(workerId: number, message: unknown): boolean {
    if (!isClusterMetricsMessage(message)) return false;
    if (message.strataMetrics === 'gather') {
      const id = `${workerId}:${message.id}`;
      const timer = setTimeout(() => this.#finish(id), GATHER_TIMEOUT_MS);
      timer.unref();
      this.#gatherings.set(id, { from: workerId, pending: new Set(this.#workers.keys()), parts: [], timer });
      for (const send of this.#workers.values()) send({ strataMetrics: 'snapshot', id });
    } else if (message.strataMetrics === 'part') {
      const gathering = this.#gatherings.get(message.id);
      if (gathering?.pending.delete(workerId) === true) gathering.parts.push(message.metrics);
      this.#settle(message.id);
    }
    return true;
  }

  #settle(id: string): void {
    if (this.#gatherings.get(id)?.pending.size === 0) this.#finish(id);
  }

  #finish(id: string): void {
    const gathering = this.#gatherings.get(id);
    if (gathering === undefined) return;
    this.#gatherings.delete(id);
    clearTimeout(gathering.timer);
    const askedId = id.slice(id.indexOf(':') + 1);
    this.#workers.get(gathering.from)?.({ strataMetrics: 'gathered', id: askedId, parts: gathering.parts });
  }
}

/** A worker's side: answers the primary's snapshot requests, and renders `/metrics` for the whole port. */
export class ClusterMetrics {
  readonly #send: (message: ClusterMetricsMessage) => void;
  readonly #waiting = new Map<string, (parts: Snapshot[] | undefined) => void>();
  #metrics: Metrics | undefined;
  #next = 0;

  constructor(options: { send: (message: ClusterMetricsMessage) => void }) {
    this.#send = options.send;
  }

  /** The app's registry, once it exists. */
  attach(metrics: Metrics): void {
    this.#metrics = metrics;
  }

  /** A message from the primary; true when it was one of these. */
  receive(message: unknown): boolean {
    if (!isClusterMetricsMessage(message)) return false;
    if (message.strataMetrics === 'snapshot') {
      const metrics = this.#metrics;
      void (metrics === undefined ? Promise.resolve([]) : metrics.snapshot()).then(
        (snapshot) => this.#send({ strataMetrics: 'part', id: message.id, metrics: snapshot }),
        () => this.#send({ strataMetrics: 'part', id: message.id, metrics: [] }),
      );
    } else if (message.strataMetrics === 'gathered') {
      this.#waiting.get(message.id)?.(message.parts);
    }
    return true;
  }

  /** Every worker's metrics merged; this worker's own when the primary does not answer in time. */
  async render(): Promise<{ contentType: string; body: string }> {
    const own = this.#metrics;
    if (own === undefined) throw new Error('ClusterMetrics.render before attach');
    const id = String(this.#next++);
    const parts = await new Promise<Snapshot[] | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), GATHER_TIMEOUT_MS + 500);
      timer.unref();
      this.#waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.#send({ strataMetrics: 'gather', id });
    });
    this.#waiting.delete(id);
    if (parts === undefined || parts.length === 0) return own.render();
    // prom-client is loaded on the first scrape, as the app's own registry is (metrics.ts), not at start.
    const { AggregatorRegistry } = await import('prom-client');
    const merged = AggregatorRegistry.aggregate(parts);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}
