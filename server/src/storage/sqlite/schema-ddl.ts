import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ClassSchema, FieldDefinition, IndexOptions, IndexSpec } from '../../schema/index.js';
import { isDuplicateColumnError } from './driver.js';
import type { SqliteDriver } from './driver.js';
import {
  columnName,
  columnSqlName,
  indexSqlName,
  joinTableSqlName,
  jsonPath,
  legacyColumnSqlName,
  literal,
  quote,
} from './names.js';
import type { TableLayout } from './table-layout.js';
import { dropTextIndexes, ensureGeoIndexes } from './search-index.js';
import { columnSqlType, fromJson, isJsonColumn, toJson } from './value-codec.js';

/**
 * SQLite DDL and the `_SCHEMA` table: creating class and join tables, adding and dropping columns and
 * indexes, and reading/writing each class's schema as JSON. Every function is synchronous and expects to
 * run inside `driver.atomic` when it does more than one statement.
 */

export const SCHEMA_TABLE = '"_SCHEMA"';

export function createSchemaTable(driver: SqliteDriver): void {
  driver.exec(
    `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} ("className" TEXT PRIMARY KEY NOT NULL, "schema" TEXT NOT NULL)`,
  );
}

/** Creates the class table when missing and adds columns for declared fields that lack one. */
export function ensureTable(driver: SqliteDriver, layout: TableLayout): void {
  const existing = driver.tableColumns(layout.sqlTable);
  if (existing === undefined) {
    const columns = [
      '"objectId" TEXT PRIMARY KEY NOT NULL',
      '"createdAt" INTEGER',
      '"updatedAt" INTEGER',
      '"_rperm" TEXT',
      '"_wperm" TEXT',
      '"_extra" TEXT',
      ...layout.columns.map((info) => `${info.column} ${info.sqlType}`),
    ];
    driver.exec(`CREATE TABLE IF NOT EXISTS ${layout.table} (${columns.join(', ')})`);
    driver.forgetTable(layout.sqlTable);
  } else {
    const missing = layout.columns.filter((info) => !existing.has(info.sqlName));
    for (const info of missing) {
      if (!renameLegacyColumn(driver, { layout, existing, field: info.field })) addColumn(driver, layout, info);
    }
  }
  for (const field of layout.joinTables.keys()) ensureJoinTable(driver, joinTableSqlName(layout.className, field));
  ensureGeoIndexes(driver, layout);
}

/**
 * A database from before reserved column names were mapped (`names.ts`) may hold a field's data in a column
 * such as `rowid`, which took SQLite's row id over from the full-text indexes: it is renamed to today's
 * name. The table's text indexes go first (their triggers name the row id, which the rename would rewrite
 * into the column) and are rebuilt on the next search. True when a column was renamed.
 */
function renameLegacyColumn(
  driver: SqliteDriver,
  options: { layout: TableLayout; existing: ReadonlySet<string>; field: string },
): boolean {
  const { layout, existing, field } = options;
  const legacy = legacyColumnSqlName(field);
  if (legacy === undefined || !existing.has(legacy)) return false;
  dropTextIndexes(driver, { sqlTable: layout.sqlTable });
  try {
    driver.exec(`ALTER TABLE ${layout.table} RENAME COLUMN ${quote(legacy)} TO ${columnName(field)}`);
  } finally {
    driver.forgetTable(layout.sqlTable);
  }
  return true;
}

function addColumn(driver: SqliteDriver, layout: TableLayout, info: { column: string; sqlType: string }): void {
  try {
    driver.exec(`ALTER TABLE ${layout.table} ADD COLUMN ${info.column} ${info.sqlType}`);
  } catch (err) {
    // Another process added it between our look and our ALTER: that is the state we wanted.
    if (!isDuplicateColumnError(err)) throw err;
  } finally {
    driver.forgetTable(layout.sqlTable);
  }
}

