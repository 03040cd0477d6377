import { ErrorCode, ParseError } from '../errors/index.js';
import { isPlainObject } from '../schema/index.js';
import type { Condition, FieldPath } from './ast.js';

/**
 * Parses `$text: {"$search": {"$term", "$language", "$caseSensitive", "$diacriticSensitive"}}`
 * (spec/queries.md §8) with parse-server's wording for malformed operands (107).
 */
export function parseText(path: FieldPath, operand: unknown): Condition {
  const search = isPlainObject(operand) ? operand['$search'] : undefined;
  if (!isPlainObject(search)) throw invalid('bad $text: $search, should be object');
  const term = search['$term'];
  if (typeof term !== 'string' || term === '') throw invalid('bad $text: $term, should be string');
  // No word holds a NUL; SQLite's full-text query parser cannot even read one (it was a 500).
  if (term.includes('\u0000')) throw invalid('bad $text: $term must not contain a NUL character');
  const language = search['$language'];
  if (language !== undefined && typeof language !== 'string') throw invalid('bad $text: $language, should be string');
  const caseSensitive = optionalBoolean(search['$caseSensitive'], '$caseSensitive');
  const diacriticSensitive = optionalBoolean(search['$diacriticSensitive'], '$diacriticSensitive');
  for (const key of Object.keys(search)) {
    if (!SEARCH_KEYS.has(key)) throw invalid(`bad $text: unknown key ${key}`);
  }
  return {
    kind: 'text',
    path,
    term,
    ...(language === undefined || language === '' ? {} : { language }),
    caseSensitive,
    diacriticSensitive,
  };
}

const SEARCH_KEYS: ReadonlySet<string> = new Set(['$term', '$language', '$caseSensitive', '$diacriticSensitive']);

function optionalBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(`bad $text: ${name}, should be boolean`);
  return value;
}

function invalid(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message });
}
