import type { Condition, SortKey } from '../../query/index.js';
import { SCORE_FIELD, SCORE_KEY, isScoreSort, searchOf } from '../../query/index.js';
import type { StoredObject } from '../adapter.js';
import type { ConditionContext } from './condition-sql.js';
import { jsonSlotOf, searchTools, sortToSql } from './condition-sql.js';
import { distanceSql } from './geo-sql.js';
import { textScoreSql } from './text-sql.js';

/**
 * The parts of a SQLite find that depend on a `$nearSphere` or `$text` condition: the ORDER BY (explicit
 * keys, `$score` as best match first, then, for `$nearSphere`, distance — the only order when none is
 * given) and the extra `$score` column for `keys=$score`. Each returns its SQL with its own parameters.
 */

export interface SqlPart {
  readonly sql: string;
  readonly params: unknown[];
}

/** The column alias the relevance is selected as. */
export const SCORE_COLUMN = '$score';

function collector(ctx: ConditionContext): { tools: ReturnType<typeof searchTools>; params: unknown[] } {
  const params: unknown[] = [];
  const tools = searchTools({
    ctx,
    bind: (value) => {
      params.push(value);
      return '?';
    },
  });
  return { tools, params };
}

/** ` ORDER BY …` for the find, or '' for no order. */
export function orderBySql(options: {
  where: Condition;
  sort: readonly SortKey[] | undefined;
  ctx: ConditionContext;
}): SqlPart {
  const { where, sort = [], ctx } = options;
  const search = searchOf(where);
  const { tools, params } = collector(ctx);
  const terms: string[] = [];
  const plain: SortKey[] = [];
  const flush = (): void => {
    if (plain.length > 0) terms.push(sortToSql(plain.splice(0), ctx.layout));
  };
  for (const key of sort) {
    if (!isScoreSort(key)) {
      plain.push(key);
      continue;
    }
    flush();
    // Parse sends `{$meta: "textScore"}` for `$score` and `-$score` alike: best match first.
    if (search.text !== undefined)
      terms.push(`${textScoreSql(search.text, { tools, rowTable: ctx.layout.table })} DESC`);
  }
  flush();
  if (search.near !== undefined) {
    const slot = jsonSlotOf(search.near.path, ctx.layout);
    if (slot !== undefined) terms.push(`${distanceSql(slot, search.near.point, tools)} ASC`);
  }
  return { sql: terms.length === 0 ? '' : ` ORDER BY ${terms.join(', ')}`, params };
}

/** `, <score> AS "$score"` when `keys` asks for `$score` on a text search; undefined otherwise. */
export function scoreColumnSql(options: {
  where: Condition;
  keys: readonly string[] | undefined;
  ctx: ConditionContext;
}): SqlPart | undefined {
  const { where, keys, ctx } = options;
  if (keys === undefined || !keys.includes(SCORE_KEY)) return undefined;
  const { text } = searchOf(where);
  if (text === undefined) return undefined;
  const { tools, params } = collector(ctx);
  return { sql: `, ${textScoreSql(text, { tools, rowTable: ctx.layout.table })} AS "${SCORE_COLUMN}"`, params };
}

/** Moves a selected relevance into the result's `score` field (as MongoDB's `$meta` projection does). */
/** Copies the text score (selected after every column, so the row's last value) into the object. */
export function withScore(object: StoredObject, row: readonly unknown[]): StoredObject {
  const score = row[row.length - 1];
  if (typeof score === 'number') object.fields[SCORE_FIELD] = score;
  return object;
}
