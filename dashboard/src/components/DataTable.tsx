import type { ReactNode } from 'react';

/**
 * The admin pages' plain tables (config parameters, webhooks, jobs, users, files...): one `data-table` with
 * column headers (`scope="col"`), an optional caption (hidden when `captionHidden`) and, with `actions`, a
 * last column for the row's buttons whose header only a screen reader reads. The pages render the rows
 * (`<tr>` with a `<th scope="row">` first), since those differ: an editor row, a selected row, a link.
 * The data browser's grid is another thing: TanStack Table + Virtual (DataGrid).
 */
export function DataTable(props: {
  columns: readonly string[];
  /** The header of a last column of row buttons, read only by screen readers ("Actions"). */
  actions?: string;
  caption?: ReactNode;
  captionHidden?: boolean;
  /** Default `data-table`. */
  className?: string;
  children: ReactNode;
}) {
  return (
    <table className={props.className ?? 'data-table'}>
      {props.caption !== undefined && (
        <caption className={props.captionHidden === true ? 'visually-hidden' : undefined}>{props.caption}</caption>
      )}
      <thead>
        <tr>
          {props.columns.map((name) => (
            <th key={name} scope="col">
              {name}
            </th>
          ))}
          {props.actions !== undefined && (
            <th scope="col">
              <span className="visually-hidden">{props.actions}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/** A destructive action's button (red), disabled for read-only users. Its text names what it removes. */
export function DangerButton(props: { disabled?: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" className="danger" disabled={props.disabled} onClick={props.onClick}>
      {props.children}
    </button>
  );
}
