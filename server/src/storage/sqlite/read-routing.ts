import type { Condition } from '../../query/index.js';

/**
 * Where a find runs and how it is bounded: on the event loop (a point read; a cheap condition tried with a row
 * budget) or on a read thread (sqlite-storage.ts decides with these), and its LIMIT as SQL text.
 */

/**
 * Rows a thread-bound find may visit on the event loop before it is sent to the read pool instead: a microsecond
 * or two each (the ACL test, a cheap condition), so at most about a millisecond of the loop.
 */
export const ROW_BUDGET = 500;

/** A find's limit as SQL integer text: at most `Number.MAX_SAFE_INTEGER` (never exponent notation); none: -1. */
export function sqlLimit(limit: number | undefined): string {
  if (limit === undefined || Number.isNaN(limit)) return '-1';
  return String(Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.trunc(limit))));
}

/** Condition kinds whose cost on one row is small (no sub-query, no search, no geo). */
const CHEAP_KINDS: ReadonlySet<Condition['kind']> = new Set([
  'and',
  'or',
  'constant',
  'eq',
  'ne',
  'compare',
  'in',
  'nin',
  'exists',
  'acl',
  'regex',
]);

/** True for `objectId = x` (alone or in a top-level `and`) with only cheap conditions beside it. */
export function isPointRead(where: Condition): boolean {
  const parts = where.kind === 'and' ? where.conditions : [where];
  const pinned = parts.some((c) => c.kind === 'eq' && c.path.length === 1 && c.path[0] === 'objectId');
  return pinned && allCheap(where);
}

export function allCheap(where: Condition): boolean {
  if (!CHEAP_KINDS.has(where.kind)) return false;
  return where.kind === 'and' || where.kind === 'or' ? where.conditions.every(allCheap) : true;
}
