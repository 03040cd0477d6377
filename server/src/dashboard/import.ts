import type { IncomingMessage, ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { JSONParser } from '@streamparser/json';
import { ErrorCode } from '../errors/index.js';
import type { DashboardApp } from './apps.js';
import { appServerURL } from './apps.js';
import { RowError, rowFromCsv, rowFromJson } from './import-values.js';
import type { ImportRow, SchemaFields } from './import-values.js';
import { ImportReport, ImportStop, sendError } from './import-report.js';

export interface ImportLimits {
  /** The largest file accepted, in bytes. */
  readonly maxBytes: number;
  /** Rows per `/batch` request (also bounded by `batchBytes`). */
  readonly batchSize: number;
  readonly batchBytes: number;
  /** The longest CSV record or JSON line, in bytes. */
  readonly maxRecordBytes: number;
  /** Per-row errors listed one by one; past this they are only counted. */
  readonly maxListedErrors: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxBytes: 256 * 1024 * 1024,
  batchSize: 50,
  batchBytes: 512 * 1024,
  maxRecordBytes: 1024 * 1024,
  maxListedErrors: 1000,
};

/** The system classes an import may write: the ones the data browser edits. Others are the server's own. */
const IMPORTABLE_SYSTEM_CLASSES: ReadonlySet<string> = new Set(['_User', '_Role', '_Installation']);
const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A row waiting for its batch: to be written, or already refused (reported in row order with the others). */
type PendingRow =
  | { readonly row: number; readonly item: ImportRow }
  | { readonly row: number; readonly refused: { code: number; error: string } };

/**
 * `POST /api/apps/:app/import/:className?format=csv|json|jsonl`: the request body is the file, read as a
 * stream and parsed incrementally (CSV with csv-parse, a header row of field names; a JSON array or Parse's
 * `{"results": [...]}` with @streamparser/json; JSON lines one by one). Rows are written in `/batch` requests
 * to the app's REST API with the master key, so triggers, validation, CLPs and the schema's types apply
 * exactly as for any REST client; a row with an `objectId` updates that object, one without creates one.
 *
 * The answer is NDJSON, written as the import goes: `{"type":"error","row","code","error"}` for each row the
 * app refused (the import goes on), `{"type":"progress",...}` every 1,000 rows, then
 * `{"type":"summary","rows","created","updated","failed","complete"}`. A file that cannot be read on (broken
 * CSV quoting, JSON syntax, over the size limit) ends with `{"type":"fatal","code","error"}` and a summary
 * with `complete: false`; rows sent before it stay written. When nothing was written yet, the same failure
 * is a plain 4xx JSON error. Memory stays one batch plus the parser's buffer whatever the size of the file.
 */
export async function importClass(
  target: { app: DashboardApp; key: string; className: string; query: URLSearchParams; limits?: ImportLimits },
  http: { req: IncomingMessage; res: ServerResponse },
): Promise<void> {
  const { app, key, className, query } = target;
  const limits = target.limits ?? DEFAULT_IMPORT_LIMITS;
  const { req, res } = http;
  const report = new ImportReport(res, limits.maxListedErrors);
  try {
    const format = query.get('format') ?? '';
    if (format !== 'csv' && format !== 'json' && format !== 'jsonl') {
      throw new ImportStop(ErrorCode.INVALID_QUERY, 'format must be csv, json or jsonl.');
    }
    if (!CLASS_NAME.test(className)) {
      throw new ImportStop(ErrorCode.INVALID_CLASS_NAME, `Invalid class name: ${className.slice(0, 130)}`);
    }
    if (className.startsWith('_') && !IMPORTABLE_SYSTEM_CLASSES.has(className)) {
      throw new ImportStop(
        ErrorCode.OPERATION_FORBIDDEN,
        `${className} is written by the server; it cannot be imported.`,
        403,
      );
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > limits.maxBytes) throw tooLarge(limits.maxBytes, 413);

    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const writer = new BatchWriter({ app, key, className, limits, report, signal: abort.signal });
    const fields = await writer.schemaFields();
    const body = Readable.from(limited(req, limits.maxBytes));
    if (format === 'csv') await readCsv(body, { fields, writer, limits });
    else if (format === 'jsonl') await readJsonLines(body, { writer, limits });
    else await readJsonArray(body, writer);
    await writer.flush();
    report.finish(true);
  } catch (err) {
    const stop = toStop(err);
    if (!report.started) {
      sendError(res, stop);
      discardRest({ req, res }, limits.maxBytes);
      return;
    }
    report.line({ type: 'fatal', code: stop.code, error: stop.message });
    report.finish(false);
    discardRest({ req, res }, limits.maxBytes);
  }
}

function tooLarge(maxBytes: number, status = 400): ImportStop {
  const mb = Math.round((maxBytes / (1024 * 1024)) * 10) / 10;
  return new ImportStop(ErrorCode.OBJECT_TOO_LARGE, `The file is larger than the import limit of ${mb} MB.`, status);
}

function toStop(err: unknown): ImportStop {
  if (err instanceof ImportStop) return err;
  if (err instanceof Error && (err as { code?: unknown }).code === 'ABORT_ERR') {
    return new ImportStop(ErrorCode.OTHER_CAUSE, 'The import was cancelled.');
  }
  // Parser errors name the place in the file; anything else is said as it is, without a stack.
  const message = err instanceof Error ? err.message : String(err);
  return new ImportStop(ErrorCode.INVALID_JSON, message.slice(0, 500));
}

/** The request body, failing once more than `maxBytes` arrived (a chunked upload has no length to check first). */
async function* limited(req: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  // Not destroyed when the import stops early: what is left is read and dropped (discardRest).
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    yield chunk as Buffer;
  }
}

