import type { ACL, ClassSchema, FieldType, ParseValue } from '../../schema/index.js';
import type { StoredObject } from '../adapter.js';
import type { RawRow } from './driver.js';
import { classTableSqlName, columnName, columnSqlName, joinTableSqlName, quote, tableName } from './names.js';
import type { JsonValue, SqlValue } from './value-codec.js';
import { columnSqlType, decodeColumn, encodeColumn, parseJsonText, toJson } from './value-codec.js';

/** Positions in `selectList`: the fixed columns first, then one per declared field (`ColumnInfo.index`). */
const OBJECT_ID_AT = 0;
const CREATED_AT_AT = 1;
const UPDATED_AT_AT = 2;
const RPERM_AT = 3;
const WPERM_AT = 4;
const EXTRA_AT = 5;
const FIRST_FIELD_AT = 6;
/** Fields every table has as fixed columns; never stored as declared columns or in `_extra`. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set(['objectId', 'createdAt', 'updatedAt', 'ACL']);
/** Internal column names; a declared field with one of these names is kept in `_extra` instead. */
const INTERNAL_COLUMNS: ReadonlySet<string> = new Set(['_rperm', '_wperm', '_extra']);

export interface ColumnInfo {
  readonly field: string;
  /** Quoted column name. */
  readonly column: string;
  /** Unquoted SQL name (as `pragma_table_info` reports it). */
  readonly sqlName: string;
  readonly type: FieldType;
  readonly sqlType: string;
  /** Position among the layout's declared columns. */
  readonly index: number;
}

/**
 * How one class schema maps onto its table: which fields have columns, the SQL text for inserts,
 * full-row updates and selects, and the row ↔ StoredObject codec. Built once per ClassSchema object.
 */
export class TableLayout {
  readonly className: string;
  /** Quoted table name. */
  readonly table: string;
  readonly sqlTable: string;
  readonly columns: readonly ColumnInfo[];
  readonly byField: ReadonlyMap<string, ColumnInfo>;
  readonly selectList: string;
  readonly insertSql: string;
  readonly updateSql: string;
  /** Relation field → quoted join table name. */
  readonly joinTables: ReadonlyMap<string, string>;

  constructor(readonly schema: ClassSchema) {
    this.className = schema.className;
    this.table = tableName(schema.className);
    this.sqlTable = classTableSqlName(schema.className);
    const columns: ColumnInfo[] = [];
    const joins = new Map<string, string>();
    for (const [field, definition] of Object.entries(schema.fields)) {
      if (definition.type === 'Relation') joins.set(field, quote(joinTableSqlName(schema.className, field)));
      if (RESERVED_FIELDS.has(field) || INTERNAL_COLUMNS.has(field)) continue;
      const sqlType = columnSqlType(definition);
      if (sqlType === undefined) continue;
      columns.push({
        field,
        column: columnName(field),
        sqlName: columnSqlName(field),
        type: definition,
        sqlType,
        index: columns.length,
      });
    }
    this.columns = columns;
    this.byField = new Map(columns.map((info) => [info.field, info]));
    this.joinTables = joins;
    const names = [
      '"objectId"',
      '"createdAt"',
      '"updatedAt"',
      '"_rperm"',
      '"_wperm"',
      '"_extra"',
      ...columns.map((c) => c.column),
    ];
    this.selectList = names.join(', ');
    this.insertSql = `INSERT INTO ${this.table} (${this.selectList}) VALUES (${names.map(() => '?').join(', ')})`;
    const assignments = names.slice(1).map((name) => `${name} = ?`);
    this.updateSql = `UPDATE ${this.table} SET ${assignments.join(', ')} WHERE "objectId" = ?`;
  }

  /** Parameters for `insertSql`, in column order. */
  insertParams(object: StoredObject): SqlValue[] {
    return [object.objectId, ...this.rowValues(object)];
  }

  /** Parameters for `updateSql`: every column but objectId, then the objectId. */
  updateParams(object: StoredObject): SqlValue[] {
    return [...this.rowValues(object), object.objectId];
  }

  private rowValues(object: StoredObject): SqlValue[] {
    const values: SqlValue[] = new Array<SqlValue>(this.columns.length).fill(null);
    let extra: Record<string, JsonValue> | undefined;
    for (const [field, value] of Object.entries(object.fields)) {
      if (value === undefined || RESERVED_FIELDS.has(field)) continue;
      const info = this.byField.get(field);
      if (info === undefined) {
        if (this.joinTables.has(field)) continue; // relation edges live in join tables
        extra ??= {};
        extra[field] = toJson(value);
      } else if (value === null) {
        // A NULL column cannot tell "null" from "missing"; the marker in `_extra` keeps stored nulls.
        extra ??= {};
        extra[field] = null;
      } else {
        values[info.index] = encodeColumn(`${this.className}.${field}`, info.type, value);
      }
    }
    const [rperm, wperm] = encodeAcl(object.ACL);
    return [
      object.createdAt === undefined ? null : object.createdAt.getTime(),
      object.updatedAt === undefined ? null : object.updatedAt.getTime(),
      rperm,
      wperm,
      extra === undefined ? null : JSON.stringify(extra),
      ...values,
    ];
  }

  /** Decodes a selected row; `keys` limits which fields come back (the fixed four always do). */
  decodeRow(row: RawRow, keys?: ReadonlySet<string>): StoredObject {
    const fields: Record<string, ParseValue> = {};
    const extraText = row[EXTRA_AT];
    if (typeof extraText === 'string') {
      const extra = parseJsonText(extraText);
      if (extra !== null && typeof extra === 'object' && !Array.isArray(extra) && !(extra instanceof Date)) {
        for (const [field, value] of Object.entries(extra)) {
          if (keys === undefined || keys.has(field)) fields[field] = value;
        }
      }
    }
    for (const info of this.columns) {
      if (keys !== undefined && !keys.has(info.field)) continue;
      const raw = row[FIRST_FIELD_AT + info.index];
      if (raw !== null && raw !== undefined) fields[info.field] = decodeColumn(info.type, raw);
    }
    const object: StoredObject = { objectId: String(row[OBJECT_ID_AT]), fields };
    const createdAt = row[CREATED_AT_AT];
    const updatedAt = row[UPDATED_AT_AT];
    if (typeof createdAt === 'number') object.createdAt = new Date(createdAt);
    if (typeof updatedAt === 'number') object.updatedAt = new Date(updatedAt);
    const acl = decodeAcl(row[RPERM_AT], row[WPERM_AT]);
    if (acl !== undefined) object.ACL = acl;
    return object;
  }
}

function encodeAcl(acl: ACL | undefined): [string | null, string | null] {
  if (acl === undefined) return [null, null];
  const read: string[] = [];
  const write: string[] = [];
  for (const [entity, access] of Object.entries(acl)) {
    if (access.read === true) read.push(entity);
    if (access.write === true) write.push(entity);
  }
  return [JSON.stringify(read), JSON.stringify(write)];
}

function stringList(text: SqlValue | undefined): string[] | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : undefined;
  } catch {
    return undefined;
  }
}

function decodeAcl(rpermText: SqlValue | undefined, wpermText: SqlValue | undefined): ACL | undefined {
  const read = stringList(rpermText);
  const write = stringList(wpermText);
  if (read === undefined && write === undefined) return undefined;
  const acl: ACL = {};
  for (const entity of read ?? []) acl[entity] = { read: true };
  for (const entity of write ?? []) {
    const entry = acl[entity];
    if (entry === undefined) acl[entity] = { write: true };
    else entry.write = true;
  }
  return acl;
}
