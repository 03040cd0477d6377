import type { Condition, FieldPath } from '../../query/index.js';
import type { ClassSchema, FieldType, ParseValue } from '../../schema/index.js';

/**
 * SQLite translation of the relational conditions (spec/queries.md §3), with MongoDB semantics:
 * - `inQuery` is a SQL subquery: `"owner" IN (SELECT "objectId" FROM <sub table> WHERE <sub condition>)`
 *   for a Pointer column (the column holds the id; its target class must be the sub-query's class), and a
 *   `json_each` test on pointer JSON (`__type`, `className`, `objectId`) for Array fields and undeclared
 *   fields. The sub-condition (with the caller's ACL, and nested sub-queries) is translated recursively
 *   against the sub-class's table, so the whole query is one statement.
 * - `select` runs its sub-query first, on the same connection and synchronously inside the same
 *   statement preparation, reading only the selected key; the values become an `IN` list, so values of
 *   every type compare exactly like `$in` does (the two tables may store a type differently).
 * - `containedBy`: no element of the array lies outside the operand (non-arrays and missing fields match).
 * A sub-query whose table does not exist yet matches nothing. `notIn` / `dontSelect` are exact negations,
 * so they match objects lacking the field.
 *
 * The translator in `condition-sql.ts` hands its primitives in (`RelationalSqlTools`), so the two files do
 * not import each other.
 */

/** One JSON value as SQL expressions: its `json_type` and the value itself. */
export interface JsonCellSql {
  readonly type: string;
  readonly value: string;
}

/** Where a field path lives, as far as relational conditions care. */
export type RelationalTarget =
  { readonly kind: 'typed'; readonly column: string; readonly type: FieldType } | { readonly kind: 'json' };

export interface RelationalSqlTools {
  bind(value: unknown): string;
  target(path: FieldPath): RelationalTarget;
  /** `predicate` over the JSON value at `path` and, when it is an array, over each element. */
  jsonSlot(path: FieldPath, predicate: (cell: JsonCellSql) => string): string;
  /** Equality with any of `values`, as `$in` translates. */
  inValues(path: FieldPath, values: readonly ParseValue[]): string;
  /** One JSON cell equal to any of `values` (type-exact, as `$in`). */
  jsonEqualsAny(cell: JsonCellSql, values: readonly ParseValue[]): string;
  /** For a JSON target: its `json_type` expression and its `json_each(...)` table source; undefined for typed columns. */
  jsonArray(path: FieldPath): { readonly type: string; readonly elements: string } | undefined;
  /** Whether the table of `schema` exists. */
  hasTable(schema: ClassSchema): boolean;
  /** `NOT` that reads NULL (missing data) as "no match" first. */
  not(sql: string): string;
  /**
   * The quoted table and SQL condition of a sub-query on `schema` (parameters bound here, in order), or
   * `undefined` when the table does not exist.
   */
  subQuery(schema: ClassSchema, where: Condition): { readonly table: string; readonly where: string } | undefined;
  /** Runs a sub-query now and returns the values at `key` of the objects it matches. */
  selectValues(options: {
    readonly schema: ClassSchema;
    readonly where: Condition;
    readonly key: FieldPath;
  }): ParseValue[];
}

type InQuery = Extract<Condition, { kind: 'inQuery' }>;
type Select = Extract<Condition, { kind: 'select' }>;
type ContainedBy = Extract<Condition, { kind: 'containedBy' }>;

export function inQuerySql(condition: InQuery, tools: RelationalSqlTools): string {
  const negate = condition.mode === 'notIn';
  const matched = pointsIntoSubQuery(condition, tools);
  if (matched === undefined) return negate ? '1' : '0';
  return negate ? tools.not(matched) : matched;
}

/** The positive test (`in` mode), or undefined when nothing can match. */
function pointsIntoSubQuery(condition: InQuery, tools: RelationalSqlTools): string | undefined {
  const { sub } = condition;
  const target = tools.target(condition.path);
  if (target.kind === 'typed') {
    if (target.type.type !== 'Pointer' || target.type.targetClass !== sub.className) return undefined;
    const query = tools.subQuery(sub.schema, sub.where);
    if (query === undefined) return undefined;
    return `${target.column} IN (SELECT "objectId" FROM ${query.table} WHERE ${query.where})`;
  }
  if (!tools.hasTable(sub.schema)) return undefined;
  return tools.jsonSlot(condition.path, (cell) => {
    // Bound in text order: the class name, then the sub-query's own parameters.
    const className = tools.bind(sub.className);
    const query = tools.subQuery(sub.schema, sub.where);
    const ids = query === undefined ? 'SELECT NULL' : `SELECT "objectId" FROM ${query.table} WHERE ${query.where}`;
    return (
      `(${cell.type} = 'object' AND json_extract(${cell.value}, '$.__type') = 'Pointer'` +
      ` AND json_extract(${cell.value}, '$.className') = ${className}` +
      ` AND json_extract(${cell.value}, '$.objectId') IN (${ids}))`
    );
  });
}

export function selectSql(condition: Select, tools: RelationalSqlTools): string {
  const negate = condition.mode === 'notIn';
  const values = tools.selectValues({ schema: condition.sub.schema, where: condition.sub.where, key: condition.key });
  if (values.length === 0) return negate ? '1' : '0';
  const matched = tools.inValues(condition.path, values);
  return negate ? tools.not(matched) : matched;
}

export function containedBySql(condition: ContainedBy, tools: RelationalSqlTools): string {
  const array = tools.jsonArray(condition.path);
  if (array === undefined) return '1'; // a typed column never holds an array
  const element: JsonCellSql = { type: 'cb.type', value: 'cb.value' };
  const inside = condition.values.length === 0 ? '0' : tools.jsonEqualsAny(element, condition.values);
  const outside = `EXISTS (SELECT 1 FROM ${array.elements} AS cb WHERE ${tools.not(inside)})`;
  return tools.not(`(${array.type} = 'array' AND ${outside})`);
}
