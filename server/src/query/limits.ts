import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * Limits on the complexity of a `where` clause, so one request cannot make the database do
 * unbounded work. Every limit is optional (unset: unlimited); core leaves them all unset for the
 * master key, as Parse does. The nesting depth of `$and/$or/$nor` and of values is the separate
 * `maxDepth` of `parseWhere`, which applies to everyone because it also protects the parser itself.
 *
 * The per-part limits bound each piece; `maxCost` bounds their sum, which is what the database's work
 * grows with: 500 branches each under the branch limit, each holding a sub-query and a 10,000-value
 * `$in` under theirs, would otherwise pass every per-part check.
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
  /** Most total cost of one `where`, sub-queries included (see QUERY_COST). */
  readonly maxCost?: number;
}

/**
 * What each part of a `where` adds to its cost. A regex costs by its compiled RE2 program, not by its
 * length: matching does up to one step per instruction per character of text, and `(\w|\d){999}` is 11
 * characters but 3,000 instructions.
 */
export const QUERY_COST = Object.freeze({
  /** Each field constraint (`{"a":1}`, `{"a":{"$gt":1,"$lt":5}}` counts once per operator). */
  constraint: 1,
  /** Each value of `$in` / `$nin` / `$all` / `$containedBy`. */
  value: 1,
  /** Each element of `$or` / `$and` / `$nor`. */
  branch: 1,
  /** Each sub-query (`$inQuery`, `$notInQuery`, `$select`, `$dontSelect`): a query of its own. */
  subquery: 100,
  /** Each instruction of a `$regex`'s compiled program. */
  regexInstruction: 10,
});

/** The running cost of one `where` (sub-queries included); refuses the query once it passes `maxCost`. */
export class QueryCost {
  private total = 0;

  constructor(private readonly max: number | undefined) {}

  charge(points: number): void {
    this.total += points;
    if (this.max !== undefined && this.total > this.max) {
      throw tooComplex(
        `Query is too complex: its cost is over ${this.max} (each constraint, $in/$nin/$all/$containedBy ` +
          `value and $or/$and/$nor branch costs 1, each sub-query ${QUERY_COST.subquery}, each $regex ` +
          `${QUERY_COST.regexInstruction} per instruction of its compiled program).`,
      );
    }
  }

  get spent(): number {
    return this.total;
  }
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
