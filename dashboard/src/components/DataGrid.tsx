import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { columnSizingFeature, flexRender, tableFeatures, useTable } from '@tanstack/react-table';
import type { ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ClassSchema, RestObject } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { pageQuery } from '../paging.js';
import type { Sort } from '../paging.js';
import { routeHref } from '../router.js';
import { READ_ONLY_FIELDS, formatValue, orderedFields } from '../values.js';
import type { FieldType } from '../values.js';
import { CellEditor } from './CellEditor.js';
import { FilterBar } from './FilterBar.js';
import { ImportReport } from './ImportReport.js';
import { useTransfer } from './use-transfer.js';

const PAGE_SIZE = 200;
const ROW_HEIGHT = 32;
const FEATURES = tableFeatures({ columnSizingFeature });
type Features = typeof FEATURES;

function combine(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(a).length === 0) return b;
  if (Object.keys(b).length === 0) return a;
  return { $and: [a, b] };
}

/**
 * One class's rows: TanStack Table for the column model, TanStack Virtual so only the visible rows exist in
 * the DOM, and cursor paging (see paging.ts) that loads the next page as the scroll nears the end. Cells are
 * reached with the arrow keys and edited with Enter or a double click, by type (CellEditor).
 */
export function DataGrid(props: { schema: ClassSchema; baseWhere?: Record<string, unknown> }) {
  const { client, session, route } = useApp();
  const browsingAs = route.params.get('as') !== null;
  const { schema } = props;
  const [filter, setFilter] = useState<Record<string, unknown>>({});
  const where = useMemo(() => combine(props.baseWhere ?? {}, filter), [props.baseWhere, filter]);
  const [rows, setRows] = useState<RestObject[]>([]);
  const [sort, setSort] = useState<Sort | undefined>();
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [active, setActive] = useState<{ row: number; col: number }>({ row: 0, col: 0 });
  const [editing, setEditing] = useState<{ row: RestObject; field: string } | undefined>();
  const loading = useRef(false);
  const generation = useRef(0);
  const rowsRef = useRef<RestObject[]>([]);
  rowsRef.current = rows;

  const loadMore = useCallback(
    async (reset: boolean) => {
      if (loading.current && !reset) return;
      loading.current = true;
      const mine = ++generation.current;
      try {
        const current = reset ? [] : rowsRef.current;
        const q = pageQuery({ filter: where, sort, last: current.at(-1), loaded: current.length, pageSize: PAGE_SIZE });
        const page = await client.objects.find(schema.className, q);
        if (mine !== generation.current) return;
        setRows(reset ? page : [...current, ...page]);
        setDone(page.length < PAGE_SIZE);
        setError(undefined);
      } catch (err) {
        if (mine === generation.current) setError(err instanceof Error ? err.message : String(err));
      } finally {
        if (mine === generation.current) loading.current = false;
      }
    },
    [client, schema.className, where, sort],
  );

  // A new sort or filter starts over from the first page.
  useEffect(() => {
    setRows([]);
    setDone(false);
    setSelected(new Set());
    void loadMore(true);
  }, [loadMore]);

  const fields = useMemo(() => orderedFields(schema.fields), [schema.fields]);
  const columns = useMemo<ColumnDef<Features, RestObject>[]>(
    () =>
      fields.map((name) => ({
        id: name,
        header: name,
        accessorFn: (row) => row[name],
        size: name === 'objectId' ? 120 : name === 'ACL' ? 200 : 180,
        cell: (info) => (
          <CellView value={info.getValue()} field={name} schema={schema} rowId={info.row.original.objectId} />
        ),
      })),
    [fields, schema],
  );
  const table = useTable({ features: FEATURES, data: rows, columns });
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (!done && rows.length > 0 && lastVisible >= rows.length - 40) void loadMore(false);
  }, [lastVisible, rows.length, done, loadMore]);

  const openEditor = (rowIndex: number, col: number): void => {
    const row = rows[rowIndex];
    const field = fields[col];
    if (row === undefined || field === undefined || READ_ONLY_FIELDS.has(field)) return;
    setEditing({ row, field });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (editing !== undefined || rows.length === 0) return;
    const move = (row: number, col: number): void => {
      const next = {
        row: Math.max(0, Math.min(rows.length - 1, row)),
        col: Math.max(0, Math.min(fields.length - 1, col)),
      };
      setActive(next);
      virtualizer.scrollToIndex(next.row);
      event.preventDefault();
    };
    switch (event.key) {
      case 'ArrowDown':
        return move(active.row + 1, active.col);
      case 'ArrowUp':
        return move(active.row - 1, active.col);
      case 'ArrowRight':
        return move(active.row, active.col + 1);
      case 'ArrowLeft':
        return move(active.row, active.col - 1);
      case 'PageDown':
        return move(active.row + 20, active.col);
      case 'PageUp':
        return move(active.row - 20, active.col);
      case 'Home':
        return move(active.row, 0);
      case 'End':
        return move(active.row, fields.length - 1);
      case 'Enter':
        event.preventDefault();
        openEditor(active.row, active.col);
        return;
      case ' ': {
        const id = rows[active.row]?.objectId;
        if (id === undefined) return;
        event.preventDefault();
        toggle(id);
        return;
      }
      default:
        return;
    }
  };

  const toggle = (id: string): void => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  const run = async (what: string, work: () => Promise<void>): Promise<void> => {
    setError(undefined);
    try {
      await work();
      setNotice(what);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const addRow = (): Promise<void> =>
    run('Row added', async () => {
      const created = await client.objects.create(schema.className, {});
      const fresh = await client.objects.get(schema.className, created.objectId);
      setRows([fresh, ...rows]);
      setActive({ row: 0, col: 0 });
    });

  const deleteSelected = (): Promise<void> =>
    run(`${selected.size} rows deleted`, async () => {
      if (!window.confirm(`Delete ${selected.size} rows of ${schema.className}? This cannot be undone.`)) return;
      const ids = [...selected];
      const failures: string[] = [];
      for (let i = 0; i < ids.length; i += 50) {
        const results = await client.objects.batch(
          ids
            .slice(i, i + 50)
            .map((id) => ({ method: 'DELETE' as const, path: `/parse/classes/${schema.className}/${id}` })),
        );
        results.forEach((r, j) => r.error !== undefined && failures.push(`${ids[i + j] ?? ''}: ${r.error.error}`));
      }
      const gone = new Set(ids.filter((id) => !failures.some((f) => f.startsWith(`${id}:`))));
      setRows(rows.filter((r) => !gone.has(r.objectId)));
      setSelected(new Set());
      if (failures.length > 0) throw new Error(`Some rows were not deleted: ${failures.join('; ')}`);
    });

  const bulkEdit = (): Promise<void> =>
    run(`${selected.size} rows updated`, async () => {
      const field = window.prompt(`Field to set on ${selected.size} rows`);
      if (field === null || field === '') return;
      const text = window.prompt(`New value for ${field} (JSON, e.g. 42, "text", true, {"__op":"Delete"})`);
      if (text === null) return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error('The value must be JSON');
      }
      const ids = [...selected];
      for (let i = 0; i < ids.length; i += 50) {
        const results = await client.objects.batch(
          ids.slice(i, i + 50).map((id) => ({
            method: 'PUT' as const,
            path: `/parse/classes/${schema.className}/${id}`,
            body: { [field]: value },
          })),
        );
        const failed = results.find((r) => r.error !== undefined);
        if (failed?.error !== undefined) throw new Error(failed.error.error);
      }
      void loadMore(true);
    });

  const { exportRows, importRows, imported, closeReport } = useTransfer({
    schema,
    where,
    fields,
    browsingAs,
    run,
    say: setNotice,
    reload: () => void loadMore(true),
  });

  const tableRows = table.getRowModel().rows;
  const totalWidth = table.getTotalSize() + 40;
  const readOnly = session.readOnly;
  return (
    <div className="grid-wrap">
      <div className="grid-toolbar">
        <h1>{schema.className}</h1>
        <span role="status" aria-live="polite">
          {rows.length.toLocaleString()} rows loaded{done ? '' : ', more on scroll'}
          {selected.size > 0 ? `, ${selected.size} selected` : ''}
        </span>
        <button type="button" onClick={() => void addRow()} disabled={readOnly}>
          Add row
        </button>
        <button type="button" onClick={() => void bulkEdit()} disabled={readOnly || selected.size === 0}>
          Edit selected
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => void deleteSelected()}
          disabled={readOnly || selected.size === 0}
        >
          Delete selected
        </button>
        <button type="button" onClick={() => void loadMore(true)}>
          Refresh
        </button>
        <button type="button" onClick={() => void exportRows('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => void exportRows('json')}>
          Export JSON
        </button>
        <label className="file-button">
          Import
          <input
            type="file"
            accept=".json,.jsonl,.csv,application/json,text/csv"
            disabled={readOnly || browsingAs || imported?.running === true}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file !== undefined) void importRows(file);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      <FilterBar schema={schema} onApply={setFilter} />
      {imported !== undefined && (
        <ImportReport outcome={imported.outcome} running={imported.running} onClose={closeReport} />
      )}
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice !== undefined && error === undefined && (
        <p className="muted" role="status">
          {notice}
        </p>
      )}
      <div
        ref={scroller}
        className="grid"
        role="grid"
        aria-rowcount={done ? rows.length + 1 : -1}
        aria-colcount={fields.length + 1}
        aria-label={`${schema.className} rows`}
        aria-activedescendant={rows[active.row] === undefined ? undefined : `cell-${active.row}-${active.col}`}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <div className="grid-header" role="row" aria-rowindex={1} style={{ width: totalWidth }}>
          <div role="columnheader" className="cell check">
            <input
              type="checkbox"
              aria-label="Select all loaded rows"
              checked={rows.length > 0 && selected.size === rows.length}
              onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.objectId)) : new Set())}
            />
          </div>
          {table.getHeaderGroups()[0]?.headers.map((header) => {
            const on = sort?.field === header.id;
            return (
              <div
                key={header.id}
                role="columnheader"
                className="cell"
                style={{ width: header.getSize() }}
                aria-sort={on ? (sort?.desc ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  type="button"
                  className="sort"
                  onClick={() => setSort(on && sort?.desc ? undefined : { field: header.id, desc: on })}
                  title={`Sort by ${header.id}`}
                >
                  {flexRender(header.column.columnDef.header, header.getContext())}
                  <span className="type">{schema.fields[header.id]?.type}</span>
                  {on ? (sort?.desc ? ' ↓' : ' ↑') : ''}
                </button>
              </div>
            );
          })}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), width: totalWidth, position: 'relative' }}>
          {items.map((item) => {
            const row = tableRows[item.index];
            if (row === undefined) return null;
            const id = row.original.objectId;
            return (
              <div
                key={row.id}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected.has(id)}
                className="grid-row"
                data-object-id={id}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: totalWidth }}
              >
                <div role="gridcell" className="cell check">
                  <input
                    type="checkbox"
                    aria-label={`Select ${id}`}
                    checked={selected.has(id)}
                    onChange={() => toggle(id)}
                    tabIndex={-1}
                  />
                </div>
                {row.getAllCells().map((cell, col) => (
                  <div
                    key={cell.id}
                    id={`cell-${item.index}-${col}`}
                    role="gridcell"
                    className="cell"
                    style={{ width: cell.column.getSize() }}
                    data-field={cell.column.id}
                    aria-selected={active.row === item.index && active.col === col}
                    onClick={() => setActive({ row: item.index, col })}
                    onDoubleClick={() => openEditor(item.index, col)}
                  >
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
        {rows.length === 0 && done && <p className="empty-state">No rows.</p>}
      </div>
      {editing !== undefined && schema.fields[editing.field] !== undefined && (
        <CellEditor
          className={schema.className}
          row={editing.row}
          field={editing.field}
          schema={schema.fields[editing.field]!}
          onSaved={(fresh) => setRows(rowsRef.current.map((r) => (r.objectId === fresh.objectId ? fresh : r)))}
          onClose={() => {
            setEditing(undefined);
            scroller.current?.focus();
          }}
        />
      )}
    </div>
  );
}

/** A cell's content: text by type; pointers and relations link to the target rows. */
function CellView(props: { value: unknown; field: string; schema: ClassSchema; rowId: string }) {
  const { app } = useApp();
  const field = props.schema.fields[props.field];
  const type = field?.type as FieldType | undefined;
  const value = props.value;
  if (type === 'Pointer' && value !== null && typeof value === 'object') {
    const pointer = value as { className?: string; objectId?: string };
    // The text is the cell (double click edits it); the arrow opens the target row.
    return (
      <>
        <span>{formatValue(value, type)}</span>{' '}
        <a
          className="open-pointer"
          aria-label={`Open ${String(pointer.className)} ${String(pointer.objectId)}`}
          href={routeHref({
            appId: app.appId,
            page: 'browser',
            rest: [String(pointer.className)],
            params: { where: JSON.stringify({ objectId: pointer.objectId }) },
          })}
          onClick={(e) => e.stopPropagation()}
          onDoubleClick={(e) => e.stopPropagation()}
        >
          →
        </a>
      </>
    );
  }
  if (type === 'Relation' && field?.targetClass !== undefined) {
    return <RelationLink field={props.field} schema={props.schema} rowId={props.rowId} />;
  }
  if (type === 'File' && value !== null && typeof value === 'object') {
    const file = value as { name?: string; url?: string };
    return (
      <a href={file.url} target="_blank" rel="noreferrer" onClick={(e) => e.stopPropagation()}>
        {file.name}
      </a>
    );
  }
  if (type === 'ACL' && (value === undefined || value === null))
    return <span className="muted">Public read and write</span>;
  return <>{formatValue(value, type)}</>;
}

/** "View relation": the target class filtered by `$relatedTo` this row. */
function RelationLink(props: { field: string; schema: ClassSchema; rowId: string }) {
  const { app } = useApp();
  const rowId = props.rowId;
  const target = props.schema.fields[props.field]?.targetClass ?? '';
  return (
    <>
      <span>Relation&lt;{target}&gt;</span>{' '}
      <a
        className="open-pointer"
        href={routeHref({
          appId: app.appId,
          page: 'browser',
          rest: [target],
          params: {
            where: JSON.stringify({
              $relatedTo: {
                object: { __type: 'Pointer', className: props.schema.className, objectId: rowId },
                key: props.field,
              },
            }),
          },
        })}
        onClick={(e) => e.stopPropagation()}
        onDoubleClick={(e) => e.stopPropagation()}
      >
        view
      </a>
    </>
  );
}
