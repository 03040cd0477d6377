import { useEffect, useState } from 'react';
import type { LogEntry } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { DataTable } from '../components/DataTable.js';

/** Server logs (`GET /scriptlog`): level filter, request id search, and a live tail that polls. */
export function Logs() {
  const { client } = useApp();
  const [level, setLevel] = useState('info');
  const [requestId, setRequestId] = useState('');
  const [tail, setTail] = useState(false);
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    const load = (): void => {
      client.logs({ level, size: 200, ...(requestId.trim() === '' ? {} : { requestId: requestId.trim() }) }).then(
        (list) => {
          if (!live) return;
          setEntries(list);
          setError(undefined);
        },
        (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
      );
    };
    load();
    const timer = tail ? setInterval(load, 2000) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, level, requestId, tail]);
  return (
    <section aria-labelledby="logs-title">
      <h1 id="logs-title">Logs</h1>
      <div className="filter-bar">
        <label>
          Level{' '}
          <select value={level} onChange={(e) => setLevel(e.target.value)}>
            <option value="error">Errors</option>
            <option value="warn">Warnings and errors</option>
            <option value="info">Info and above</option>
            <option value="debug">Everything</option>
          </select>
        </label>
        <label>
          Request id <input value={requestId} onChange={(e) => setRequestId(e.target.value)} spellCheck={false} />
        </label>
        <label>
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.target.checked)} /> Live tail
        </label>
      </div>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <DataTable
        columns={['Time', 'Level', 'Message', 'Request id']}
        className="log-table"
        caption="Most recent first"
        captionHidden
      >
        {entries.map((entry, i) => {
          const { timestamp, level: entryLevel, message, requestId: id, ...rest } = entry;
          return (
            <tr key={`${timestamp}-${i}`} className={`level-${entryLevel}`}>
              <td>{timestamp.replace('T', ' ').replace('Z', '')}</td>
              <td>{entryLevel}</td>
              <td>
                {message}
                {Object.keys(rest).length > 0 && <code className="extra"> {JSON.stringify(rest)}</code>}
              </td>
              <td>
                {id !== undefined && (
                  <button type="button" className="link" onClick={() => setRequestId(id)}>
                    {id}
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
      {entries.length === 0 && error === undefined && <p className="empty-state">No log lines.</p>}
    </section>
  );
}
