import type { CompareOp, Condition, FieldPath, SortKey } from '../../query/index.js';
import type { ClassSchema, FieldType, ParseValue } from '../../schema/index.js';
import { joinTableSqlName, jsonPath, literal, quote } from './names.js';
import type { TableLayout } from './table-layout.js';
import { geoSql } from './geo-sql.js';
import type { GeoSqlTools, JsonSlot } from './geo-sql.js';
import { textSql } from './text-sql.js';
import type { TextSqlTools } from './text-sql.js';
import { canonicalText, encodeColumn, isJsonColumn } from './value-codec.js';
import { containedBySql, inQuerySql, selectSql } from './relational-sql.js';
import type { RelationalSqlTools } from './relational-sql.js';

/**
 * The SQLite dialect for conditions and sorts: turns the `Condition` AST into one SQL expression with
 * bound parameters, with MongoDB semantics (spec/queries.md). Every expression evaluates to 1, 0 or NULL;
 * negations wrap with `coalesce(…, 0)` so NULL (missing data) behaves like "no match" before negating.
 *
 * Two kinds of targets: typed columns (String, Number, Boolean, Date, Pointer, File, Bytes and the fixed
 * objectId/createdAt/updatedAt) compare natively; JSON slots (Object/Array/GeoPoint/Polygon columns, dot
 * paths into them, undeclared fields in `_extra`) use `json_type` guards so 1 never equals "1", and match
 * either the value itself or, when it is an array, any of its elements (Mongo's array semantics).
 */

export interface ConditionContext {
  readonly layout: TableLayout;
  /** Whether a table (unquoted SQL name) exists; relation conditions on a missing join table match nothing. */
  readonly tableExists: (sqlTable: string) => boolean;
  /** The quoted FTS5 table of the String field at `path`, made on first use (`$text`); undefined: none. */
  readonly textIndex?: (path: FieldPath) => string | undefined;
  /** The context of another class's table for sub-queries, or undefined when that table does not exist. */
  readonly subContext?: (schema: ClassSchema) => ConditionContext | undefined;
  /** Runs a `$select` sub-query and returns the values at `key` of the matched objects. */
  readonly selectValues?: (options: { schema: ClassSchema; where: Condition; key: FieldPath }) => ParseValue[];
}

type Target =
  | { readonly kind: 'typed'; readonly column: string; readonly type: FieldType; readonly markerField?: string }
  | { readonly kind: 'json'; readonly doc: string; readonly path: string; readonly markerField?: string };

const MISSING: Target = { kind: 'json', doc: 'NULL', path: '$' };
const SQL_OPS: Readonly<Record<CompareOp, string>> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

/** Builds SQL text and its parameters in one left-to-right pass. */
class SqlBuilder {
  readonly params: unknown[] = [];
  constructor(readonly ctx: ConditionContext) {}

  bind(value: unknown): string {
    this.params.push(value);
    return '?';
  }

  bindList(values: readonly unknown[]): string {
    return values.map((value) => this.bind(value)).join(', ');
  }
}

/** The SQL expression (and parameters) for a condition. */
export function conditionToSql(condition: Condition, ctx: ConditionContext): { sql: string; params: unknown[] } {
  const builder = new SqlBuilder(ctx);
  const sql = translate(condition, builder);
  return { sql, params: builder.params };
}

function not(sql: string): string {
  return `NOT coalesce(${sql}, 0)`;
}

