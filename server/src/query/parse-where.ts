import { ErrorCode, ParseError } from '../errors/index.js';
import { Pointer, decodeValue, isPlainObject } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import { MATCH_ALL } from './ast.js';
import type { Condition } from './ast.js';
import { andOf, norOf, orOf } from './combine.js';
import { splitKeyPath, whereKeyPath } from './key-path.js';
import { parseFieldConstraint } from './parse-constraint.js';
import type { ConstraintContext } from './parse-constraint.js';
import { QUERY_COST, QueryCost, checkBranches } from './limits.js';
import type { QueryLimits } from './limits.js';
import type { SubQueryResolver } from './parse-relational.js';

export interface ParseWhereOptions {
  /** The REST `where` (already JSON-parsed). `undefined` / `null` match everything. */
  readonly where: unknown;
  /** The queried class; `undefined` when it does not exist (nothing schema-driven is rewritten then). */
  readonly schema: ClassSchema | undefined;
  /** Deepest nesting of `$and` / `$or` / `$nor`, and of any value. Default 16. */
  readonly maxDepth?: number;
  /** Complexity limits (branches, `$in` sizes, regex length, sub-query depth); none by default. */
  readonly limits?: QueryLimits;
  /** The clock `$relativeTime` is relative to. Default: the system clock. */
  readonly now?: () => Date;
  /**
   * Reaches the classes of `$inQuery` / `$select` sub-queries and secures them. Without it, sub-queries
   * are validated against no schema and kept as nodes that never match in memory (LiveQuery).
   */
  readonly subQueries?: SubQueryResolver;
}

export const DEFAULT_QUERY_MAX_DEPTH = 16;

const TOO_DEEP = { code: ErrorCode.INVALID_QUERY, message: 'Query is too deeply nested' } as const;

/**
 * Parses and validates a client's `where` clause into the `Condition` AST (spec/queries.md §1–§6).
 * Everything a client may not ask for is refused here: internal keys (`_rperm`, `_wperm`, any `_`
 * prefix) and `ACL`. Permission conditions are added by `core`, never taken from client input.
 *
 * @example
 * parseWhere({ where: { score: { $gte: 10 }, name: 'x' }, schema });
 * // → { kind: 'and', conditions: [ { kind: 'compare', path: ['score'], op: 'gte', value: 10 },
 * //                                { kind: 'eq', path: ['name'], value: 'x' } ] }
 */
export function parseWhere(options: ParseWhereOptions): Condition {
  if (options.where === undefined || options.where === null) return MATCH_ALL;
  if (!isPlainObject(options.where)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'where must be a JSON object' });
  }
  const cost = new QueryCost(options.limits?.maxCost);
  return parseClause(options.where, {
    context: contextFor(options, { schema: options.schema, subqueryDepth: 0, cost }),
    level: 0,
  });
}

/** The context for one (sub-)query: its class, plus everything shared by the whole `where`. */
function contextFor(
  options: ParseWhereOptions,
  clause: { readonly schema: ClassSchema | undefined; readonly subqueryDepth: number; readonly cost: QueryCost },
): ConstraintContext {
  return {
    cost: clause.cost,
    schema: clause.schema,
    maxDepth: options.maxDepth ?? DEFAULT_QUERY_MAX_DEPTH,
    tooDeep: TOO_DEEP,
    limits: options.limits ?? {},
    now: options.now ?? (() => new Date()),
    subQueries: options.subQueries,
    subqueryDepth: clause.subqueryDepth,
    parseSubWhere: (sub) =>
      parseClause(sub.where, { context: contextFor(options, { ...sub, cost: clause.cost }), level: 0 }),
  };
}

/** Where a clause sits: the shared context and how many `$and` / `$or` / `$nor` enclose it. */
interface ClauseScope {
  readonly context: ConstraintContext;
  readonly level: number;
}

function parseClause(where: Record<string, unknown>, scope: ClauseScope): Condition {
  const { context } = scope;
  const conditions: Condition[] = [];
  for (const key of Object.keys(where)) {
    const value = where[key];
    switch (key) {
      case '$or':
      case '$and':
      case '$nor':
        conditions.push(parseLogical(key, value, { context, level: scope.level + 1 }));
        break;
      case '$relatedTo':
        conditions.push(parseRelatedTo(value, context));
        break;
      default:
        if (key === 'ACL' || key.startsWith('ACL.')) {
          throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'Cannot query on ACL.' });
        }
        conditions.push(parseFieldConstraint(whereKeyPath(key), value, context));
    }
  }
  return andOf(conditions);
}

function parseLogical(operator: '$or' | '$and' | '$nor', value: unknown, scope: ClauseScope): Condition {
  if (scope.level > scope.context.maxDepth) throw new ParseError(TOO_DEEP.code, { message: TOO_DEEP.message });
  if (!Array.isArray(value)) {
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message:
        operator === '$nor'
          ? 'Bad $nor format - use an array of at least 1 value.'
          : `Bad ${operator} format - use an array value.`,
    });
  }
  if (value.length === 0) {
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message: `Bad ${operator} format - use an array of at least 1 value.`,
    });
  }
  checkBranches(scope.context.limits, { operator, count: value.length });
  scope.context.cost.charge(value.length * QUERY_COST.branch);
  const conditions: Condition[] = [];
  for (const clause of value as unknown[]) {
    if (!isPlainObject(clause)) {
      throw new ParseError(ErrorCode.INVALID_QUERY, {
        message: `Bad ${operator} format - each element must be an object.`,
      });
    }
    conditions.push(parseClause(clause, scope));
  }
  if (operator === '$or') return orOf(conditions);
  if (operator === '$and') return andOf(conditions);
  return norOf(conditions);
}

function parseRelatedTo(value: unknown, context: ConstraintContext): Condition {
  const bad = new ParseError(ErrorCode.INVALID_JSON, { message: 'bad $relatedTo value' });
  if (!isPlainObject(value)) throw bad;
  const key = value['key'];
  if (typeof key !== 'string' || splitKeyPath(key)?.length !== 1) throw bad;
  const owner = decodeValue(value['object'] ?? null, { maxDepth: context.maxDepth, tooDeep: context.tooDeep });
  if (!(owner instanceof Pointer)) throw bad;
  return { kind: 'relatedTo', ownerClass: owner.className, field: key, owningId: owner.objectId };
}
