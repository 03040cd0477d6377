/**
 * Export and import helpers for the data browser: rows to CSV / JSON lines and back. Pure: tested in Node.
 */
import type { FieldType } from './values.js';

/** One CSV field, quoted when it needs to be (RFC 4180). */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function csvRows(rows: ReadonlyArray<Record<string, unknown>>, fields: readonly string[]): string {
  return rows.map((row) => `${fields.map((f) => csvField(row[f])).join(',')}\r\n`).join('');
}

/** Parses CSV text (quoted fields, doubled quotes, CRLF or LF) into rows of strings. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const SERVER_FIELDS: ReadonlySet<string> = new Set(['objectId', 'createdAt', 'updatedAt']);

/**
 * Objects to create from imported CSV rows (first row: field names), typed by the class schema. Server-set
 * fields are dropped; empty cells are left out.
 */
export function objectsFromCsv(
  rows: readonly string[][],
  fields: Readonly<Record<string, { type: string }>>,
): Array<Record<string, unknown>> {
  const [header, ...data] = rows;
  if (header === undefined) return [];
  return data
    .filter((r) => r.some((cell) => cell !== ''))
    .map((r) => {
      const object: Record<string, unknown> = {};
      header.forEach((name, i) => {
        const cell = r[i] ?? '';
        if (cell === '' || SERVER_FIELDS.has(name)) return;
        object[name] = fromCell(cell, fields[name]?.type as FieldType | undefined);
      });
      return object;
    });
}

function fromCell(cell: string, type: FieldType | undefined): unknown {
  switch (type) {
    case 'Number':
      return Number(cell);
    case 'Boolean':
      return cell === 'true';
    case 'String':
      return cell;
    case 'Date':
      return cell.startsWith('{') ? JSON.parse(cell) : { __type: 'Date', iso: new Date(cell).toISOString() };
    default:
      try {
        return JSON.parse(cell);
      } catch {
        return cell;
      }
  }
}

/** Objects to create from a JSON export (an array, `{results: [...]}`, or one object per line). */
export function objectsFromJson(text: string): Array<Record<string, unknown>> {
  const trimmed = text.trim();
  let list: unknown;
  if (trimmed.startsWith('[') || trimmed.startsWith('{"results"')) {
    const parsed: unknown = JSON.parse(trimmed);
    list = Array.isArray(parsed) ? parsed : (parsed as { results?: unknown }).results;
  } else
    list = trimmed
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown);
  if (!Array.isArray(list)) throw new TypeError('expected a JSON array of objects');
  return list.map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new TypeError('every entry must be an object');
    const object = { ...(item as Record<string, unknown>) };
    for (const name of SERVER_FIELDS) delete object[name];
    return object;
  });
}