/** Creates a relation join table (`owningId`, `relatedId`) with an index for reverse lookups. */
export function ensureJoinTable(driver: SqliteDriver, sqlTable: string): void {
  if (driver.tableColumns(sqlTable) !== undefined) return;
  const table = quote(sqlTable);
  driver.exec(
    `CREATE TABLE IF NOT EXISTS ${table} ("owningId" TEXT NOT NULL, "relatedId" TEXT NOT NULL, PRIMARY KEY ("owningId", "relatedId")) WITHOUT ROWID;` +
      `CREATE INDEX IF NOT EXISTS ${quote(`${sqlTable}#relatedId`)} ON ${table} ("relatedId")`,
  );
  driver.forgetTable(sqlTable);
}

/** Drops a table (unquoted SQL name: a class's `sqlTable` or a join table) with its text indexes. */
export function dropTable(driver: SqliteDriver, sqlTable: string): void {
  dropTextIndexes(driver, { sqlTable });
  driver.exec(`DROP TABLE IF EXISTS ${quote(sqlTable)}`);
  driver.forgetTable(sqlTable);
}

/** The SQL expression an index key refers to (a column, or a JSON path into one or into `_extra`). */
function indexExpression(layout: TableLayout, key: string): string {
  const [field = key, ...rest] = key.split('.');
  if (field === 'objectId' || field === 'createdAt' || field === 'updatedAt') return quote(field);
  const info = layout.byField.get(field);
  if (info === undefined) return `json_extract("_extra", ${literal(jsonPath([field, ...rest]))})`;
  if (rest.length === 0) return info.column;
  if (!isJsonColumn(info.type)) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Cannot index ${key}: ${field} is not an object.` });
  }
  return `json_extract(${info.column}, ${literal(jsonPath(rest))})`;
}

/** Creates an index (no-op when one with that name exists). A unique index over duplicates throws 137. */
export function createTableIndex(
  driver: SqliteDriver,
  options: { layout: TableLayout; name: string; spec: IndexSpec; options?: IndexOptions },
): void {
  const { layout, name, spec } = options;
  const keys = Object.entries(spec);
  if (keys.length === 0) throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Index ${name} has no keys.` });
  const collate = options.options?.caseInsensitive === true ? ' COLLATE NOCASE' : '';
  const terms = keys.map(
    ([key, direction]) => `${indexExpression(layout, key)}${collate}${direction === -1 ? ' DESC' : ''}`,
  );
  const unique = options.options?.unique === true ? 'UNIQUE ' : '';
  driver.exec(
    `CREATE ${unique}INDEX IF NOT EXISTS ${indexSqlName(layout.className, name)} ON ${layout.table} (${terms.join(', ')})`,
  );
}

export function dropTableIndex(driver: SqliteDriver, className: string, name: string): void {
  driver.exec(`DROP INDEX IF EXISTS ${indexSqlName(className, name)}`);
}

