import type { SlowQuery } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { Messages } from '../components/Messages.js';
import { useAction, useLoad } from '../use-load.js';
import { DataTable } from '../components/DataTable.js';

/** `region_1_amount_-1`: Parse's own naming of an index by its keys. */
function indexName(spec: Readonly<Record<string, 1 | -1>>): string {
  return Object.entries(spec)
    .map(([field, direction]) => `${field}_${direction}`)
    .join('_');
}

function indexText(spec: Readonly<Record<string, 1 | -1>>): string {
  return `{ ${Object.entries(spec)
    .map(([field, direction]) => `${field}: ${direction}`)
    .join(', ')} }`;
}

/**
 * The finds this server saw run slower than `--slow-query-ms`, by shape, with whether an index served them
 * and the index that would; one button creates it through `/schemas` (as the schema page would).
 */
export function SlowQueries() {
  const { client, session } = useApp();
  const list = useLoad(() => client.slowQueries(), [client]);
  const { error, notice, act } = useAction(list.reload);
  const readOnly = session.readOnly;
  return (
    <section aria-labelledby="slow-title" className="stack">
      <h1 id="slow-title">Slow queries</h1>
      <p className="muted">
        Finds slower than the server&apos;s threshold (<code>--slow-query-ms</code>), grouped by shape: the fields and
        operators of the query and its order, never its values. Recorded per server, in memory.
      </p>
      <div className="inline-form">
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
        <button
          type="button"
          disabled={readOnly}
          onClick={() =>
            void act('Cleared: new queries are measured from now on', () =>
              client.request({ method: 'DELETE', path: '/slowQueries' }),
            )
          }
        >
          Clear and measure again
        </button>
      </div>
      <Messages error={list.error ?? error} notice={notice} />
      <DataTable
        columns={['Class', 'Shape', 'Count', 'Average ms', 'Max ms', 'Index used', 'Suggested index']}
        caption="Slow query shapes, most total time first"
        captionHidden
      >
        {list.data?.map((q: SlowQuery) => (
          <tr key={`${q.className}:${q.shape}`} data-shape={q.shape}>
            <th scope="row">{q.className}</th>
            <td>
              <code>{q.shape}</code>
              {q.plan !== undefined && (
                <details>
                  <summary>Plan</summary>
                  <pre>{q.plan}</pre>
                </details>
              )}
            </td>
            <td>{q.count}</td>
            <td>{(q.totalMs / q.count).toFixed(1)}</td>
            <td>{q.maxMs.toFixed(1)}</td>
            <td className={q.indexed === false ? 'status-failed' : undefined}>
              {q.indexed === null ? 'unknown' : q.indexed ? 'yes' : 'no (full scan)'}
            </td>
            <td>
              {q.suggestedIndex !== undefined && (
                <>
                  <code>{indexText(q.suggestedIndex)}</code>{' '}
                  <button
                    type="button"
                    className="primary"
                    disabled={readOnly}
                    onClick={() => {
                      const spec = q.suggestedIndex ?? {};
                      void act(`Created index ${indexName(spec)} on ${q.className}`, () =>
                        client.schemas.update(q.className, { indexes: { [indexName(spec)]: spec } }),
                      );
                    }}
                  >
                    Create index on {q.className} {indexText(q.suggestedIndex)}
                  </button>
                </>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {list.data?.length === 0 && <p className="empty-state">No slow queries recorded.</p>}
    </section>
  );
}