function translate(condition: Condition, b: SqlBuilder): string {
  switch (condition.kind) {
    case 'constant':
      return condition.value ? '1' : '0';
    case 'and':
      return condition.conditions.length === 0
        ? '1'
        : `(${condition.conditions.map((c) => translate(c, b)).join(' AND ')})`;
    case 'or':
      return condition.conditions.length === 0
        ? '0'
        : `(${condition.conditions.map((c) => translate(c, b)).join(' OR ')})`;
    case 'nor':
      return condition.conditions.length === 0
        ? '1'
        : not(`(${condition.conditions.map((c) => translate(c, b)).join(' OR ')})`);
    case 'eq':
      return equals(resolve(condition.path, b.ctx.layout), condition.value, b);
    case 'ne':
      return not(equals(resolve(condition.path, b.ctx.layout), condition.value, b));
    case 'in':
      return inValues(resolve(condition.path, b.ctx.layout), condition.values, b);
    case 'nin':
      return not(inValues(resolve(condition.path, b.ctx.layout), condition.values, b));
    case 'all': {
      if (condition.values.length === 0) return '0';
      const target = resolve(condition.path, b.ctx.layout);
      return `(${condition.values.map((value) => equals(target, value, b)).join(' AND ')})`;
    }
    case 'compare':
      return compare(resolve(condition.path, b.ctx.layout), condition, b);
    case 'exists': {
      const present = exists(resolve(condition.path, b.ctx.layout));
      return condition.exists ? present : not(present);
    }
    case 'regex':
      return regex(resolve(condition.path, b.ctx.layout), condition, b);
    case 'acl': {
      const column = condition.access === 'read' ? '"_rperm"' : '"_wperm"';
      if (condition.entities.length === 0) return `${column} IS NULL`;
      return `(${column} IS NULL OR EXISTS (SELECT 1 FROM json_each(${column}) WHERE value IN (${b.bindList(condition.entities)})))`;
    }
    case 'relatedTo': {
      const join = joinTableSqlName(condition.ownerClass, condition.field);
      if (!b.ctx.tableExists(join)) return '0';
      return `"objectId" IN (SELECT "relatedId" FROM ${quote(join)} WHERE "owningId" = ${b.bind(condition.owningId)})`;
    }
    case 'relationHas': {
      const join = joinTableSqlName(b.ctx.layout.className, condition.field);
      const none = condition.mode === 'none';
      if (condition.relatedIds.length === 0 || !b.ctx.tableExists(join)) return none ? '1' : '0';
      const members = `"objectId" IN (SELECT "owningId" FROM ${quote(join)} WHERE "relatedId" IN (${b.bindList(condition.relatedIds)}))`;
      return none ? `NOT (${members})` : members;
    }
    // Relational operators (issue 3): relational-sql.ts.
    case 'inQuery':
      return inQuerySql(condition, relationalTools(b));
    case 'select':
      return selectSql(condition, relationalTools(b));
    case 'containedBy':
      return containedBySql(condition, relationalTools(b));
    // Geo and full-text operators (issue 3): geo-sql.ts, text-sql.ts.
    case 'nearSphere':
    case 'withinBox':
    case 'withinPolygon':
    case 'withinSphere':
    case 'polygonContains':
      return geoSql(condition, searchTools(b));
    case 'text':
      return textSql(condition, searchTools(b));
    default:
      return '0';
  }
}

/** What geo-sql.ts and text-sql.ts build on, bound to a translation's parameters. */
export function searchTools(b: {
  readonly ctx: ConditionContext;
  bind(value: unknown): string;
}): GeoSqlTools & TextSqlTools {
  const { ctx } = b;
  return {
    bind: (value) => b.bind(value),
    jsonSlot: (path) => jsonSlotOf(path, ctx.layout),
    textIndex: (path) => ctx.textIndex?.(path),
  };
}

/** The JSON slot of a path (`undefined` when it is a typed column), for geo conditions and distance sorts. */
export function jsonSlotOf(path: FieldPath, layout: TableLayout): JsonSlot | undefined {
  const target = resolve(path, layout);
  return target.kind === 'json' ? { doc: target.doc, path: target.path } : undefined;
}

/** The primitives relational-sql.ts builds on, bound to this translation. */
function relationalTools(b: SqlBuilder): RelationalSqlTools {
  const { ctx } = b;
  return {
    bind: (value) => b.bind(value),
    target: (path) => {
      const target = resolve(path, ctx.layout);
      return target.kind === 'typed' ? { kind: 'typed', column: target.column, type: target.type } : { kind: 'json' };
    },
    jsonSlot: (path, predicate) => {
      const target = resolve(path, ctx.layout);
      return target.kind === 'json' ? slot(target, predicate) : '0';
    },
    inValues: (path, values) => inValues(resolve(path, ctx.layout), values, b),
    jsonEqualsAny: (cell, values) => `(${values.map((value) => jsonEquals(cell, value, b)).join(' OR ')})`,
    jsonArray: (path) => {
      const target = resolve(path, ctx.layout);
      if (target.kind !== 'json') return undefined;
      const at = literal(target.path);
      return { type: `json_type(${target.doc}, ${at})`, elements: `json_each(${target.doc}, ${at})` };
    },
    not,
    hasTable: (schema) => ctx.subContext?.(schema) !== undefined,
    subQuery: (schema, where) => {
      const subCtx = ctx.subContext?.(schema);
      if (subCtx === undefined) return undefined;
      const inner = new SqlBuilder(subCtx);
      const sql = translate(where, inner);
      b.params.push(...inner.params);
      return { table: subCtx.layout.table, where: sql };
    },
    selectValues: (options) => ctx.selectValues?.(options) ?? [],
  };
}

