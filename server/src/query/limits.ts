import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * Limits on the complexity of a `where` clause, so one request cannot make the database do
 * unbounded work. Every limit is optional (unset: unlimited); core leaves them all unset for the
 * master key, as Parse does. The nesting depth of `$and/$or/$nor` and of values is the separate
 * `maxDepth` of `parseWhere`, which applies to everyone because it also protects the parser itself.
 */
export interface QueryLimits {
  /** Most elements in one `$or` / `$and` / `$nor` array. */
  readonly maxBranches?: number;
  /** Most values in one `$in` / `$nin` / `$all` / `$containedBy` array. */
  readonly maxInValues?: number;
  /** Longest `$regex` pattern, in characters. */
  readonly maxRegexLength?: number;
  /** Deepest nesting of sub-queries (`$inQuery`, `$notInQuery`, `$select`, `$dontSelect`); 1 allows no nesting. */
  readonly maxSubqueryDepth?: number;
}

function tooComplex(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_QUERY, { message });
}

export function checkBranches(limits: QueryLimits, check: { operator: string; count: number }): void {
  const max = limits.maxBranches;
  if (max !== undefined && check.count > max) {
    throw tooComplex(`Too many ${check.operator} branches: ${check.count} (at most ${max} allowed).`);
  }
}

export function checkInValues(limits: QueryLimits, check: { operator: string; count: number }): void {
  const max = limits.maxInValues;
  if (max !== undefined && check.count > max) {
    throw tooComplex(`Too many values in ${check.operator}: ${check.count} (at most ${max} allowed).`);
  }
}

export function checkRegexLength(limits: QueryLimits, pattern: unknown): void {
  const max = limits.maxRegexLength;
  if (max !== undefined && typeof pattern === 'string' && pattern.length > max) {
    throw tooComplex(`$regex pattern is too long: ${pattern.length} characters (at most ${max} allowed).`);
  }
}

/** `depth` is the nesting level of the sub-query about to be parsed (1 for a sub-query of the main query). */
export function checkSubqueryDepth(limits: QueryLimits, depth: number): void {
  const max = limits.maxSubqueryDepth;
  if (max !== undefined && depth > max) {
    throw tooComplex(`Subqueries are nested too deeply (at most ${max} levels allowed).`);
  }
}
