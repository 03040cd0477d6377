import { jsonPath, literal } from './names.js';
import type { TableLayout } from './table-layout.js';
import { isJsonColumn } from './value-codec.js';

/**
 * The first step of an aggregation on SQLite: each row as one JSON document in parse-server's stored
 * shape (`_id`, `_created_at`, `_updated_at`, `_rperm`, `_wperm`, `_p_<pointer>` = `Class$id`, other
 * fields by name), values in the SQLite JSON codec's form (dates as `{"__type":"Date","iso":…}`, files,
 * geopoints and bytes as their REST JSON). Undeclared fields come from `_extra`; a stored null stays
 * null and a missing value stays missing.
 */

/** SQLite limits function arguments (127 by default), so long json_set / json_remove calls are chained. */
const MAX_PAIRS_PER_CALL = 50;

function isoDate(column: string): string {
  return `json_object('__type', 'Date', 'iso', strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch'))`;
}

interface Slot {
  readonly key: string;
  /** A JSON-typed SQL expression, or NULL when the row has no value. */
  readonly value: string;
  /** True when the key must be removed again (the value is missing, not a stored null). */
  readonly missing: string;
}

function marker(field: string): string {
  return `coalesce(json_type("_extra", ${literal(jsonPath([field]))}), '') <> 'null'`;
}

function slots(layout: TableLayout): Slot[] {
  const out: Slot[] = [
    { key: '_id', value: '"objectId"', missing: '0' },
    { key: '_created_at', value: isoDate('"createdAt"'), missing: '"createdAt" IS NULL' },
    { key: '_updated_at', value: isoDate('"updatedAt"'), missing: '"updatedAt" IS NULL' },
    { key: '_rperm', value: 'json("_rperm")', missing: '"_rperm" IS NULL' },
    { key: '_wperm', value: 'json("_wperm")', missing: '"_wperm" IS NULL' },
  ];
  for (const info of layout.columns) {
    const column = info.column;
    const isNull = `${column} IS NULL`;
    const present = (expr: string): string => `CASE WHEN ${isNull} THEN NULL ELSE ${expr} END`;
    const type = info.type;
    if (type.type === 'Pointer') {
      // A stored null pointer keeps its `"field": null` marker from `_extra`; `_p_field` is simply absent.
      out.push({ key: `_p_${info.field}`, value: `${literal(`${type.targetClass}$`)} || ${column}`, missing: isNull });
      continue;
    }
    let value: string;
    if (isJsonColumn(type)) value = `json(${column})`;
    else if (type.type === 'Date') value = present(isoDate(column));
    else if (type.type === 'Boolean') value = present(`CASE WHEN ${column} THEN json('true') ELSE json('false') END`);
    else if (type.type === 'File') value = present(`json_object('__type', 'File', 'name', ${column})`);
    else if (type.type === 'Bytes') value = present(`json_object('__type', 'Bytes', 'base64', ${column})`);
    else value = column;
    out.push({ key: info.field, value, missing: `${isNull} AND ${marker(info.field)}` });
  }
  return out;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_PAIRS_PER_CALL) out.push(items.slice(i, i + MAX_PAIRS_PER_CALL));
  return out;
}

/** The SQL expression building a row's pipeline document (read from the class table's columns). */
export function sourceDocument(layout: TableLayout): string {
  const all = slots(layout);
  let doc = `coalesce("_extra", '{}')`;
  for (const chunk of chunks(all)) {
    doc = `json_set(${doc}, ${chunk.map((s) => `${literal(jsonPath([s.key]))}, ${s.value}`).join(', ')})`;
  }
  const removable = all.filter((s) => s.missing !== '0');
  for (const chunk of chunks(removable)) {
    const paths = chunk.map((s) => `CASE WHEN ${s.missing} THEN ${literal(jsonPath([s.key]))} ELSE '$."#"' END`);
    doc = `json_remove(${doc}, ${paths.join(', ')})`;
  }
  return doc;
}
