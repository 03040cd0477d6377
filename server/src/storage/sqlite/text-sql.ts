import { ErrorCode, ParseError } from '../../errors/index.js';
import type { FieldPath, TextCondition } from '../../query/index.js';

/**
 * `$text` → SQLite FTS5. Each searched String field has an FTS5 index (`text-index.ts`) tokenized with
 * `porter unicode61 remove_diacritics 2`: case-folded, diacritics removed, English stemming. That is
 * MongoDB's default (`$language` english, case- and diacritic-insensitive) except for stop words, which
 * FTS5 keeps (a search for "the" finds documents containing "the"; MongoDB finds none). What it cannot
 * honour is refused with 102: `$caseSensitive` / `$diacriticSensitive` true and languages other than
 * English (no stemmer for them).
 *
 * The search string keeps MongoDB's meaning: words match any (OR), `"quoted phrases"` must all appear
 * (then the loose words only rank), `-word` excludes. The score is `-bm25()` (higher is better).
 */

export interface TextSqlTools {
  readonly bind: (value: unknown) => string;
  /** The quoted FTS5 table indexing the String field at `path` (made on first use), or undefined. */
  readonly textIndex: (path: FieldPath) => string | undefined;
}

const ENGLISH: ReadonlySet<string> = new Set(['en', 'english']);

function refuse(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_QUERY, { message });
}

function checkSupported(condition: TextCondition): void {
  if (condition.caseSensitive) {
    throw refuse('$caseSensitive: true is not supported by the SQLite full-text search (it is case-insensitive).');
  }
  if (condition.diacriticSensitive) {
    throw refuse('$diacriticSensitive: true is not supported by the SQLite full-text search (it ignores diacritics).');
  }
  if (condition.language !== undefined && !ENGLISH.has(condition.language.toLowerCase())) {
    throw refuse(`$language ${condition.language} is not supported by the SQLite full-text search (English only).`);
  }
}

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** A MongoDB `$search` string as an FTS5 query; `undefined` when it can match nothing. */
function ftsQuery(term: string): string | undefined {
  const phrases: string[] = [];
  const words: string[] = [];
  const excluded: string[] = [];
  const pattern = /(-?)"([^"]*)"|(\S+)/g;
  for (const match of term.matchAll(pattern)) {
    const [, negation, phrase, word] = match;
    if (phrase !== undefined) {
      if (phrase.trim() === '') continue;
      (negation === '-' ? excluded : phrases).push(quoted(phrase));
    } else if (word !== undefined) {
      if (word.startsWith('-')) {
        if (word.length > 1) excluded.push(quoted(word.slice(1)));
      } else words.push(quoted(word));
    }
  }
  const positive = phrases.length > 0 ? phrases.join(' AND ') : words.join(' OR ');
  if (positive === '') return undefined;
  return excluded.reduce((query, word) => `(${query}) NOT ${word}`, `(${positive})`);
}

/** The filter: rows whose indexed text matches. */
export function textSql(condition: TextCondition, tools: TextSqlTools): string {
  checkSupported(condition);
  const query = ftsQuery(condition.term);
  const table = tools.textIndex(condition.path);
  if (query === undefined || table === undefined) return '0';
  return `rowid IN (SELECT rowid FROM ${table} WHERE ${table} MATCH ${tools.bind(query)})`;
}

/** The relevance of each row of `rowTable` (quoted) for the search, higher is better; NULL for non-matches. */
export function textScoreSql(condition: TextCondition, options: { tools: TextSqlTools; rowTable: string }): string {
  const { tools, rowTable } = options;
  checkSupported(condition);
  const query = ftsQuery(condition.term);
  const table = tools.textIndex(condition.path);
  if (query === undefined || table === undefined) return 'NULL';
  return `(SELECT -bm25(${table}) FROM ${table} WHERE ${table} MATCH ${tools.bind(query)} AND ${table}.rowid = ${rowTable}.rowid)`;
}
