import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * `$relativeTime` strings (spec/queries.md §3): `"now"`, `"in 2 days"`, `"3 hours ago"`, and several
 * `<integer> <unit>` pairs such as `"in 1 day 2 hours"`. A year counts 365 days and a week 7, as in
 * Parse Server, so the result does not depend on calendars or time zones.
 */

const SECONDS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ...['yr', 'yrs', 'year', 'years'].map((unit) => [unit, 365 * 86_400] as const),
  ...['wk', 'wks', 'week', 'weeks'].map((unit) => [unit, 7 * 86_400] as const),
  ...['d', 'day', 'days'].map((unit) => [unit, 86_400] as const),
  ...['hr', 'hrs', 'hour', 'hours'].map((unit) => [unit, 3_600] as const),
  ...['min', 'mins', 'minute', 'minutes'].map((unit) => [unit, 60] as const),
  ...['sec', 'secs', 'second', 'seconds'].map((unit) => [unit, 1] as const),
]);

function bad(operator: string, explanation: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message: `bad $relativeTime (${operator}) value. ${explanation}` });
}

/**
 * The date a `$relativeTime` string names, relative to `now`; throws 107 explaining what is wrong.
 * `operator` (`$lt`, ...) only appears in the error message.
 *
 * @example
 * relativeTimeToDate({ text: 'in 1 day 2 hours', now: new Date('2024-01-01T00:00:00Z'), operator: '$lt' });
 * // → 2024-01-02T02:00:00.000Z
 */
export function relativeTimeToDate(options: { text: unknown; now: Date; operator: string }): Date {
  const { text, now, operator } = options;
  if (typeof text !== 'string') throw bad(operator, 'Time should be a string.');
  const words = text.trim().toLowerCase().split(/\s+/);
  if (words.length === 1 && words[0] === 'now') return new Date(now.getTime());
  const future = words[0] === 'in';
  const past = words[words.length - 1] === 'ago';
  if (!future && !past) throw bad(operator, "Time should either start with 'in' or end with 'ago'.");
  if (future && past) throw bad(operator, "Time cannot have both 'in' and 'ago'.");
  const pairs = future ? words.slice(1) : words.slice(0, -1);
  if (pairs.length === 0 || pairs.length % 2 !== 0)
    throw bad(operator, 'Invalid time string. Dangling unit or number.');
  let seconds = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const amountText = pairs[i] ?? '';
    const unit = pairs[i + 1] ?? '';
    if (!/^\d+$/.test(amountText)) throw bad(operator, `'${amountText}' is not an integer.`);
    const perUnit = SECONDS_PER_UNIT.get(unit);
    if (perUnit === undefined) throw bad(operator, `Invalid interval: '${unit}'.`);
    seconds += Number(amountText) * perUnit;
  }
  const offsetMs = seconds * 1000 * (future ? 1 : -1);
  const result = new Date(now.getTime() + offsetMs);
  if (Number.isNaN(result.getTime())) throw bad(operator, 'The time is out of range.');
  return result;
}
