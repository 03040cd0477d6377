import { ErrorCode, ParseError } from '../errors/index.js';
import { decodeValue, isPlainObject } from '../schema/index.js';
import type { ClassSchema, ParseValue } from '../schema/index.js';
import { MATCH_ALL, MATCH_NONE } from './ast.js';
import type { Condition, FieldPath, SubQuery } from './ast.js';
import { splitKeyPath } from './key-path.js';
import { QUERY_COST, checkInValues, checkSubqueryDepth } from './limits.js';
import type { QueryCost, QueryLimits } from './limits.js';

/**
 * The relational operators of a field constraint (spec/queries.md §3): `$inQuery` / `$notInQuery`
 * (`{"className","where"}`), `$select` / `$dontSelect` (`{"query":{"className","where"},"key"}`) and
 * `$containedBy`. Sub-queries are parsed here, against their own class, into `SubQuery`s that carry the
 * caller's permission conditions (added by the `SubQueryResolver` core passes in); storage runs them.
 */

/** How the parser reaches other classes for sub-queries. Core builds it per request. */
export interface SubQueryResolver {
  /** The schema of a sub-query's class; `undefined` when it does not exist (the sub-query matches nothing). */
  schemaOf(className: string): ClassSchema | undefined;
  /**
   * The sub-query's condition with the caller's permission conditions added. `key` is the field a
   * `$select` / `$dontSelect` reads from the sub-query's results: its values decide the outer match, so
   * the caller must be allowed to test it like a `where` field. May throw (e.g. 119 for a class the
   * caller may not query, or a hidden `key`).
   */
  restrict(options: { readonly schema: ClassSchema; readonly where: Condition; readonly key?: FieldPath }): Condition;
}

/** What relational parsing needs from the surrounding parse. */
export interface RelationalContext {
  readonly limits: QueryLimits;
  /** The whole `where`'s running cost, shared with its sub-queries. */
  readonly cost: QueryCost;
  readonly subQueries: SubQueryResolver | undefined;
  /** Sub-query nesting of the clause being parsed: 0 for the main query. */
  readonly subqueryDepth: number;
  readonly maxDepth: number;
  readonly tooDeep: { readonly code: ErrorCode; readonly message: string };
  /** Parses a sub-query's `where` against its class (one level deeper). */
  readonly parseSubWhere: (options: {
    readonly where: Record<string, unknown>;
    readonly schema: ClassSchema | undefined;
    readonly subqueryDepth: number;
  }) => Condition;
}

function improper(operator: string): ParseError {
  return new ParseError(ErrorCode.INVALID_QUERY, { message: `improper usage of ${operator}` });
}

/** `{"className":"C","where":{…}}` (extra keys such as `limit` are ignored, as in Parse). */
export function parseInQuery(
  path: FieldPath,
  input: { readonly operator: '$inQuery' | '$notInQuery'; readonly operand: unknown },
  context: RelationalContext,
): Condition {
  const { operator, operand } = input;
  if (!isPlainObject(operand)) throw improper(operator);
  const mode = operator === '$inQuery' ? 'in' : 'notIn';
  const sub = parseSubQuery(operand, { operator, context });
  if (sub === undefined) return mode === 'in' ? MATCH_NONE : MATCH_ALL;
  return { kind: 'inQuery', path, mode, sub };
}

/** `{"query":{"className":"C","where":{…}},"key":"k"}`: exactly those two keys. */
export function parseSelect(
  path: FieldPath,
  input: { readonly operator: '$select' | '$dontSelect'; readonly operand: unknown },
  context: RelationalContext,
): Condition {
  const { operator, operand } = input;
  if (!isPlainObject(operand) || Object.keys(operand).length !== 2) throw improper(operator);
  const query = operand['query'];
  const keyText = operand['key'];
  if (!isPlainObject(query) || typeof keyText !== 'string') throw improper(operator);
  const key = splitKeyPath(keyText);
  if (key === undefined) throw improper(operator);
  const mode = operator === '$select' ? 'in' : 'notIn';
  const sub = parseSubQuery(query, { operator, context, key });
  if (sub === undefined) return mode === 'in' ? MATCH_NONE : MATCH_ALL;
  return { kind: 'select', path, mode, sub, key };
}

/**
 * A sub-query's class and condition, or `undefined` when its class does not exist. A
 * `redirectClassNameForKey` naming a Relation field of that class queries the relation's target class.
 */
function parseSubQuery(
  query: Record<string, unknown>,
  options: { readonly operator: string; readonly context: RelationalContext; readonly key?: FieldPath },
): SubQuery | undefined {
  const { operator, context, key } = options;
  const where = query['where'] ?? (operator === '$select' || operator === '$dontSelect' ? {} : undefined);
  const requested = query['className'];
  if (typeof requested !== 'string' || requested.length === 0 || !isPlainObject(where)) throw improper(operator);
  const depth = context.subqueryDepth + 1;
  checkSubqueryDepth(context.limits, depth);
  context.cost.charge(QUERY_COST.subquery);
  const resolver = context.subQueries;
  const className = redirectedClass(resolver, { className: requested, key: query['redirectClassNameForKey'] });
  if (resolver === undefined) {
    // No way to reach other classes (e.g. a LiveQuery subscription): keep the node, which never matches
    // in memory, after validating the sub-query against no schema.
    const schema: ClassSchema = { className, fields: {} };
    return { className, schema, where: context.parseSubWhere({ where, schema: undefined, subqueryDepth: depth }) };
  }
  const schema = resolver.schemaOf(className);
  if (schema === undefined) return undefined;
  const parsed = context.parseSubWhere({ where, schema, subqueryDepth: depth });
  return {
    className,
    schema,
    where: resolver.restrict({ schema, where: parsed, ...(key === undefined ? {} : { key }) }),
  };
}

function redirectedClass(
  resolver: SubQueryResolver | undefined,
  options: { readonly className: string; readonly key: unknown },
): string {
  if (resolver === undefined || typeof options.key !== 'string') return options.className;
  const field = resolver.schemaOf(options.className)?.fields[options.key];
  return field?.type === 'Relation' ? field.targetClass : options.className;
}

/** `$containedBy: [values]`: every element of the array field is one of them. */
export function parseContainedBy(path: FieldPath, operand: unknown, context: RelationalContext): Condition {
  if (!Array.isArray(operand)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'bad $containedBy: should be an array' });
  }
  checkInValues(context.limits, { operator: '$containedBy', count: operand.length });
  context.cost.charge(operand.length * QUERY_COST.value);
  const values = decodeValue(operand, { maxDepth: context.maxDepth, tooDeep: context.tooDeep }) as ParseValue[];
  return { kind: 'containedBy', path, values };
}
