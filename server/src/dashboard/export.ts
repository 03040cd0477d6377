import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { DashboardApp } from './apps.js';
import { appServerURL } from './apps.js';

const PAGE = 1000;
const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** One CSV field, quoted when it must be (RFC 4180); objects (pointers, dates, ACLs...) as their REST JSON. */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * `GET /api/apps/:app/export/:className?format=csv|json&where=<json>`: the class (or the objects matching
 * `where`) streamed as a download, CSV with a header of the schema's fields or a JSON array. The dashboard
 * server reads the app's REST API a page of 1,000 objects at a time by objectId (`$gt` the last one: no skip,
 * no count) with the session's master or read-only master key, and writes each page before it reads the
 * next, waiting while the browser is slower: memory stays one page whatever the size of the class, and a
 * download the browser cancels stops the reads.
 */
export async function exportClass(
  target: { app: DashboardApp; key: string; className: string; query: URLSearchParams; pageSize?: number },
  http: { req: IncomingMessage; res: ServerResponse },
): Promise<void> {
  const { app, key, className, query } = target;
  const pageSize = target.pageSize ?? PAGE;
  const { res } = http;
  const fail = (status: number, code: number, error: string): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ code, error }));
  };
  const format = query.get('format') ?? 'json';
  if (format !== 'csv' && format !== 'json') return fail(400, 102, 'format must be csv or json.');
  if (!CLASS_NAME.test(className)) return fail(400, 103, `Invalid class name: ${className}`);
  let where: Record<string, unknown> = {};
  const whereText = query.get('where');
  if (whereText !== null && whereText !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(whereText);
    } catch {
      return fail(400, 102, 'where is not valid JSON.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return fail(400, 102, 'where must be a JSON object.');
    }
    where = parsed as Record<string, unknown>;
  }
  const base = appServerURL(app);
  const headers = { 'X-Parse-Application-Id': app.appId, 'X-Parse-Master-Key': key };
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const answer = await fetch(`${base}${path}`, { headers, signal: abort.signal });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };

  const schema = await get(`/schemas/${encodeURIComponent(className)}`);
  if (schema.status !== 200) {
    return fail(schema.status, Number(schema.body['code'] ?? 1), String(schema.body['error'] ?? 'Cannot export.'));
  }
  const fields = Object.keys((schema.body['fields'] as Record<string, unknown> | undefined) ?? {});
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="${className}.${format}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  const write = async (text: string): Promise<void> => {
    if (!res.write(text)) await once(res, 'drain', { signal: abort.signal });
  };
  try {
    await write(format === 'csv' ? `${fields.map(csvField).join(',')}\r\n` : '[');
    let last: string | undefined;
    let first = true;
    for (;;) {
      const pageWhere = last === undefined ? where : { $and: [where, { objectId: { $gt: last } }] };
      const page = await get(
        `/classes/${encodeURIComponent(className)}?order=objectId&limit=${pageSize}&where=${encodeURIComponent(JSON.stringify(pageWhere))}`,
      );
      if (page.status !== 200) throw new Error(String(page.body['error'] ?? `HTTP ${page.status}`));
      const results = (page.body['results'] as Array<Record<string, unknown>> | undefined) ?? [];
      let chunk = '';
      for (const object of results) {
        if (format === 'csv') chunk += `${fields.map((f) => csvField(object[f])).join(',')}\r\n`;
        else {
          chunk += `${first ? '\n' : ',\n'}${JSON.stringify(object)}`;
          first = false;
        }
      }
      await write(chunk);
      const tail = results[results.length - 1];
      if (results.length < pageSize || tail === undefined) break;
      last = String(tail['objectId']);
    }
    if (format === 'json') await write('\n]\n');
    res.end();
  } catch {
    // The download is cut short (the browser shows it failed) rather than ending as if it were complete.
    res.destroy();
  }
}