const DATE_FIELDS: ReadonlySet<string> = new Set(['createdAt', 'updatedAt']);

/** Where a field path lives in the table. */
function resolve(path: FieldPath, layout: TableLayout): Target {
  const [field, ...rest] = path;
  if (field === 'objectId')
    return rest.length === 0 ? { kind: 'typed', column: '"objectId"', type: { type: 'String' } } : MISSING;
  if (DATE_FIELDS.has(field))
    return rest.length === 0 ? { kind: 'typed', column: quote(field), type: { type: 'Date' } } : MISSING;
  if (field === '_rperm' || field === '_wperm') return { kind: 'json', doc: quote(field), path: jsonPath(rest) };
  const info = layout.byField.get(field);
  if (info === undefined) {
    if (layout.schema.fields[field] !== undefined && layout.schema.fields[field].type === 'Relation') return MISSING;
    return { kind: 'json', doc: '"_extra"', path: jsonPath(path) };
  }
  if (isJsonColumn(info.type)) {
    return rest.length === 0
      ? { kind: 'json', doc: info.column, path: '$', markerField: field }
      : { kind: 'json', doc: info.column, path: jsonPath(rest) };
  }
  return rest.length === 0 ? { kind: 'typed', column: info.column, type: info.type, markerField: field } : MISSING;
}

/** The column form of a value for a typed column, or `undefined` when it can never equal such a column. */
function typedParam(target: Extract<Target, { kind: 'typed' }>, value: ParseValue): unknown {
  let candidate = value;
  if (target.type.type === 'Date' && typeof value === 'string' && target.markerField === undefined) {
    // Parse accepts a bare ISO string for createdAt/updatedAt.
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) candidate = parsed;
  }
  try {
    return encodeColumn('', target.type, candidate);
  } catch {
    return undefined;
  }
}

/** SQL expressions for one JSON value: its `json_type` and the value itself. */
interface JsonCell {
  readonly type: string;
  readonly value: string;
}

const ARRAY_ELEMENT: JsonCell = { type: 'je.type', value: 'je.value' };

/** Runs `predicate` on a JSON slot's value and, when that value is an array, on each of its elements. */
function slot(target: Extract<Target, { kind: 'json' }>, predicate: (cell: JsonCell) => string): string {
  const path = literal(target.path);
  const type = `json_type(${target.doc}, ${path})`;
  const direct = predicate({ type, value: `json_extract(${target.doc}, ${path})` });
  const element = predicate(ARRAY_ELEMENT);
  return `(${direct} OR (${type} = 'array' AND EXISTS (SELECT 1 FROM json_each(${target.doc}, ${path}) AS je WHERE ${element})))`;
}

function jsonEquals(cell: JsonCell, wanted: ParseValue, b: SqlBuilder): string {
  const { type, value } = cell;
  if (wanted === null) return `(${type} IS NULL OR ${type} = 'null')`;
  if (typeof wanted === 'string') return `(${type} = 'text' AND ${value} = ${b.bind(wanted)})`;
  if (typeof wanted === 'number') return `(${type} IN ('integer', 'real') AND ${value} = ${b.bind(wanted)})`;
  if (typeof wanted === 'boolean') return `${type} = '${wanted ? 'true' : 'false'}'`;
  return `(${type} IN ('object', 'array') AND ${value} = ${b.bind(canonicalText(wanted))})`;
}

function equals(target: Target, value: ParseValue, b: SqlBuilder): string {
  if (target.kind === 'json') return slot(target, (cell) => jsonEquals(cell, value, b));
  if (value === null) return `${target.column} IS NULL`;
  const param = typedParam(target, value);
  return param === undefined ? '0' : `${target.column} = ${b.bind(param)}`;
}

/**
 * Past this many values, the strings and numbers of an `$in` travel as one JSON array parameter read with
 * `json_each` instead of one parameter each: SQLite allows 32,766 parameters per statement and an OR chain
 * about 1,000 deep, and four `$in` lists of 10,000 under one `$or` (master key) went over (a 500).
 */
const JSON_LIST_AFTER = 32;

/** `value IN (...)` over values that are all strings or all numbers. */
function inList(value: string, params: readonly unknown[], b: SqlBuilder): string {
  if (params.length <= JSON_LIST_AFTER) return `${value} IN (${b.bindList(params)})`;
  return `${value} IN (SELECT value FROM json_each(${b.bind(JSON.stringify(params))}))`;
}

