import type { ImportOutcome } from '../import.js';
import { MAX_SHOWN } from '../import.js';
import { DataTable } from './DataTable.js';

/** What an import came to: the counts, why it stopped if it did, and the rows the app refused. */
export function ImportReport(props: { outcome: ImportOutcome; running: boolean; onClose: () => void }) {
  const { outcome, running } = props;
  const { counts, failures } = outcome;
  return (
    <section className="import-report stack" aria-label="Import report">
      <p role="status">
        {running ? 'Importing' : 'Imported'} {outcome.fileName}: {counts.rows.toLocaleString()} rows,{' '}
        {counts.created.toLocaleString()} created, {counts.updated.toLocaleString()} updated,{' '}
        {counts.failed.toLocaleString()} failed
        {!running && !outcome.complete ? ' (stopped before the end of the file)' : ''}
      </p>
      {outcome.fatal !== undefined && (
        <p role="alert" className="error">
          The import stopped: {outcome.fatal.error} (code {outcome.fatal.code})
        </p>
      )}
      {failures.length > 0 && (
        <DataTable
          columns={['Row', 'Code', 'Error']}
          caption={`Rows not imported${counts.failed > failures.length ? ` (the first ${Math.min(failures.length, MAX_SHOWN)})` : ''}`}
        >
          {failures.map((f) => (
            <tr key={f.row}>
              <th scope="row">{f.row}</th>
              <td>{f.code}</td>
              <td>{f.error}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {!running && (
        <button type="button" onClick={props.onClose}>
          Close import report
        </button>
      )}
    </section>
  );
}