/**
 * Reads and drops what is left of a refused upload, so the client, still sending, gets to read the answer and
 * the connection ends cleanly; past twice the limit (or with a declared length past it) it hangs up instead.
 */
function discardRest(http: { req: IncomingMessage; res: ServerResponse }, maxBytes: number): void {
  const { req, res } = http;
  const cap = 2 * maxBytes;
  const hangUp = (): void => {
    if (res.writableFinished) req.socket.destroy();
    else res.once('finish', () => req.socket.destroy());
  };
  if (Number(req.headers['content-length'] ?? 0) > cap) return hangUp();
  let total = 0;
  req.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total > cap) {
      req.pause();
      hangUp();
    }
  });
  req.on('error', () => undefined);
  req.resume();
}

async function readCsv(
  body: Readable,
  context: { fields: SchemaFields; writer: BatchWriter; limits: ImportLimits },
): Promise<void> {
  const { fields, writer, limits } = context;
  // The parsers are imported with the first import, not at the server's start.
  const { parse: parseCsv } = await import('csv-parse');
  const parser = parseCsv({
    bom: true,
    relax_column_count: true,
    max_record_size: limits.maxRecordBytes,
    info: true,
  });
  body.on('error', (err) => parser.destroy(err));
  body.pipe(parser);
  let header: string[] | undefined;
  let row = 0;
  try {
    for await (const entry of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = entry;
      if (header === undefined) {
        header = checkHeader(record);
        continue;
      }
      row++;
      if (record.length === 1 && record[0] === '') continue; // a blank line
      if (record.length !== header.length) {
        await writer.refuse(row, {
          code: ErrorCode.INVALID_JSON,
          error: `Line ${info.lines}: ${record.length} cells, but the header names ${header.length} fields.`,
        });
        continue;
      }
      const cells: Record<string, string> = {};
      header.forEach((name, i) => {
        cells[name] = record[i] ?? '';
      });
      await writer.add(row, () => rowFromCsv(cells, fields));
    }
  } catch (err) {
    if (err instanceof ImportStop) throw err;
    const line = (err as { lines?: unknown }).lines;
    const where = typeof line === 'number' ? `at line ${line}` : `after row ${row}`;
    throw new ImportStop(ErrorCode.INVALID_JSON, `The CSV cannot be read ${where}: ${messageOf(err)}`);
  }
  if (header === undefined)
    throw new ImportStop(ErrorCode.INVALID_JSON, 'The CSV is empty: it needs a header row of field names.');
}

