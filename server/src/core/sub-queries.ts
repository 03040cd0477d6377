import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { ParseWhereOptions, SubQueryResolver } from '../query/index.js';
import type { CoreDeps } from './deps.js';
import type { ReadPolicies } from './read-policies.js';

/**
 * What `parseWhere` needs beyond the main class for one caller: the sub-query resolver, the complexity
 * limits and the clock of `$relativeTime`.
 *
 * Sub-queries (`$inQuery`, `$notInQuery`, `$select`, `$dontSelect`) run with the caller's permissions
 * (spec/queries.md §3): each goes through the read policy of its class for the same caller, like a find
 * there (master-only classes, CLP `find` and pointer permissions, read ACL with roles, a system class's own
 * restriction), and may not test a field hidden from the caller, neither in its `where` nor as the `key`
 * of `$select`/`$dontSelect` (119). Storage then runs the secured sub-query inside the backend. Schemas
 * come from the registry's cache (`lookup`), so the synchronous parser can reach any class.
 */
export async function whereOptions(options: {
  deps: CoreDeps;
  auth: Auth;
  policies: ReadPolicies;
}): Promise<Pick<ParseWhereOptions, 'limits' | 'now' | 'subQueries'>> {
  const { deps, auth, policies } = options;
  return {
    ...whereLimits(deps, auth),
    now: deps.users.now,
    subQueries: await subQueryResolver({ deps, policies }),
  };
}

/**
 * The complexity limits alone: all a `where` without sub-queries or `$relativeTime` needs (a get's
 * `{"objectId": "…"}`), without building the sub-query resolver. The master key is exempt, as in Parse.
 */
export function whereLimits(deps: CoreDeps, auth: Auth): Pick<ParseWhereOptions, 'limits'> {
  const limits = deps.options.queryLimits;
  return limits === undefined || isMasterLike(auth) ? {} : { limits };
}

async function subQueryResolver(options: { deps: CoreDeps; policies: ReadPolicies }): Promise<SubQueryResolver> {
  const { deps, policies } = options;
  const schemaOf = await deps.schemas.lookup();
  return {
    schemaOf,
    restrict: ({ schema, where, key }) => {
      const policy = policies.of(schema, { operations: ['find'], byId: false });
      policy.assertPermitted();
      policy.assertTestable({ where, fields: key === undefined ? [] : [key[0]] });
      return policy.restrict(where);
    },
  };
}
