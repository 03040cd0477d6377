import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { columnSizingFeature, flexRender, tableFeatures, useTable } from '@tanstack/react-table';
import type { ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ClassSchema, RestObject } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { pageQuery } from '../paging.js';
import type { Sort } from '../paging.js';
import { formatValue, orderedFields } from '../values.js';
import type { FieldType } from '../values.js';

const PAGE_SIZE = 200;
const FEATURES = tableFeatures({ columnSizingFeature });
type Features = typeof FEATURES;
const ROW_HEIGHT = 32;

/**
 * One class's rows: TanStack Table for the column model, TanStack Virtual so only the visible rows exist in
 * the DOM, and cursor paging (see paging.ts) that loads the next page as the scroll nears the end.
 */
export function DataGrid(props: { schema: ClassSchema; filter?: Record<string, unknown> }) {
  const { client } = useApp();
  const { schema } = props;
  const filter = useMemo(() => props.filter ?? {}, [props.filter]);
  const [rows, setRows] = useState<RestObject[]>([]);
  const [sort, setSort] = useState<Sort | undefined>();
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const loading = useRef(false);
  const generation = useRef(0);

  const loadMore = useCallback(
    async (reset: boolean) => {
      if (loading.current && !reset) return;
      loading.current = true;
      const mine = ++generation.current;
      try {
        const current = reset ? [] : rows;
        const q = pageQuery({ filter, sort, last: current.at(-1), loaded: current.length, pageSize: PAGE_SIZE });
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
    [client, schema.className, filter, sort, rows],
  );

  // A new sort or filter starts over from the first page.
  useEffect(() => {
    setRows([]);
    setDone(false);
    void loadMore(true);
  }, [schema.className, filter, sort]);

  const fields = useMemo(() => orderedFields(schema.fields), [schema.fields]);
  const columns = useMemo<ColumnDef<Features, RestObject>[]>(
    () =>
      fields.map((name) => ({
        id: name,
        header: name,
        accessorFn: (row) => row[name],
        size: name === 'objectId' ? 120 : 180,
        cell: (info) => formatValue(info.getValue(), schema.fields[name]?.type as FieldType | undefined),
      })),
    [fields, schema.fields],
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

  const tableRows = table.getRowModel().rows;
  const totalWidth = table.getTotalSize();
  return (
    <div className="grid-wrap">
      <div className="grid-toolbar">
        <h1>{schema.className}</h1>
        <span role="status" aria-live="polite">
          {rows.length.toLocaleString()} rows loaded{done ? '' : ', more on scroll'}
        </span>
      </div>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div
        ref={scroller}
        className="grid"
        role="grid"
        aria-rowcount={done ? rows.length + 1 : -1}
        aria-colcount={fields.length}
        aria-label={`${schema.className} rows`}
        tabIndex={0}
      >
        <div className="grid-header" role="row" aria-rowindex={1} style={{ width: totalWidth }}>
          {table.getHeaderGroups()[0]?.headers.map((header) => {
            const active = sort?.field === header.id;
            return (
              <div
                key={header.id}
                role="columnheader"
                className="cell"
                style={{ width: header.getSize() }}
                aria-sort={active ? (sort?.desc ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  type="button"
                  className="sort"
                  onClick={() => setSort(active && sort?.desc ? undefined : { field: header.id, desc: active })}
                  title={`Sort by ${header.id}`}
                >
                  {flexRender(header.column.columnDef.header, header.getContext())}
                  <span className="type">{schema.fields[header.id]?.type}</span>
                  {active ? (sort?.desc ? ' ↓' : ' ↑') : ''}
                </button>
              </div>
            );
          })}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), width: totalWidth, position: 'relative' }}>
          {items.map((item) => {
            const row = tableRows[item.index];
            if (row === undefined) return null;
            return (
              <div
                key={row.id}
                role="row"
                aria-rowindex={item.index + 2}
                className="grid-row"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: totalWidth }}
              >
                {row.getAllCells().map((cell) => (
                  <div
                    key={cell.id}
                    role="gridcell"
                    className="cell"
                    style={{ width: cell.column.getSize() }}
                    data-field={cell.column.id}
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
    </div>
  );
}
