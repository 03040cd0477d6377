import { Counter, Histogram } from 'prom-client';
import type { MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

/**
 * The two per-request metrics (`strata_http_requests_total` and `strata_http_request_duration_seconds`), counted
 * on every answered request. prom-client's own `inc` / `observe` validate the label names and build a hash of the
 * labels at each call (~1 µs a request, a few percent of a get's server CPU); here each label set is a cell found by
 * one Map look-up of a joined key, and prom-client still owns the metrics: the counter takes the cells' counts at
 * each scrape (`collect`), and the histogram renders its cells in prom-client's own shapes, so `/metrics`, the
 * JSON the cluster merges and `registry.resetMetrics()` are as before (request-metrics.test.ts compares both
 * against plain prom-client metrics fed the same samples).
 */
export interface RequestMetrics {
  observe(sample: RequestSample): void;
}

/** One answered request: `route` is the matched pattern, never the raw URL. */
export interface RequestSample {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
}

type RequestLabel = 'method' | 'route' | 'status';
type DurationLabel = 'method' | 'route';

interface CountCell {
  readonly labels: { method: string; route: string; status: string };
  /** Requests since the counter last took them. */
  pending: number;
}

interface DurationCell {
  readonly labels: { method: string; route: string };
  /** Observations per bucket (not cumulative), in `buckets` order; slower than the last bound: none. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export function createRequestMetrics(options: {
  registry: Registry;
  counter: { name: string; help: string };
  histogram: { name: string; help: string; buckets: readonly number[] };
}): RequestMetrics {
  const counts = new CellCounter({ ...options.counter, registry: options.registry });
  const durations = new CellHistogram({ ...options.histogram, registry: options.registry });
  return {
    observe(sample) {
      counts.record(sample);
      durations.record(sample);
    },
  };
}

/** A prom-client counter over `method`, `route` and `status` that takes its cells' counts at each scrape. */
class CellCounter extends Counter<RequestLabel> {
  readonly #cells = new Map<string, CountCell>();

  constructor(options: { name: string; help: string; registry: Registry }) {
    super({
      name: options.name,
      help: options.help,
      labelNames: ['method', 'route', 'status'],
      registers: [options.registry],
      collect() {
        (this as CellCounter).#take();
      },
    });
  }

  record({ method, route, status }: RequestSample): void {
    const key = `${method} ${route} ${status}`;
    let cell = this.#cells.get(key);
    if (cell === undefined)
      this.#cells.set(key, (cell = { labels: { method, route, status: String(status) }, pending: 0 }));
    cell.pending += 1;
  }

  #take(): void {
    for (const cell of this.#cells.values()) {
      if (cell.pending === 0) continue;
      this.inc(cell.labels, cell.pending);
      cell.pending = 0;
    }
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before this class's fields exist.
    if (#cells in this) this.#cells.clear();
  }
}

/** prom-client's values as `getForPromString` gives them: each bucket's labels apart from the series' labels. */
interface PromStringValue extends MetricValueWithName<string> {
  readonly sharedLabels: Readonly<Record<string, string>>;
  readonly exemplar: null | undefined;
}

/** What prom-client's Histogram answers from `get` / `getForPromString`. */
interface HistogramValues<V> {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly values: V[];
  readonly aggregator: 'sum';
}

/** A prom-client histogram over `method` and `route` whose observations land in cells (see above). */
class CellHistogram extends Histogram<DurationLabel> {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  readonly #cells = new Map<string, DurationCell>();

  constructor(options: { name: string; help: string; buckets: readonly number[]; registry: Registry }) {
    super({
      name: options.name,
      help: options.help,
      labelNames: ['method', 'route'],
      buckets: [...options.buckets],
      registers: [options.registry],
    });
    this.#name = options.name;
    this.#help = options.help;
    this.#bounds = options.buckets;
  }

  record({ method, route, seconds }: RequestSample): void {
    const key = `${method} ${route}`;
    let cell = this.#cells.get(key);
    if (cell === undefined) {
      cell = { labels: { method, route }, counts: this.#bounds.map(() => 0), sum: 0, count: 0 };
      this.#cells.set(key, cell);
    }
    // prom-client's bucket: the first bound at or above the value.
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= (bounds[i] as number)) {
        cell.counts[i] = (cell.counts[i] as number) + 1;
        break;
      }
    }
    cell.sum += seconds;
    cell.count += 1;
  }

  /** What the registry renders as text: prom-client's histogram values, series by series. */
  async getForPromString(): Promise<HistogramValues<PromStringValue>> {
    const bucketName = `${this.#name}_bucket`;
    const values: PromStringValue[] = [];
    for (const cell of this.#cells.values()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += cell.counts[i] as number;
        values.push({
          labels: { le: bound },
          sharedLabels: cell.labels,
          value: cumulative,
          metricName: bucketName,
          exemplar: null,
        });
      });
      values.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: cell.labels,
          value: cell.count,
          metricName: bucketName,
          exemplar: null,
        },
        // prom-client's series values carry `exemplar: undefined` (the cluster's JSON is compared as it gives it).
        {
          labels: {},
          sharedLabels: cell.labels,
          value: cell.sum,
          metricName: `${this.#name}_sum`,
          exemplar: undefined,
        },
        {
          labels: {},
          sharedLabels: cell.labels,
          value: cell.count,
          metricName: `${this.#name}_count`,
          exemplar: undefined,
        },
      );
    }
    return { name: this.#name, help: this.#help, type: 'histogram', values, aggregator: 'sum' };
  }

  /** The JSON form (`getMetricsAsJSON`, which the cluster merges): each value's labels with its series'. */
  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<DurationLabel>>> {
    const { values, ...metric } = await this.getForPromString();
    const splayed = values.map(({ sharedLabels, labels, ...value }) => ({
      ...value,
      labels: { ...labels, ...sharedLabels },
    }));
    // prom-client's typings list a `collect` its histograms never return; the value is what Histogram.get() gives.
    const result: HistogramValues<MetricValueWithName<DurationLabel>> = { ...metric, values: splayed };
    return result as unknown as MetricObjectWithValues<MetricValueWithName<DurationLabel>>;
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    if (#cells in this) this.#cells.clear();
  }
}
