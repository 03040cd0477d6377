/**
 * Strata's own admin reads for the dashboard (master key; the read-only master key may read): object counts
 * that stay cheap on large classes, and a paged listing of the stored files with an orphan report. Parse has
 * neither; the dashboard reaches them through its server-side proxy, never with a key in the browser.
 */
import type { Auth } from '../auth/index.js';
import { MASTER, requireMaster } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { MATCH_ALL } from '../query/index.js';
import { ParseFile } from '../schema/index.js';
import type { CoreDeps } from './deps.js';
import { findWithoutHooks } from './find.js';
import { encodeOptionsOf } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';

/** Below this estimate a class is counted exactly: an exact count of a small table costs next to nothing. */
const EXACT_BELOW = 10_000;
export const MAX_FILE_PAGE = 100;
/** Objects read per orphan-report query (one query per File field per round). */
const REFERENCE_BATCH = 1000;

export interface ClassCount {
  readonly className: string;
  readonly count: number;
  /** True when `count` is the database's estimate (large classes): ask `count=1` for the exact number. */
  readonly estimated: boolean;
}

/**
 * `GET /classCounts`: every class's object count, estimated where the class is large (SQLite: the table's
 * largest rowid, an upper bound that deletes leave high; MongoDB: `estimatedDocumentCount`, from collection
 * metadata), exact below `exactBelow` (default 10,000). One cheap call per class instead of a full count of millions of rows.
 */
export async function classCounts(
  deps: CoreDeps,
  request: { auth: Auth; exactBelow?: number },
): Promise<{ results: ClassCount[] }> {
  requireMaster(request.auth, { access: 'read' });
  const exactBelow = request.exactBelow ?? EXACT_BELOW;
  if (!Number.isInteger(exactBelow) || exactBelow < 0) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'exactBelow must be a whole number.' });
  }
  const schemas = await deps.schemas.getAll();
  const results: ClassCount[] = [];
  for (const schema of schemas) {
    const estimate = await deps.storage.estimateCount?.({ schema });
    if (estimate !== undefined && estimate >= exactBelow) {
      results.push({ className: schema.className, count: estimate, estimated: true });
    } else {
      const count = await deps.storage.count({ schema, where: MATCH_ALL });
      results.push({ className: schema.className, count, estimated: false });
    }
  }
  return { results };
}

export interface ListedFile {
  readonly name: string;
  readonly url: string;
  readonly size?: number;
  readonly contentType?: string;
  readonly lastModified?: string;
  /** Only in an orphan report: where the first reference found is (absent: no object points at the file). */
  readonly referencedBy?: { readonly className: string; readonly field: string };
}

export interface ListFilesRequest {
  readonly auth: Auth;
  /** The `next` of the previous page. */
  readonly after?: string;
  readonly limit?: number;
  /** Report the page's files no object's File field refers to (the page still advances through every file). */
  readonly orphans?: boolean;
  readonly origin?: RequestOrigin;
}

/**
 * `GET /fileList`: one page of stored files in name order (`next`: the cursor for the following page, absent at
 * the end). With `orphans`, only the page's files that no object's File field holds are returned: per page,
 * one `$in` query per File field of every class (and again only while a query fills its batch), so the cost
 * of a page is bounded whatever the size of the store; walk the pages for the whole report. Files kept only
 * inside Object or Array fields are not seen as references.
 */
export async function listFiles(
  deps: CoreDeps,
  request: ListFilesRequest,
): Promise<{ results: ListedFile[]; next?: string }> {
  requireMaster(request.auth, { access: 'read' });
  const store = deps.files?.store;
  if (store?.list === undefined) {
    throw new ParseError(ErrorCode.COMMAND_UNAVAILABLE, { message: 'This file store cannot list its files.' });
  }
  const limit = request.limit ?? MAX_FILE_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FILE_PAGE) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `limit must be an integer from 1 to ${MAX_FILE_PAGE}.` });
  }
  const names = await store.list({ limit, ...(request.after === undefined ? {} : { after: request.after }) });
  const next = names.length === limit ? names[names.length - 1] : undefined;
  const referenced = request.orphans === true ? await referencesOf(deps, names) : undefined;
  const fileURL = encodeOptionsOf(request.origin).fileURL;
  const results: ListedFile[] = [];
  for (const name of names) {
    if (referenced?.has(name) === true) continue;
    const info = await store.stat(name);
    if (info === undefined) continue; // deleted since it was listed
    results.push({
      name,
      url: fileURL(name),
      size: info.size,
      ...(info.contentType === undefined ? {} : { contentType: info.contentType }),
      lastModified: info.lastModified.toISOString(),
    });
  }
  return next === undefined ? { results } : { results, next };
}

/** Which of `names` some object's File field holds. */
async function referencesOf(deps: CoreDeps, names: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const schemas = await deps.schemas.getAll();
  for (const schema of schemas) {
    for (const [field, type] of Object.entries(schema.fields)) {
      if (type.type !== 'File') continue;
      for (;;) {
        const remaining = names.filter((name) => !found.has(name));
        if (remaining.length === 0) return found;
        const { results } = await findWithoutHooks(deps, {
          auth: MASTER,
          className: schema.className,
          where: { [field]: { $in: remaining.map((name) => ({ __type: 'File', name })) } },
          keys: [field],
          limit: REFERENCE_BATCH,
        });
        for (const object of results) {
          const value = object.fields[field];
          if (value instanceof ParseFile) found.add(value.name);
        }
        if (results.length < REFERENCE_BATCH) break;
      }
    }
  }
  return found;
}
