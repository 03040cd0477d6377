/**
 * Export helpers for the data browser when it browses as a user (the page pages through what that user may
 * read): rows to CSV. Pure: tested in Node. Imports are parsed on the server (import.ts).
 */

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
