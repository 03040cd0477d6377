import type { ServerResponse } from 'node:http';

// The answer side of a dashboard import (import.ts): the NDJSON report of rows, errors and progress, and the one
// error that stops an import.

const PROGRESS_EVERY_ROWS = 1000;

/** The import cannot go on (malformed file, over the limit, the app's server gone): reported once, then it stops. */
export class ImportStop extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The NDJSON answer: its head is written with the first line, so a failure before any write is a plain 4xx. */
export class ImportReport {
  started = false;
  private rows = 0;
  private created = 0;
  private updated = 0;
  private failed = 0;
  private listed = 0;
  private lastProgress = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxListed: number,
  ) {}

  line(value: Record<string, unknown>): void {
    if (this.res.destroyed) return;
    if (!this.started) {
      this.started = true;
      this.res.writeHead(200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
    }
    // Not waiting for the browser here: it is still sending the file; the lines are few (errors past
    // `maxListed` are only counted, progress once per 1,000 rows), so what waits in memory stays small.
    this.res.write(`${JSON.stringify(value)}\n`);
  }

  rowFailed(row: number, error: { code: number; error: string }): void {
    this.rows++;
    this.failed++;
    if (this.listed >= this.maxListed) return;
    this.listed++;
    this.line({ type: 'error', row, code: error.code, error: error.error });
  }

  rowWritten(kind: 'created' | 'updated'): void {
    this.rows++;
    if (kind === 'created') this.created++;
    else this.updated++;
  }

  progress(): void {
    if (this.rows - this.lastProgress < PROGRESS_EVERY_ROWS && this.started) return;
    this.lastProgress = this.rows;
    this.line({ type: 'progress', ...this.counts() });
  }

  finish(complete: boolean): void {
    this.line({
      type: 'summary',
      ...this.counts(),
      complete,
      ...(this.failed > this.listed ? { errorsNotListed: this.failed - this.listed } : {}),
    });
    this.res.end();
  }

  private counts(): Record<string, number> {
    return { rows: this.rows, created: this.created, updated: this.updated, failed: this.failed };
  }
}

export function sendError(res: ServerResponse, stop: ImportStop): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({ code: stop.code, error: stop.message });
  res.writeHead(stop.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    // The rest of the upload is read and dropped; the connection is not used again after it.
    connection: 'close',
  });
  res.end(text);
}
