import { ErrorCode, ParseError } from '../errors/index.js';
import type { FindRequest } from '../core/index.js';
import { truthy } from './params.js';

/**
 * The database-facing find parameters of rest.md §4.5 (`redirectClassNameForKey`, `explain`, `hint`,
 * `comment`, `readPreference`, `includeReadPreference`, `subqueryReadPreference`), picked from the merged
 * query/body parameters for any route that runs a find. Core validates their values.
 */
export function findQueryOptions(
  params: Readonly<Record<string, unknown>>,
): Pick<
  FindRequest,
  | 'redirectClassNameForKey'
  | 'explain'
  | 'hint'
  | 'comment'
  | 'readPreference'
  | 'includeReadPreference'
  | 'subqueryReadPreference'
> {
  const redirect = params['redirectClassNameForKey'];
  if (redirect !== undefined && typeof redirect !== 'string') {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'redirectClassNameForKey must be a field name.' });
  }
  const out: Record<string, unknown> = {};
  if (redirect !== undefined) out['redirectClassNameForKey'] = redirect;
  if (truthy(params['explain'])) out['explain'] = true;
  for (const key of ['hint', 'comment', 'readPreference', 'includeReadPreference', 'subqueryReadPreference']) {
    const value = params[key];
    if (value !== undefined && value !== null && value !== '') out[key] = value;
  }
  return out;
}
