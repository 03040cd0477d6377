/**
 * Reads the Prometheus text that `/metrics` serves (prom-client's exposition format: `name{label="v",...} value`
 * lines, `#` comments) and turns histogram buckets into p99s. Hand-written rather than a dependency: the browser
 * needs only samples and labels from one known producer, and the parsers on npm are unmaintained.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      labels[label[1] as string] = (label[2] as string).replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    }
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

/** One histogram series: cumulative bucket counts by upper bound (`+Inf` last), and the total count. */
export interface Histogram {
  readonly buckets: ReadonlyArray<readonly [number, number]>;
  readonly count: number;
}

/**
 * The histograms named `name` (without `_bucket`), keyed by `keyOf(labels)`.
 * @example histograms(samples, 'strata_http_request_duration_seconds', (l) => `${l.method} ${l.route}`)
 */
export function histograms(
  samples: readonly Sample[],
  name: string,
  keyOf: (labels: Readonly<Record<string, string>>) => string,
): Map<string, Histogram> {
  const buckets = new Map<string, Array<[number, number]>>();
  const counts = new Map<string, number>();
  for (const sample of samples) {
    if (sample.name === `${name}_bucket`) {
      const { le, ...rest } = sample.labels;
      const key = keyOf(rest);
      const list = buckets.get(key) ?? [];
      list.push([le === '+Inf' ? Infinity : Number(le), sample.value]);
      buckets.set(key, list);
    } else if (sample.name === `${name}_count`) {
      counts.set(keyOf(sample.labels), sample.value);
    }
  }
  const out = new Map<string, Histogram>();
  for (const [key, list] of buckets) {
    list.sort((a, b) => a[0] - b[0]);
    out.set(key, { buckets: list, count: counts.get(key) ?? list[list.length - 1]?.[1] ?? 0 });
  }
  return out;
}

/** `now - before` (what was observed between two scrapes); a reset counter (restart) counts from zero. */
export function difference(now: Histogram, before: Histogram | undefined): Histogram {
  if (before === undefined || before.count > now.count) return now;
  return {
    buckets: now.buckets.map(([le, n], i) => [le, n - (before.buckets[i]?.[1] ?? 0)] as const),
    count: now.count - before.count,
  };
}

/**
 * The q-quantile estimated from buckets as Prometheus' `histogram_quantile` does: linear within the bucket
 * that holds it; the largest finite bound when it falls in `+Inf`. Undefined without observations.
 */
export function quantile(q: number, histogram: Histogram): number | undefined {
  const { buckets, count } = histogram;
  if (count <= 0 || buckets.length === 0) return undefined;
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const [le, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (le === Infinity) return lower;
      const inBucket = cumulative - below;
      return inBucket <= 0 ? le : lower + ((le - lower) * (rank - below)) / inBucket;
    }
    lower = le;
    below = cumulative;
  }
  return lower;
}

/** The sum of every sample called `name` (a gauge or counter over all its labels). */
export function total(samples: readonly Sample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
}
