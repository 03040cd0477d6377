/**
 * The data browser's import: the file is uploaded as it is to the dashboard server's streamed import
 * (`POST /api/apps/:app/import/:className`), which parses it, writes it through the app's REST API in
 * batches and answers NDJSON lines as it goes. This module sends the file and reads those lines; it keeps
 * only the counts and the first `MAX_SHOWN` row errors, whatever the size of the file.
 */
import { API_BASE } from './session.js';

export interface ImportCounts {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
}

export interface RowFailure {
  readonly row: number;
  readonly code: number;
  readonly error: string;
}

export interface ImportOutcome {
  readonly fileName: string;
  readonly counts: ImportCounts;
  /** The first row errors, in row order. */
  readonly failures: readonly RowFailure[];
  /** Why the import stopped before the end of the file, if it did. */
  readonly fatal?: { readonly code: number; readonly error: string };
  readonly complete: boolean;
}

export const MAX_SHOWN = 200;
const NO_COUNTS: ImportCounts = { rows: 0, created: 0, updated: 0, failed: 0 };

/** The import format a file's name says: `.csv`, `.jsonl`/`.ndjson`, anything else a JSON array. */
export function importFormat(fileName: string): 'csv' | 'json' | 'jsonl' {
  const name = fileName.toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  return 'json';
}

/** Folds one NDJSON line of the server's report into the outcome so far. */
export function foldReportLine(outcome: ImportOutcome, line: Record<string, unknown>): ImportOutcome {
  const counts = (): ImportCounts => ({
    rows: Number(line['rows'] ?? 0),
    created: Number(line['created'] ?? 0),
    updated: Number(line['updated'] ?? 0),
    failed: Number(line['failed'] ?? 0),
  });
  switch (line['type']) {
    case 'error':
      if (outcome.failures.length >= MAX_SHOWN) return outcome;
      return {
        ...outcome,
        failures: [
          ...outcome.failures,
          { row: Number(line['row']), code: Number(line['code']), error: String(line['error']) },
        ],
      };
    case 'progress':
      return { ...outcome, counts: counts() };
    case 'fatal':
      return { ...outcome, fatal: { code: Number(line['code']), error: String(line['error']) } };
    case 'summary':
      return { ...outcome, counts: counts(), complete: line['complete'] === true };
    default:
      return outcome;
  }
}

/**
 * Uploads `file` and follows the report; `onProgress` sees the outcome after each line. A refusal before
 * anything was written (not signed in, read-only, malformed file) throws with the server's message.
 */
export async function importFile(options: {
  appId: string;
  className: string;
  file: File;
  csrfToken: string;
  onProgress: (outcome: ImportOutcome) => void;
}): Promise<ImportOutcome> {
  const { file } = options;
  const query = new URLSearchParams({ format: importFormat(file.name) });
  const response = await fetch(
    `${API_BASE}/apps/${encodeURIComponent(options.appId)}/import/${encodeURIComponent(options.className)}?${query}`,
    {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': options.csrfToken, 'Content-Type': 'application/octet-stream' },
      body: file,
    },
  );
  if (!response.ok || response.body === null) {
    const body = (await response.json().catch(() => ({}))) as { error?: unknown; code?: unknown };
    const code = typeof body.code === 'number' ? ` (code ${body.code})` : '';
    throw new Error(`Import refused: ${String(body.error ?? `HTTP ${response.status}`)}${code}`);
  }
  let outcome: ImportOutcome = { fileName: file.name, counts: NO_COUNTS, failures: [], complete: false };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      outcome = foldReportLine(outcome, JSON.parse(line) as Record<string, unknown>);
    }
    options.onProgress(outcome);
  }
  return outcome;
}
