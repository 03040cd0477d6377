import { ErrorCode, ParseError } from '../errors/index.js';
import { parseKeys } from '../query/index.js';

/** Query-string values are JSON when they parse, raw strings otherwise (rest.md §1.4). */
export function parseQueryString(search: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (search.length === 0) return out;
  for (const [key, raw] of new URLSearchParams(search)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    let value: unknown = raw;
    if (mayBeJson(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        // not JSON after all: keep the string
      }
    }
    out[key] = value;
  }
  return out;
}

/**
 * False when `text` cannot be JSON by its first character after JSON whitespace (`order=-score`, `keys=a,b`):
 * a failed JSON.parse builds a SyntaxError with its message and stack, which cost a top-20 page ~7% of its CPU.
 */
export function mayBeJson(text: string): boolean {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  const c = text[i];
  if (c === undefined) return false;
  if (c === '{' || c === '[' || c === '"' || c === 't' || c === 'f' || c === 'n' || (c >= '0' && c <= '9')) return true;
  if (c !== '-') return false;
  const next = text[i + 1];
  return next !== undefined && next >= '0' && next <= '9';
}

export function optionalInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  // A safe integer only: 1e20 is an integer to JavaScript, but no database binds it (SQLite threw a 500).
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `${name} must be a non-negative integer.` });
  }
  return number;
}

export function optionalKeyList(value: unknown): string[] | undefined {
  return value === undefined || value === null || value === '' ? undefined : parseKeys(value);
}

/** `include=a,b.c`: comma list of dot paths (`*` allowed). */
export function optionalIncludeList(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value !== 'string') {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'include must be a comma-separated string.' });
  }
  return value.split(',').filter((s) => s.length > 0);
}

export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

/** `where` as an object, or a JSON string of one (query strings); anything else → 107. */
export function whereParam(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new ParseError(ErrorCode.INVALID_JSON, { message: 'where parameter is not valid JSON' });
    }
  }
  return value;
}