function isJsonListable(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Equality with any of `values` in one JSON cell: strings and numbers each as one list, the rest one by one. */
function jsonIn(cell: JsonCell, values: readonly ParseValue[], b: SqlBuilder): string {
  const strings = values.filter((value): value is string => typeof value === 'string');
  const numbers = values.filter((value): value is number => typeof value === 'number');
  if (strings.length + numbers.length <= JSON_LIST_AFTER) {
    return `(${values.map((value) => jsonEquals(cell, value, b)).join(' OR ')})`;
  }
  const parts = values
    .filter((value) => typeof value !== 'string' && typeof value !== 'number')
    .map((value) => jsonEquals(cell, value, b));
  if (strings.length > 0) parts.push(`(${cell.type} = 'text' AND ${inList(cell.value, strings, b)})`);
  if (numbers.length > 0) parts.push(`(${cell.type} IN ('integer', 'real') AND ${inList(cell.value, numbers, b)})`);
  return `(${parts.join(' OR ')})`;
}

function inValues(target: Target, values: readonly ParseValue[], b: SqlBuilder): string {
  if (values.length === 0) return '0';
  if (target.kind === 'json') return slot(target, (cell) => jsonIn(cell, values, b));
  const params = values
    .filter((value) => value !== null)
    .map((value) => typedParam(target, value))
    .filter((p) => p !== undefined);
  const parts: string[] = [];
  if (params.length > 0) {
    parts.push(
      params.every(isJsonListable) &&
        (params.every((p) => typeof p === 'string') || params.every((p) => typeof p === 'number'))
        ? inList(target.column, params, b)
        : `${target.column} IN (${b.bindList(params)})`,
    );
  }
  if (values.includes(null)) parts.push(`${target.column} IS NULL`);
  return parts.length === 0 ? '0' : `(${parts.join(' OR ')})`;
}

/** `test.op` is the SQL operator (`<`, `<=`, `>`, `>=`). */
function jsonCompare(cell: JsonCell, test: { op: string; wanted: ParseValue }, b: SqlBuilder): string {
  const { type, value } = cell;
  const { op, wanted } = test;
  if (typeof wanted === 'number') return `(${type} IN ('integer', 'real') AND ${value} ${op} ${b.bind(wanted)})`;
  if (typeof wanted === 'string') return `(${type} = 'text' AND ${value} ${op} ${b.bind(wanted)})`;
  if (wanted instanceof Date && !Number.isNaN(wanted.getTime())) {
    return `(${type} = 'object' AND json_extract(${value}, '$.__type') = 'Date' AND json_extract(${value}, '$.iso') ${op} ${b.bind(wanted.toISOString())})`;
  }
  return '0';
}

function compare(target: Target, test: { op: CompareOp; value: ParseValue }, b: SqlBuilder): string {
  const { value } = test;
  const sqlOp = SQL_OPS[test.op];
  if (target.kind === 'json') {
    const jsonTest = { op: sqlOp, wanted: value };
    return slot(target, (cell) => jsonCompare(cell, jsonTest, b));
  }
  if (value === null) return '0';
  const param = typedParam(target, value);
  return param === undefined ? '0' : `${target.column} ${sqlOp} ${b.bind(param)}`;
}

function regex(target: Target, test: { pattern: string; flags: string }, b: SqlBuilder): string {
  const { pattern, flags } = test;
  if (target.kind === 'json') {
    return slot(
      target,
      (cell) => `(${cell.type} = 'text' AND regexp(${b.bind(pattern)}, ${b.bind(flags)}, ${cell.value}))`,
    );
  }
  if (target.type.type !== 'String') return '0';
  return `regexp(${b.bind(pattern)}, ${b.bind(flags)}, ${target.column})`;
}

/** Present, Mongo-style: a stored null counts as present (kept as a marker in `_extra` for columns). */
function exists(target: Target): string {
  if (target.markerField !== undefined) {
    const column = target.kind === 'typed' ? target.column : target.doc;
    return `(${column} IS NOT NULL OR json_type("_extra", ${literal(jsonPath([target.markerField]))}) = 'null')`;
  }
  if (target.kind === 'typed') return `${target.column} IS NOT NULL`;
  return `json_type(${target.doc}, ${literal(target.path)}) IS NOT NULL`;
}

/** `ORDER BY` terms; NULL and missing values sort first ascending and last descending, as in MongoDB. */
export function sortToSql(sort: readonly SortKey[], layout: TableLayout): string {
  const terms = sort.map((key) => {
    const target = resolve(key.path, layout);
    const expr = target.kind === 'typed' ? target.column : `json_extract(${target.doc}, ${literal(target.path)})`;
    return `${expr} ${key.direction === -1 ? 'DESC' : 'ASC'}`;
  });
  return terms.join(', ');
}
