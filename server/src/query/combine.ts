import { MATCH_ALL, MATCH_NONE } from './ast.js';
import type { Condition } from './ast.js';

/**
 * Builds `and` / `or` / `nor` conditions, folding constants away (`$in: []` inside an `$or` just
 * drops out) and unwrapping single children, so storage adapters see the smallest equivalent tree.
 */

export function andOf(conditions: readonly Condition[]): Condition {
  const kept: Condition[] = [];
  for (const condition of conditions) {
    if (condition.kind === 'constant') {
      if (!condition.value) return MATCH_NONE;
    } else kept.push(condition);
  }
  if (kept.length === 0) return MATCH_ALL;
  if (kept.length === 1 && kept[0] !== undefined) return kept[0];
  return { kind: 'and', conditions: kept };
}

export function orOf(conditions: readonly Condition[]): Condition {
  const kept: Condition[] = [];
  for (const condition of conditions) {
    if (condition.kind === 'constant') {
      if (condition.value) return MATCH_ALL;
    } else kept.push(condition);
  }
  if (kept.length === 0) return MATCH_NONE;
  if (kept.length === 1 && kept[0] !== undefined) return kept[0];
  return { kind: 'or', conditions: kept };
}

export function norOf(conditions: readonly Condition[]): Condition {
  const kept: Condition[] = [];
  for (const condition of conditions) {
    if (condition.kind === 'constant') {
      if (condition.value) return MATCH_NONE;
    } else kept.push(condition);
  }
  if (kept.length === 0) return MATCH_ALL;
  return { kind: 'nor', conditions: kept };
}

/**
 * Rebuilds `condition` with every leaf (any node but `and` / `or` / `nor`) replaced by what `rewrite`
 * resolves to; siblings are rewritten concurrently. Storage adapters use it to swap conditions they resolve
 * with a pre-query (relations, sub-queries) for plain `in` / `nin` conditions.
 */
export async function rewriteLeaves(
  condition: Condition,
  rewrite: (leaf: Condition) => Promise<Condition>,
): Promise<Condition> {
  if (condition.kind === 'and' || condition.kind === 'or' || condition.kind === 'nor') {
    const conditions = await Promise.all(condition.conditions.map((child) => rewriteLeaves(child, rewrite)));
    return { kind: condition.kind, conditions };
  }
  return rewrite(condition);
}
