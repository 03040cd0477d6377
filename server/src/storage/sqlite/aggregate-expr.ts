import { ErrorCode, ParseError } from '../../errors/index.js';
import type { Accumulator, PipelineExpression } from '../../query/index.js';
import { jsonPath, literal } from './names.js';
import { canonicalText } from './value-codec.js';

/**
 * Aggregation expressions and `$group` accumulators as SQLite SQL over the pipeline document column
 * `"_extra"` (JSON text). Values are JSON-typed SQL expressions; SQL NULL means "missing", JSON null is
 * a present null, as in MongoDB. Anything without an exact translation is refused with 102.
 */

export const DOC = '"_extra"';

export function unsupported(what: string): ParseError {
  return new ParseError(ErrorCode.INVALID_QUERY, { message: `${what} is not supported on SQLite` });
}

export function pathLiteral(path: readonly string[]): string {
  return literal(jsonPath(path));
}

/** A path's value as JSON (subtype kept), or NULL when missing. */
export function fieldValue(path: readonly string[]): string {
  return `(${DOC} -> ${pathLiteral(path)})`;
}

function nativeName(json: unknown): string {
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const first = Object.keys(json)[0];
    if (first !== undefined) return `Aggregate expression ${first}`;
  }
  return 'This aggregate expression';
}

/** An expression's value as JSON, or NULL when it resolves to "missing". */
export function expressionValue(expression: PipelineExpression): string {
  switch (expression.kind) {
    case 'field':
      return fieldValue(expression.path);
    case 'literal':
      return `json(${literal(canonicalText(expression.value))})`;
    case 'object':
      return objectOf(expression.fields.map(([key, value]) => [key, expressionValue(value)] as const));
    case 'native':
      throw unsupported(nativeName(expression.json));
  }
}

/** `{key: value, …}` where entries whose value is NULL (missing) are left out, as MongoDB does. */
export function objectOf(entries: ReadonlyArray<readonly [string, string]>): string {
  if (entries.length === 0) return `json_object()`;
  const built = `json_object(${entries.map(([key, value]) => `${literal(key)}, ${value}`).join(', ')})`;
  const removals = entries.map(
    ([key, value]) => `CASE WHEN ${value} IS NULL THEN ${pathLiteral([key])} ELSE '$."#"' END`,
  );
  return `json_remove(${built}, ${removals.join(', ')})`;
}

function numeric(path: readonly string[]): string {
  const p = pathLiteral(path);
  return `CASE WHEN json_type(${DOC}, ${p}) IN ('integer', 'real') THEN json_extract(${DOC}, ${p}) END`;
}

/**
 * MongoDB's order of types for `$min`/`$max`/`$sort`: null, numbers, strings, objects, arrays,
 * booleans, dates. `value` is JSON-typed; NULL (missing) ranks with null.
 */
export function typeRank(value: string): string {
  return (
    `CASE json_type(${value}) WHEN 'integer' THEN 1 WHEN 'real' THEN 1 WHEN 'text' THEN 2 ` +
    `WHEN 'object' THEN CASE WHEN json_extract(${value}, '$.__type') = 'Date' THEN 6 ELSE 3 END ` +
    `WHEN 'array' THEN 4 WHEN 'true' THEN 5 WHEN 'false' THEN 5 ELSE 0 END`
  );
}

/** The value for ordering within one type rank (numbers numerically, others by their JSON text). */
export function rankValue(value: string): string {
  return `CASE json_type(${value}) WHEN 'integer' THEN json_extract(${value}, '$') WHEN 'real' THEN json_extract(${value}, '$') WHEN 'text' THEN json_extract(${value}, '$') WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE ${value} END`;
}

/** One accumulator as an aggregate SQL expression (JSON-typed) over the group's rows. */
export function accumulatorSql(accumulator: Accumulator): string {
  const { op, expression } = accumulator;
  if (op === 'count') return 'count(*)';
  if (op === 'sum' || op === 'avg') {
    if (expression.kind === 'literal') {
      if (op === 'avg') return typeof expression.value === 'number' ? String(expression.value) : 'NULL';
      return typeof expression.value === 'number' ? `(${expression.value} * count(*))` : '0';
    }
    if (expression.kind !== 'field') throw unsupported(`$${op} of a computed expression`);
    return op === 'sum' ? `total(${numeric(expression.path)})` : `avg(${numeric(expression.path)})`;
  }
  const value = expressionValue(expression);
  const present = `FILTER (WHERE ${value} IS NOT NULL AND json_type(${value}) <> 'null')`;
  switch (op) {
    case 'min':
    case 'max':
      // Null and missing values are ignored; an all-null group gives null.
      return `(json_group_array(${value} ORDER BY ${typeRank(value)}, ${rankValue(value)}) ${present} -> '${op === 'min' ? '$[0]' : '$[#-1]'}')`;
    case 'first':
    case 'last':
      return `(json_group_array(coalesce(${value}, json('null')) ORDER BY rn) -> '${op === 'first' ? '$[0]' : '$[#-1]'}')`;
    case 'push':
      return `json_group_array(${value} ORDER BY rn) FILTER (WHERE ${value} IS NOT NULL)`;
    case 'addToSet':
      return `json_group_array(DISTINCT ${value}) FILTER (WHERE ${value} IS NOT NULL)`;
  }
}