function checkHeader(record: readonly string[]): string[] {
  const names = record.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw new ImportStop(ErrorCode.INVALID_KEY_NAME, 'The CSV header has an empty field name.');
    if (seen.has(name)) throw new ImportStop(ErrorCode.INVALID_KEY_NAME, `The CSV header names ${name} twice.`);
    seen.add(name);
  }
  return names;
}

async function readJsonLines(body: Readable, context: { writer: BatchWriter; limits: ImportLimits }): Promise<void> {
  const { writer, limits } = context;
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    row++;
    if (line.length > limits.maxRecordBytes) {
      await writer.refuse(row, {
        code: ErrorCode.OBJECT_TOO_LARGE,
        error: 'The line is longer than the record limit.',
      });
      continue;
    }
    await writer.add(row, () => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new RowError(ErrorCode.INVALID_JSON, `Not JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      return rowFromJson(value);
    });
  }
}

async function readJsonArray(body: Readable, writer: BatchWriter): Promise<void> {
  let shape: 'array' | 'results' | undefined;
  let sawResults = false;
  let row = 0;
  const values: Array<{ row: number; value: unknown }> = [];
  const { JSONParser: Parser } = await import('@streamparser/json');
  let parser: JSONParser | undefined;
  const start = (first: string): JSONParser => {
    if (first !== '[' && first !== '{') {
      throw new ImportStop(ErrorCode.INVALID_JSON, 'A JSON import is an array of objects, or {"results": [...]}.');
    }
    shape = first === '[' ? 'array' : 'results';
    // keepStack false: an element handed over is dropped from its array, so the parser holds one element.
    const made = new Parser({
      paths: shape === 'array' ? ['$.*'] : ['$.results', '$.results.*'],
      keepStack: false,
    });
    made.onValue = ({ value, stack }) => {
      if (shape === 'results' && stack.length === 1) {
        sawResults = Array.isArray(value);
        return;
      }
      row++;
      values.push({ row, value });
    };
    return made;
  };
  for await (const chunk of body) {
    const text = chunk as Buffer;
    if (parser === undefined) {
      const first = text.toString('utf8').trimStart()[0];
      if (first === undefined) continue;
      parser = start(first === '\uFEFF' ? (text.toString('utf8').slice(1).trimStart()[0] ?? '') : first);
    }
    try {
      parser.write(text);
    } catch (err) {
      throw new ImportStop(ErrorCode.INVALID_JSON, `The JSON cannot be read after row ${row}: ${messageOf(err)}`);
    }
    for (const { row: n, value } of values.splice(0)) await writer.add(n, () => rowFromJson(value));
  }
  if (parser === undefined) throw new ImportStop(ErrorCode.INVALID_JSON, 'The file is empty.');
  if (!parser.isEnded) {
    throw new ImportStop(ErrorCode.INVALID_JSON, `The JSON ends too early, after row ${row}.`);
  }
  if (shape === 'results' && !sawResults) {
    throw new ImportStop(ErrorCode.INVALID_JSON, 'A JSON object to import must hold its rows in "results": [...].');
  }
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}

/** Gathers rows into `/batch` requests to the app's REST API and counts what each row came to. */
class BatchWriter {
  private pending: PendingRow[] = [];
  private pendingBytes = 0;
  private readonly base: string;
  private readonly mount: string;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly context: {
      app: DashboardApp;
      key: string;
      className: string;
      limits: ImportLimits;
      report: ImportReport;
      signal: AbortSignal;
    },
  ) {
    this.base = appServerURL(context.app);
    this.mount = new URL(this.base).pathname.replace(/\/+$/, '');
    this.headers = {
      'X-Parse-Application-Id': context.app.appId,
      'X-Parse-Master-Key': context.key,
      'Content-Type': 'application/json',
    };
  }

  /** The class's fields; an unknown class stops the import before anything is read. */
  async schemaFields(): Promise<SchemaFields> {
    const answer = await this.send('GET', `/schemas/${encodeURIComponent(this.context.className)}`);
    const body = answer.body as Record<string, unknown>;
    if (answer.status !== 200) {
      throw new ImportStop(
        Number(body['code'] ?? ErrorCode.INVALID_CLASS_NAME),
        `${String(body['error'] ?? 'The class cannot be read.')} Create the class before importing into it.`,
        answer.status >= 400 && answer.status < 500 ? answer.status : 400,
      );
    }
    return (body['fields'] ?? {}) as SchemaFields;
  }

  async refuse(row: number, error: { code: number; error: string }): Promise<void> {
    this.pending.push({ row, refused: error });
    if (this.pending.length >= this.context.limits.batchSize) await this.flush();
  }

  async add(row: number, make: () => ImportRow): Promise<void> {
    let item: ImportRow;
    try {
      item = make();
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      await this.refuse(row, { code: err.code, error: err.message });
      return;
    }
    this.pending.push({ row, item });
    this.pendingBytes += JSON.stringify(item.body).length;
    if (this.pending.length >= this.context.limits.batchSize || this.pendingBytes >= this.context.limits.batchBytes) {
      await this.flush();
    }
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.pendingBytes = 0;
    const report = this.context.report;
    const rows = batch.filter((p): p is Extract<PendingRow, { item: ImportRow }> => 'item' in p);
    const outcomes = new Map<number, { code: number; error: string } | 'created' | 'updated'>();
    for (const p of batch) if ('refused' in p) outcomes.set(p.row, p.refused);
    const path = `${this.mount}/classes/${encodeURIComponent(this.context.className)}`;
    const requests = rows.map(({ item }) =>
      item.objectId === undefined
        ? { method: 'POST', path, body: item.body }
        : { method: 'PUT', path: `${path}/${encodeURIComponent(item.objectId)}`, body: item.body },
    );
    const answer = requests.length === 0 ? { status: 200, body: [] } : await this.send('POST', '/batch', { requests });
    if (answer.status !== 200 || !Array.isArray(answer.body)) {
      // The whole batch was refused (too large for the app's body limit, say): each of its rows says why.
      const body = (answer.body ?? {}) as Record<string, unknown>;
      const error = {
        code: Number(body['code'] ?? ErrorCode.OTHER_CAUSE),
        error: String(body['error'] ?? `The app answered HTTP ${answer.status}.`),
      };
      for (const { row } of rows) outcomes.set(row, error);
    } else {
      const results = answer.body as Array<{ success?: unknown; error?: { code?: number; error?: string } }>;
      rows.forEach(({ row, item }, i) => {
        const result = results[i];
        outcomes.set(
          row,
          result?.error === undefined
            ? item.objectId === undefined
              ? 'created'
              : 'updated'
            : {
                code: Number(result.error.code ?? ErrorCode.OTHER_CAUSE),
                error: String(result.error.error ?? 'Refused.'),
              },
        );
      });
    }
    for (const { row } of batch) {
      const outcome = outcomes.get(row);
      if (outcome === 'created' || outcome === 'updated') report.rowWritten(outcome);
      else if (outcome !== undefined) report.rowFailed(row, outcome);
    }
    report.progress();
  }

  private async send(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    let answer: Response;
    try {
      answer = await fetch(`${this.base}${path}`, {
        method,
        headers: this.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: this.context.signal,
      });
    } catch (err) {
      if (this.context.signal.aborted) throw new ImportStop(ErrorCode.OTHER_CAUSE, 'The import was cancelled.');
      throw new ImportStop(ErrorCode.CONNECTION_FAILED, `The app's server cannot be reached: ${messageOf(err)}`, 502);
    }
    const text = await answer.text();
    try {
      return { status: answer.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: answer.status, body: { error: text.slice(0, 200) } };
    }
  }
}
