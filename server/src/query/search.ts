import { ErrorCode, ParseError } from '../errors/index.js';
import type { Condition, SortKey } from './ast.js';

/**
 * The two conditions that do more than filter: `$nearSphere` orders results by distance and `$text`
 * gives each result a relevance score. Like MongoDB, Strata allows each at most once, only where every
 * result must satisfy it (the top level, possibly inside `$and`), and never both in one query; this module
 * checks that, finds them for storage adapters, and rewrites `$nearSphere` for counting.
 */

export type NearSphereCondition = Extract<Condition, { kind: 'nearSphere' }>;
export type TextCondition = Extract<Condition, { kind: 'text' }>;

export interface SearchConditions {
  readonly near?: NearSphereCondition;
  readonly text?: TextCondition;
}

/** The `order` / `keys` name of the text relevance (`order=$score`, `keys=$score`). */
export const SCORE_KEY = '$score';
/** The field a `keys=$score` result carries its relevance in. */
export const SCORE_FIELD = 'score';

/** True for the sort key `order=$score` / `-$score` produces (both mean best match first, as in Parse). */
export function isScoreSort(key: SortKey): boolean {
  return key.path.length === 1 && key.path[0] === SCORE_KEY;
}

function collect(condition: Condition, found: { near: NearSphereCondition[]; text: TextCondition[] }): void {
  switch (condition.kind) {
    case 'and':
      for (const child of condition.conditions) collect(child, found);
      return;
    case 'nearSphere':
      found.near.push(condition);
      return;
    case 'text':
      found.text.push(condition);
      return;
    default:
  }
}

/** The top-level `$nearSphere` and `$text` conditions of a checked `where`. */
export function searchOf(condition: Condition): SearchConditions {
  const found = { near: [] as NearSphereCondition[], text: [] as TextCondition[] };
  collect(condition, found);
  const [near] = found.near;
  const [text] = found.text;
  return { ...(near === undefined ? {} : { near }), ...(text === undefined ? {} : { text }) };
}

function nestedSearch(condition: Condition): string | undefined {
  switch (condition.kind) {
    case 'nearSphere':
      return '$nearSphere';
    case 'text':
      return '$text';
    case 'and':
    case 'or':
    case 'nor':
      for (const child of condition.conditions) {
        const found = nestedSearch(child);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Refuses (102) a `$nearSphere` or `$text` under `$or` / `$nor`, two of either, or both together:
 * MongoDB rejects each of these, so no backend answers them.
 */
export function assertSearchPlacement(condition: Condition): Condition {
  const found = { near: [] as NearSphereCondition[], text: [] as TextCondition[] };
  collect(condition, found);
  const refuse = (message: string): never => {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message });
  };
  if (found.near.length > 1) refuse('Only one $nearSphere is allowed in a query.');
  if (found.text.length > 1) refuse('Only one $text is allowed in a query.');
  if (found.near.length > 0 && found.text.length > 0) refuse('$text and $nearSphere cannot be used in the same query.');
  checkBranches(condition, refuse);
  return condition;
}

function checkBranches(condition: Condition, refuse: (message: string) => never): void {
  if (condition.kind === 'and') {
    for (const child of condition.conditions) checkBranches(child, refuse);
  } else if (condition.kind === 'or' || condition.kind === 'nor') {
    const nested = nestedSearch(condition);
    if (nested !== undefined) refuse(`${nested} is not allowed inside $${condition.kind}.`);
  }
}

/**
 * The condition with every `$nearSphere` turned into the equivalent pure filter, `$geoWithin` a sphere of
 * its max distance (the whole sphere when it has none): what a count runs, since counting has no order
 * and MongoDB refuses `$nearSphere` in a count.
 */
export function withoutDistanceOrder(condition: Condition): Condition {
  switch (condition.kind) {
    case 'nearSphere':
      return {
        kind: 'withinSphere',
        path: condition.path,
        center: condition.point,
        radius: condition.maxDistance ?? Math.PI,
      };
    case 'and':
    case 'or':
    case 'nor': {
      if (nestedSearch(condition) === undefined) return condition;
      return { kind: condition.kind, conditions: condition.conditions.map(withoutDistanceOrder) };
    }
    default:
      return condition;
  }
}
