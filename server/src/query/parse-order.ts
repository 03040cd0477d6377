import { ErrorCode, ParseError } from '../errors/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { SortKey } from './ast.js';
import { fieldKeyPath } from './key-path.js';
import { SCORE_KEY } from './search.js';

/** Parse's legacy names for the timestamps (MongoDB column names) still sort by them. */
const LEGACY_TIMESTAMPS: ReadonlyMap<string, string> = new Map([
  ['_created_at', 'createdAt'],
  ['_updated_at', 'updatedAt'],
]);
const AUTH_DATA_ID = /^authData\.[A-Za-z0-9_]+\.id$/;

/**
 * Parses the `order` option (spec/queries.md §4.2): a comma list (or an array of such strings) of
 * field names or dot paths, `-` for descending. Invalid names → 105; fields missing from the schema
 * are silently dropped (all are kept when the class does not exist: it has no rows anyway). A field
 * named twice keeps its first position and its last direction.
 *
 * @example
 * parseOrder('-score,name', schema); // → [{ path: ['score'], direction: -1 }, { path: ['name'], direction: 1 }]
 */
export function parseOrder(order: unknown, schema: ClassSchema | undefined): SortKey[] {
  const items = splitList(order, 'order');
  const byKey = new Map<string, SortKey>();
  for (const raw of items) {
    const item = raw.trim();
    const descending = item.startsWith('-');
    let name = descending ? item.slice(1) : item;
    if (name === SCORE_KEY) {
      // Text relevance: kept whatever the schema says; storage sorts best match first either way.
      byKey.set(SCORE_KEY, { path: [SCORE_KEY], direction: descending ? -1 : 1 });
      continue;
    }
    name = LEGACY_TIMESTAMPS.get(name) ?? name;
    if (AUTH_DATA_ID.test(name))
      throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Cannot sort by ${name}` });
    const path = fieldKeyPath(name);
    if (schema !== undefined && !Object.hasOwn(schema.fields, path[0])) continue;
    byKey.set(path.join('.'), { path, direction: descending ? -1 : 1 });
  }
  return [...byKey.values()];
}

/**
 * Parses `keys` / `excludeKeys` (spec/queries.md §4.3): a comma list or an array of names, each a
 * field name or dot path. Blank entries are skipped and duplicates removed; invalid names → 105.
 * Unknown fields are kept: projecting them is harmless, and `core` decides what they mean.
 *
 * @example
 * parseKeys('title, post.author'); // → ['title', 'post.author']
 */
export function parseKeys(keys: unknown): string[] {
  const out: string[] = [];
  for (const raw of splitList(keys, 'keys')) {
    const name = raw.trim();
    if (name === '') continue;
    if (name === SCORE_KEY) {
      if (!out.includes(SCORE_KEY)) out.push(SCORE_KEY);
      continue;
    }
    const joined = fieldKeyPath(name).join('.');
    if (!out.includes(joined)) out.push(joined);
  }
  return out;
}

function splitList(value: unknown, option: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return value.split(',');
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value as unknown[]) {
      if (typeof item !== 'string') throw new ParseError(ErrorCode.INVALID_JSON, { message: `bad ${option} value` });
      out.push(...item.split(','));
    }
    return out;
  }
  throw new ParseError(ErrorCode.INVALID_JSON, { message: `bad ${option} value` });
}
