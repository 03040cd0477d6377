import type { SqliteDriver } from './driver.js';
import { literal, quote } from './names.js';
import type { TableLayout } from './table-layout.js';
import { coordinateSql } from './geo-sql.js';

/**
 * The indexes behind geo and text queries on SQLite:
 * - every GeoPoint column gets an expression index on its latitude and longitude (`json_extract`, the
 *   same text `geo-sql.ts` queries with), made when the column is;
 * - a String field gets an FTS5 index the first time it is searched: an external-content table over the
 *   class table (`<table>#fts#<column>`, keyed by rowid) kept in sync by three triggers, filled once with
 *   `rebuild`. Class tables have no INTEGER PRIMARY KEY, so a VACUUM could renumber rowids: run
 *   `INSERT INTO <fts>(<fts>) VALUES('rebuild')` after one.
 */

const TOKENIZER = 'porter unicode61 remove_diacritics 2';

function objectExists(driver: SqliteDriver, name: string): boolean {
  return driver.get('SELECT 1 AS found FROM sqlite_master WHERE name = ?', [name]) !== undefined;
}

/** Creates the latitude/longitude index of every GeoPoint column that lacks one. */
export function ensureGeoIndexes(driver: SqliteDriver, layout: TableLayout): void {
  for (const info of layout.columns) {
    if (info.type.type !== 'GeoPoint') continue;
    const name = `${layout.sqlTable}#${info.sqlName}#geo`;
    if (objectExists(driver, name)) continue;
    const slot = { doc: info.column, path: '$' };
    driver.exec(
      `CREATE INDEX IF NOT EXISTS ${quote(name)} ON ${layout.table} (${coordinateSql(slot, 'latitude')}, ${coordinateSql(slot, 'longitude')})`,
    );
  }
}

function ftsName(sqlTable: string, sqlColumn: string): string {
  return `${sqlTable}#fts#${sqlColumn}`;
}

/**
 * The quoted FTS5 table for a declared String field, created (and filled) when missing; `undefined` for
 * any other field, which no text search can match.
 */
export function ensureTextIndex(
  driver: SqliteDriver,
  options: { layout: TableLayout; field: string },
): string | undefined {
  const { layout, field } = options;
  const info = layout.byField.get(field);
  if (info === undefined || info.type.type !== 'String') return undefined;
  const name = ftsName(layout.sqlTable, info.sqlName);
  const fts = quote(name);
  if (objectExists(driver, name)) return fts;
  const column = info.column;
  driver.exec(
    [
      `CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(${column}, content=${literal(layout.sqlTable)}, content_rowid='rowid', tokenize=${literal(TOKENIZER)})`,
      `CREATE TRIGGER IF NOT EXISTS ${quote(`${name}#insert`)} AFTER INSERT ON ${layout.table} BEGIN INSERT INTO ${fts} (rowid, ${column}) VALUES (new.rowid, new.${column}); END`,
      `CREATE TRIGGER IF NOT EXISTS ${quote(`${name}#delete`)} AFTER DELETE ON ${layout.table} BEGIN INSERT INTO ${fts} (${fts}, rowid, ${column}) VALUES ('delete', old.rowid, old.${column}); END`,
      `CREATE TRIGGER IF NOT EXISTS ${quote(`${name}#update`)} AFTER UPDATE ON ${layout.table} BEGIN INSERT INTO ${fts} (${fts}, rowid, ${column}) VALUES ('delete', old.rowid, old.${column}); INSERT INTO ${fts} (rowid, ${column}) VALUES (new.rowid, new.${column}); END`,
      `INSERT INTO ${fts} (${fts}) VALUES ('rebuild')`,
    ].join(';\n'),
  );
  return fts;
}

/**
 * Drops the FTS5 indexes (and their triggers) of a table, or only the one of `sqlColumn`: before the
 * column or the table goes, since an external-content index cannot outlive its content.
 */
export function dropTextIndexes(driver: SqliteDriver, options: { sqlTable: string; sqlColumn?: string }): void {
  const prefix = ftsName(options.sqlTable, options.sqlColumn ?? '');
  const rows = driver.all(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ? AND sql LIKE 'CREATE VIRTUAL TABLE%'`,
    [prefix.length, prefix],
  );
  for (const row of rows) {
    const name = String(row['name']);
    if (options.sqlColumn !== undefined && name !== prefix) continue;
    driver.exec(
      ['insert', 'delete', 'update']
        .map((event) => `DROP TRIGGER IF EXISTS ${quote(`${name}#${event}`)}`)
        .concat(`DROP TABLE IF EXISTS ${quote(name)}`)
        .join(';\n'),
    );
  }
}