/** Removes a declared field's column, its indexes, and any value or null marker kept in `_extra`. */
export function dropField(driver: SqliteDriver, layout: TableLayout, field: string): void {
  const definition = layout.schema.fields[field];
  if (definition?.type === 'Relation') {
    dropTable(driver, joinTableSqlName(layout.className, field));
    return;
  }
  const columns = driver.tableColumns(layout.sqlTable);
  if (columns === undefined) return;
  const column = columnName(field);
  if (columns.has(columnSqlName(field))) {
    dropTextIndexes(driver, { sqlTable: layout.sqlTable, sqlColumn: columnSqlName(field) });
    const indexes = driver.all(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`,
      [layout.sqlTable],
    );
    for (const index of indexes) {
      if (typeof index['sql'] === 'string' && index['sql'].includes(column))
        driver.exec(`DROP INDEX IF EXISTS ${quote(String(index['name']))}`);
    }
    driver.exec(`ALTER TABLE ${layout.table} DROP COLUMN ${column}`);
    driver.forgetTable(layout.sqlTable);
  }
  const path = literal(jsonPath([field]));
  driver.run(
    `UPDATE ${layout.table} SET "_extra" = json_remove("_extra", ${path}) WHERE json_type("_extra", ${path}) IS NOT NULL`,
  );
  driver.run(`UPDATE ${layout.table} SET "_extra" = NULL WHERE "_extra" = '{}'`);
}

// ---- _SCHEMA rows ----

interface StoredSchemaJson {
  fields: Record<string, Record<string, unknown>>;
  classLevelPermissions?: unknown;
  indexes?: unknown;
}

function fieldToJson(definition: FieldDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { type: definition.type };
  if (definition.type === 'Pointer' || definition.type === 'Relation') out['targetClass'] = definition.targetClass;
  if (definition.required !== undefined) out['required'] = definition.required;
  if (definition.defaultValue !== undefined) out['defaultValue'] = toJson(definition.defaultValue);
  return out;
}

function fieldFromJson(json: Record<string, unknown>): FieldDefinition | undefined {
  const type = json['type'];
  if (typeof type !== 'string') return undefined;
  let definition: FieldDefinition;
  if (type === 'Pointer' || type === 'Relation') {
    if (typeof json['targetClass'] !== 'string') return undefined;
    definition = { type, targetClass: json['targetClass'] };
  } else {
    if (columnSqlType({ type: type as 'String' }) === undefined && type !== 'ACL') return undefined;
    definition = { type: type as 'String' };
  }
  const required = json['required'];
  const defaultValue = json['defaultValue'];
  return {
    ...definition,
    ...(typeof required === 'boolean' ? { required } : {}),
    ...(defaultValue !== undefined ? { defaultValue: fromJson(defaultValue) } : {}),
  };
}

function schemaToText(schema: ClassSchema): string {
  const json: StoredSchemaJson = { fields: {} };
  for (const [name, definition] of Object.entries(schema.fields)) json.fields[name] = fieldToJson(definition);
  if (schema.classLevelPermissions !== undefined) json.classLevelPermissions = schema.classLevelPermissions;
  if (schema.indexes !== undefined) json.indexes = schema.indexes;
  return JSON.stringify(json);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses a `_SCHEMA` row; a corrupt row yields a class with no fields rather than an exception. */
export function schemaFromText(className: string, text: unknown): ClassSchema {
  let json: unknown = {};
  try {
    json = typeof text === 'string' ? JSON.parse(text) : {};
  } catch {
    json = {};
  }
  const record = isRecord(json) ? json : {};
  const fields: Record<string, FieldDefinition> = {};
  if (isRecord(record['fields'])) {
    for (const [name, value] of Object.entries(record['fields'])) {
      const definition = isRecord(value) ? fieldFromJson(value) : undefined;
      if (definition !== undefined) fields[name] = definition;
    }
  }
  const schema: { -readonly [K in keyof ClassSchema]: ClassSchema[K] } = { className, fields };
  if (isRecord(record['classLevelPermissions'])) schema.classLevelPermissions = record['classLevelPermissions'];
  if (isRecord(record['indexes'])) schema.indexes = record['indexes'] as ClassSchema['indexes'];
  return schema;
}

export function readSchema(driver: SqliteDriver, className: string): ClassSchema | undefined {
  const row = driver.get(`SELECT "schema" FROM ${SCHEMA_TABLE} WHERE "className" = ?`, [className]);
  return row === undefined ? undefined : schemaFromText(className, row['schema']);
}

export function writeSchema(driver: SqliteDriver, schema: ClassSchema): void {
  driver.run(
    `INSERT INTO ${SCHEMA_TABLE} ("className", "schema") VALUES (?, ?) ON CONFLICT ("className") DO UPDATE SET "schema" = excluded."schema"`,
    [schema.className, schemaToText(schema)],
  );
}

export function deleteSchemaRow(driver: SqliteDriver, className: string): void {
  driver.run(`DELETE FROM ${SCHEMA_TABLE} WHERE "className" = ?`, [className]);
}
