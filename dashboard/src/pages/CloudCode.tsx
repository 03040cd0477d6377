import { useState } from 'react';
import { useApp } from '../app-context.js';
import { Messages } from '../components/Messages.js';
import { routeHref } from '../router.js';
import { errorText, parseJsonObject, useLoad } from '../use-load.js';
import { DataTable } from '../components/DataTable.js';

/**
 * What cloud code registered (functions, triggers, jobs; Strata's `GET /cloud_code/registry`) and a form
 * that runs a function with JSON params, as the master key (`request.master` is true in the function).
 */
export function CloudCode() {
  const { client, app } = useApp();
  const listing = useLoad(() => client.functions.list(), [client]);
  return (
    <section aria-labelledby="cloud-title" className="stack">
      <h1 id="cloud-title">Cloud code</h1>
      <Messages error={listing.error} />
      <h2>Functions</h2>
      {listing.data?.functions.length === 0 && <p className="empty-state">No cloud functions.</p>}
      <ul className="function-list">
        {listing.data?.functions.map((f) => (
          <li key={f.name}>
            <RunFunction name={f.name} source={f.source} />
          </li>
        ))}
      </ul>
      <h2>Triggers</h2>
      <DataTable columns={['Class', 'Trigger', 'Written with']}>
        {listing.data?.triggers.map((t) => (
          <tr key={`${t.className}:${t.triggerName}`}>
            <th scope="row">{t.className}</th>
            <td>{t.triggerName}</td>
            <td>{sourceLabel(t.source)}</td>
          </tr>
        ))}
      </DataTable>
      {listing.data?.triggers.length === 0 && <p className="empty-state">No triggers.</p>}
      <h2>Jobs</h2>
      <ul>
        {listing.data?.jobs.map((j) => (
          <li key={j.name}>
            <a href={routeHref({ appId: app.appId, page: 'jobs', params: { job: j.name } })}>{j.name}</a>
            {j.schedule === undefined ? '' : <span className="muted"> (runs on {j.schedule})</span>}
          </li>
        ))}
      </ul>
      {listing.data?.jobs.length === 0 && <p className="empty-state">No jobs.</p>}
    </section>
  );
}

function sourceLabel(source: string): string {
  return source === 'parse' ? 'Parse.Cloud' : source === 'strata' ? 'Strata API' : source;
}

function RunFunction(props: { name: string; source: string }) {
  const { client } = useApp();
  const [params, setParams] = useState('{}');
  const [result, setResult] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [running, setRunning] = useState(false);
  const id = `params-${props.name}`;
  return (
    <form
      className="run-function"
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        setResult(undefined);
        setRunning(true);
        (async () => {
          try {
            const value = await client.functions.run(props.name, parseJsonObject(params, 'The params'));
            setResult(JSON.stringify(value ?? null, null, 2));
          } catch (err) {
            setError(errorText(err));
          } finally {
            setRunning(false);
          }
        })();
      }}
    >
      <h3>
        {props.name} <span className="muted">({sourceLabel(props.source)})</span>
      </h3>
      <label htmlFor={id}>Params of {props.name} (JSON)</label>
      <textarea id={id} value={params} onChange={(e) => setParams(e.target.value)} rows={3} spellCheck={false} />
      <button type="submit" disabled={running}>
        Run {props.name}
      </button>
      <Messages error={error} />
      {result !== undefined && (
        <output aria-label={`Result of ${props.name}`} className="result">
          <pre>{result}</pre>
        </output>
      )}
    </form>
  );
}
