import { ErrorCode, ParseError } from '../errors/index.js';
import { SCORE_FIELD, SCORE_KEY, assertSearchPlacement, searchOf } from '../query/index.js';
import type { Condition } from '../query/index.js';

/**
 * The find options that only make sense with a `$text` search (spec/queries.md §4.2–4.3, §8):
 * `order=$score` / `-$score` (best match first) and `keys=$score` (a `score` field in each result).
 * Storage computes the score; this checks the request and maps the `$score` key to the `score` field.
 */

/**
 * Checks where `$nearSphere` / `$text` sit (see `assertSearchPlacement`) and refuses `$score` in `order`
 * or `keys` without a `$text` condition (102), which MongoDB would refuse too.
 */
export function checkSearchRequest(request: {
  readonly where: Condition;
  readonly order?: string | undefined;
  readonly keys?: readonly string[] | undefined;
}): void {
  assertSearchPlacement(request.where);
  const usesScore =
    (request.keys?.includes(SCORE_KEY) ?? false) ||
    (request.order ?? '').split(',').some((item) => item.trim().replace(/^-/, '') === SCORE_KEY);
  if (usesScore && searchOf(request.where).text === undefined) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: '$score can only be used with a $text query.' });
  }
}

/** The result fields `keys` keeps: `$score` keeps the `score` field storage fills in. */
export function withScoreField(keys: ReadonlySet<string>): ReadonlySet<string> {
  return keys.has(SCORE_KEY) ? new Set([...keys, SCORE_FIELD]) : keys;
}
