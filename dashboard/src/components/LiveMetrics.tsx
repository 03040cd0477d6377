import { useEffect, useMemo, useState } from 'react';
import { useApp } from '../app-context.js';
import { difference, histograms, parseMetrics, quantile, total } from '../metrics.js';
import type { Histogram, Sample } from '../metrics.js';
import { errorText } from '../use-load.js';
import { TimeChart } from './TimeChart.js';

const POLL_MS = 5000;
/** Ten minutes of scrapes. */
const KEEP = 120;
const TOP_ROUTES = 5;

interface Scrape {
  /** Unix seconds. */
  readonly at: number;
  readonly routes: Map<string, Histogram>;
  readonly functions: Map<string, Histogram>;
  readonly connections: number;
  readonly subscriptions: number;
}

function scrapeOf(samples: readonly Sample[]): Scrape {
  return {
    at: Date.now() / 1000,
    routes: histograms(samples, 'strata_http_request_duration_seconds', (l) => `${l['method']} ${l['route']}`),
    functions: new Map([
      ...histograms(samples, 'strata_cloud_function_duration_seconds', (l) => `function ${l['function']}`),
      ...histograms(samples, 'strata_cloud_trigger_duration_seconds', (l) => `${l['trigger']} ${l['className']}`),
      ...histograms(samples, 'strata_cloud_job_duration_seconds', (l) => `job ${l['job']}`),
    ]),
    connections: total(samples, 'strata_livequery_connections'),
    subscriptions: total(samples, 'strata_livequery_subscriptions'),
  };
}

function plural(n: number, what: string): string {
  return `${n.toLocaleString()} ${what}${n === 1 ? '' : 's'}`;
}

function ms(seconds: number | undefined): string {
  return seconds === undefined ? '–' : `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms`;
}

/** p99 in ms between each scrape and the one before it, for one key. */
function p99Series(scrapes: readonly Scrape[], pick: (s: Scrape) => Map<string, Histogram>, key: string) {
  return scrapes.map((scrape, i) => {
    const now = pick(scrape).get(key);
    if (now === undefined || i === 0) return null;
    const seconds = quantile(0.99, difference(now, pick(scrapes[i - 1] as Scrape).get(key)));
    return seconds === undefined ? null : seconds * 1000;
  });
}

/**
 * This server's Prometheus metrics (`/metrics`, read by the dashboard server), polled while the page is open:
 * p99 latency per route and per cloud function (from the duration histograms, over each 5 s interval and since
 * the server started) and LiveQuery connections.
 */
export function LiveMetrics() {
  const { client } = useApp();
  const [scrapes, setScrapes] = useState<Scrape[]>([]);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    const poll = (): void => {
      client.metrics().then(
        (text) => {
          if (!live) return;
          setError(undefined);
          setScrapes((list) => [...list, scrapeOf(parseMetrics(text))].slice(-KEEP));
        },
        (err: unknown) => live && setError(errorText(err)),
      );
    };
    poll();
    const timer = setInterval(poll, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client]);
  const latest = scrapes[scrapes.length - 1];
  const times = useMemo(() => scrapes.map((s) => s.at), [scrapes]);
  const topRoutes = useMemo(
    () =>
      latest === undefined
        ? []
        : [...latest.routes.entries()]
            .sort((a, b) => b[1].count - a[1].count)
            .slice(0, TOP_ROUTES)
            .map(([key]) => key),
    [latest],
  );
  const routeSeries = useMemo(
    () => topRoutes.map((key) => ({ label: key, values: p99Series(scrapes, (s) => s.routes, key) })),
    [scrapes, topRoutes],
  );
  const liveSeries = useMemo(
    () => [
      { label: 'Connections', values: scrapes.map((s) => s.connections) },
      { label: 'Subscriptions', values: scrapes.map((s) => s.subscriptions) },
    ],
    [scrapes],
  );
  if (error !== undefined && latest === undefined) {
    return (
      <section aria-labelledby="live-title">
        <h2 id="live-title">Live metrics</h2>
        <p role="alert" className="error">
          The server&apos;s metrics cannot be read: {error}
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="live-title">
      <h2 id="live-title">Live metrics</h2>
      <p className="muted">From this server&apos;s /metrics, every 5 seconds while this page is open.</p>
      {latest === undefined ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <p role="status" className="live-count">
            LiveQuery: {plural(latest.connections, 'connection')}, {plural(latest.subscriptions, 'subscription')}
          </p>
          <h3>p99 latency of the busiest routes, per 5 s</h3>
          <TimeChart times={times} series={routeSeries} label="p99 latency per route over time" unit="ms" />
          <LatencyTable title="Routes" scrapes={scrapes} pick={(s) => s.routes} />
          <h3>Cloud functions, triggers and jobs</h3>
          <LatencyTable title="Cloud code" scrapes={scrapes} pick={(s) => s.functions} />
          <h3>LiveQuery</h3>
          <TimeChart
            times={times}
            series={liveSeries}
            label="LiveQuery connections and subscriptions over time"
            unit="open"
          />
        </>
      )}
    </section>
  );
}

function LatencyTable(props: {
  title: string;
  scrapes: readonly Scrape[];
  pick: (s: Scrape) => Map<string, Histogram>;
}) {
  const { scrapes, pick } = props;
  const latest = scrapes[scrapes.length - 1];
  const previous = scrapes[scrapes.length - 2];
  if (latest === undefined) return null;
  const rows = [...pick(latest).entries()].sort((a, b) => b[1].count - a[1].count);
  if (rows.length === 0) return <p className="empty-state">Nothing measured yet.</p>;
  return (
    <table className="data-table latency-table">
      <caption className="visually-hidden">{props.title}: p99 latency</caption>
      <thead>
        <tr>
          <th scope="col">{props.title}</th>
          <th scope="col">Count</th>
          <th scope="col">p99 since start</th>
          <th scope="col">p99 last 5 s</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, histogram]) => {
          const before = previous === undefined ? undefined : pick(previous).get(key);
          const recent = before === undefined ? undefined : difference(histogram, before);
          return (
            <tr key={key} data-latency={key}>
              <th scope="row">
                <code>{key}</code>
              </th>
              <td>{histogram.count.toLocaleString()}</td>
              <td>{ms(quantile(0.99, histogram))}</td>
              <td>{recent === undefined ? '–' : ms(quantile(0.99, recent))}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
