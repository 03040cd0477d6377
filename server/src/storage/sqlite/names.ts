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

/** The quoted table holding a class's objects. */
export function tableName(className: string): string {
  return quote(sqlName(className));
}

/** The quoted column holding a declared top-level field. */
export function columnName(fieldName: string): string {
  return quote(sqlName(fieldName));
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
