import { joinClassName as schemaJoinClassName } from '../../schema/index.js';

/**
 * SQL names for Parse names. SQLite compares identifiers case-insensitively while Parse class and field
 * names are case-sensitive (`Score` and `score` are two fields), so a name containing upper-case letters
 * gets a suffix recording where they are: `emailVerified` → `emailVerified$5`, `_User` → `_User$1`.
 * `$` cannot appear in a Parse class or field name, so the mapping is one-to-one even ignoring case.
 */

/** The case-unique SQL name (unquoted) for a Parse class, field or index name. */
export function sqlName(name: string): string {
  let positions = '';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 65 && code <= 90) positions += positions === '' ? String(i) : `_${i}`;
  }
  return positions === '' ? name : `${name}$${positions}`;
}

/** A double-quoted SQL identifier. */
export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** Tables of Strata's own (Parse Config, request ids, schemas): no class table may take their names. */
export const GLOBAL_CONFIG_TABLE = sqlName('_GlobalConfig');
export const REQUEST_IDS_TABLE = sqlName('_Idempotency');
export const GRAPHQL_CONFIG_TABLE = sqlName('_GraphQLConfig');
const INTERNAL_TABLES: ReadonlySet<string> = new Set([
  '_SCHEMA',
  GLOBAL_CONFIG_TABLE,
  REQUEST_IDS_TABLE,
  GRAPHQL_CONFIG_TABLE,
]);

/**
 * The SQL name (unquoted) of the table holding a class's objects: its `sqlName`, unless that would collide
 * with a name SQLite or Strata owns. SQLite reserves every name starting `sqlite_` (in any case) for its own
 * tables (a class `sqlite_master` addressed the catalog); those get a `$` prefix, which no other SQL name
 * starts with. A class named like an internal table (`_Idempotency` is a routable class) or a join table
 * (`_Join:f:C` is a valid class name) gets a `#class` suffix, `#` appearing in no class or join name.
 */
export function classTableSqlName(className: string): string {
  const name = sqlName(className);
  if (/^sqlite_/i.test(name)) return `$${name}`;
  if (INTERNAL_TABLES.has(name) || className.startsWith('_Join:')) return `${name}#class`;
  return name;
}

/** The quoted table holding a class's objects. */
export function tableName(className: string): string {
  return quote(classTableSqlName(className));
}

/** The SQL name (unquoted) of a Relation field's join table. */
export function joinTableSqlName(ownerClass: string, field: string): string {
  return sqlName(joinClassName(ownerClass, field));
}

/**
 * Column names with a meaning of their own in a class table, as SQLite compares them (case-insensitively):
 * `rowid`, `oid` and `_rowid_` name the hidden row id that the full-text indexes join rows by (a column of
 * that name takes the name over), FTS5 reserves `rank`, and the fixed columns of the layout.
 */
const RESERVED_COLUMNS: ReadonlySet<string> = new Set([
  'rowid',
  'oid',
  '_rowid_',
  'rank',
  'objectid',
  'createdat',
  'updatedat',
  '_rperm',
  '_wperm',
  '_extra',
]);

/**
 * The SQL name (unquoted) of the column holding a declared field: its `sqlName`, with a `$` appended when
 * that is a reserved column name (`rowid` → `rowid$`). Only all-lower-case names can be reserved (any
 * upper-case letter adds a `$<positions>` suffix), and no other SQL name ends with a bare `$`, so the
 * mapping stays one-to-one. Databases from before it are renamed in place (`legacyColumnSqlName`).
 */
export function columnSqlName(fieldName: string): string {
  const name = sqlName(fieldName);
  return RESERVED_COLUMNS.has(name.toLowerCase()) ? `${name}$` : name;
}

/** The name an older layout gave a field's column when it differs from today's (to rename it). */
export function legacyColumnSqlName(fieldName: string): string | undefined {
  const name = sqlName(fieldName);
  return name === columnSqlName(fieldName) ? undefined : name;
}

/** The quoted column holding a declared top-level field. */
export function columnName(fieldName: string): string {
  return quote(columnSqlName(fieldName));
}

/**
 * The quoted SQL name of a class's index named by a user (`POST/PUT /schemas`): `<table>#<name>` with any
 * `#` of the name doubled, so no user index can take the name of an index, trigger or FTS table Strata
 * derives from the table (`<table>#fts#<column>`, `<table>#<column>#geo`), whose parts never hold `##`.
 */
export function indexSqlName(className: string, indexName: string): string {
  return quote(`${classTableSqlName(className)}#${sqlName(indexName).replaceAll('#', '##')}`);
}

/** Parse's join class name for a Relation field (`_Join:<field>:<ownerClass>`), as the schema module spells it. */
export function joinClassName(ownerClass: string, field: string): string {
  return schemaJoinClassName({ ownerClass, field });
}

/** A single-quoted SQL string literal (used for JSON paths, so expression indexes can match them). */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * A SQLite JSON path for keys below a document root: `["a","b"]` → `$."a"."b"`; all-digit keys address
 * array elements (`arr.0` → `$."arr"[0]`), as Parse's dot notation does.
 */
export function jsonPath(keys: readonly string[]): string {
  let path = '$';
  for (const key of keys) {
    path += /^\d+$/.test(key) ? `[${key}]` : `."${key.replaceAll('"', '\\"')}"`;
  }
  return path;
}
