import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { FindOptions, QueryHints, ReadPreferenceMode } from '../storage/index.js';
import type { CoreDeps } from './deps.js';

/**
 * The database-facing options of a find (rest.md §4.5): `hint`, `comment`, the read preferences, and
 * the `explain` gate. Read preferences are validated case-insensitively here, for every front end;
 * storage decides what it can use (MongoDB passes them on, SQLite ignores them).
 */

/** As a client sends them (REST query parameters, cloud code, ...). */
export interface QueryHintsRequest {
  readonly hint?: unknown;
  readonly comment?: unknown;
  readonly readPreference?: unknown;
  readonly includeReadPreference?: unknown;
  readonly subqueryReadPreference?: unknown;
}

const MODES: ReadonlyMap<string, ReadPreferenceMode> = new Map([
  ['PRIMARY', 'primary'],
  ['PRIMARY_PREFERRED', 'primaryPreferred'],
  ['SECONDARY', 'secondary'],
  ['SECONDARY_PREFERRED', 'secondaryPreferred'],
  ['NEAREST', 'nearest'],
]);

/** `"secondary_preferred"` → `secondaryPreferred`; anything else → 102 "Not supported read preference." */
function readPreferenceOf(value: unknown): ReadPreferenceMode | undefined {
  if (value === undefined || value === null) return undefined;
  const mode = typeof value === 'string' ? MODES.get(value.toUpperCase()) : undefined;
  if (mode === undefined) throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'Not supported read preference.' });
  return mode;
}

/** The hints storage receives; validates them all (an include read preference is validated, then unused). */
export function queryHintsOf(request: QueryHintsRequest): QueryHints {
  const { hint, comment } = request;
  if (hint !== undefined && typeof hint !== 'string' && !isRecord(hint)) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'hint must be an index name or an index spec object.' });
  }
  if (comment !== undefined && typeof comment !== 'string') {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'comment must be a string.' });
  }
  const readPreference = readPreferenceOf(request.readPreference);
  readPreferenceOf(request.includeReadPreference);
  const subqueryReadPreference = readPreferenceOf(request.subqueryReadPreference);
  return {
    ...(hint === undefined ? {} : { hint }),
    ...(comment === undefined ? {} : { comment }),
    ...(readPreference === undefined ? {} : { readPreference }),
    ...(subqueryReadPreference === undefined ? {} : { subqueryReadPreference }),
  };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `explain` needs the master key unless `allowPublicExplain` is on (102 otherwise, as Parse answers). */
export function assertMayExplain(deps: CoreDeps, auth: Auth): void {
  if (isMasterLike(auth) || deps.options.allowPublicExplain === true) return;
  throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'Cannot explain a query without the master key.' });
}

/** The storage plan of a find (`explain`), after the same permission conditions as the find itself. */
export async function explainFind(options: { deps: CoreDeps; find: FindOptions }): Promise<unknown> {
  const { storage } = options.deps;
  if (storage.explain === undefined) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'explain is not supported by this storage backend.' });
  }
  return storage.explain(options.find);
}

/** The read's time budget (`--query-time-limit`, larger for the master and maintenance keys). */
export function timeBudgetOf(deps: CoreDeps, auth: Auth): { maxTimeMs?: number } {
  const limits = deps.options.queryTimeLimits;
  if (limits === undefined) return {};
  return { maxTimeMs: isMasterLike(auth) ? limits.master : limits.client };
}
