import { useEffect, useState } from 'react';
import type { ServerInfo } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { UsageChart } from '../components/UsageChart.js';
import { LiveMetrics } from '../components/LiveMetrics.js';
import { useLoad } from '../use-load.js';
import { DataTable } from '../components/DataTable.js';

interface UsageRow {
  readonly invocations: number;
  readonly errors: number;
  readonly computeMs: number;
  readonly hours: ReadonlyArray<{ hour: string; invocations: number; errors: number; computeMs: number }>;
}
interface UsageReport {
  readonly requests: UsageRow;
  readonly functions: ReadonlyArray<UsageRow & { kind: string; name: string; className?: string }>;
}

export function Overview() {
  const { client, app } = useApp();
  const [info, setInfo] = useState<ServerInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    client.serverInfo().then(setInfo, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [client]);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{app.appName}</h1>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {info !== undefined && (
        <dl className="facts">
          <dt>App id</dt>
          <dd>{app.appId}</dd>
          <dt>Parse Server compatibility</dt>
          <dd>{info.parseServerVersion}</dd>
          {typeof info['strataVersion'] === 'string' && (
            <>
              <dt>Strata</dt>
              <dd>{info['strataVersion']}</dd>
            </>
          )}
        </dl>
      )}
      <Usage />
      <LiveMetrics />
    </section>
  );
}

/** The last 24 hours of `GET /usage`: requests and errors per hour, and each cloud function and trigger. */
function Usage() {
  const { client } = useApp();
  const usage = useLoad(
    async () => (await client.usage({ from: new Date(Date.now() - 24 * 3600_000).toISOString() })) as UsageReport,
    [client],
  );
  if (usage.error !== undefined)
    return (
      <p role="alert" className="error">
        {usage.error}
      </p>
    );
  const report = usage.data;
  if (report === undefined) return null;
  return (
    <>
      <h2>Requests, last 24 hours</h2>
      <p>
        {report.requests.invocations.toLocaleString()} requests, {report.requests.errors.toLocaleString()} errors,{' '}
        {report.requests.invocations === 0 ? 0 : (report.requests.computeMs / report.requests.invocations).toFixed(1)}{' '}
        ms on average
      </p>
      <UsageChart hours={last24Hours(report.requests.hours)} label="Requests and errors per hour" />
      <h2>Cloud code, last 24 hours</h2>
      <DataTable columns={['Function or trigger', 'Runs', 'Errors', 'Average ms']}>
        {report.functions.map((f) => (
          <tr key={`${f.kind}:${f.className ?? ''}:${f.name}`} data-usage={f.name}>
            <th scope="row">
              {f.kind} {f.className === undefined ? '' : `${f.className}.`}
              {f.name}
            </th>
            <td>{f.invocations}</td>
            <td>{f.errors}</td>
            <td>{f.invocations === 0 ? '' : (f.computeMs / f.invocations).toFixed(1)}</td>
          </tr>
        ))}
      </DataTable>
      {report.functions.length === 0 && <p className="empty-state">No cloud code ran.</p>}
    </>
  );
}

/** One point per hour for the last 24 hours (the report lists only hours with traffic). */
function last24Hours(hours: UsageRow['hours']): Array<{ hour: string; invocations: number; errors: number }> {
  const byHour = new Map(hours.map((h) => [Date.parse(h.hour), h]));
  const now = new Date();
  now.setUTCMinutes(0, 0, 0);
  const out: Array<{ hour: string; invocations: number; errors: number }> = [];
  for (let i = 23; i >= 0; i--) {
    const at = now.getTime() - i * 3600_000;
    const found = byHour.get(at);
    out.push({ hour: new Date(at).toISOString(), invocations: found?.invocations ?? 0, errors: found?.errors ?? 0 });
  }
  return out;
}
