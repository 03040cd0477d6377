import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { ParseWhereOptions, SubQueryResolver } from '../query/index.js';
import { assertClassAccess } from './access.js';
import type { Caller } from './caller.js';
import { readCondition } from './class-access.js';
import { assertClassFind, classRules, withClassRestriction } from './classes/index.js';
import type { CoreDeps } from './deps.js';
import { assertQueryable, protectedPlan } from './protected-read.js';

/**
 * What `parseWhere` needs beyond the main class for one caller: the sub-query resolver, the complexity
 * limits and the clock of `$relativeTime`.
 *
 * Sub-queries (`$inQuery`, `$notInQuery`, `$select`, `$dontSelect`) run with the caller's permissions
 * (spec/queries.md §3): each sub-condition gets the same restrictions as a find on that class by the same
 * caller (volatile classes, CLP `find` and pointer permissions, read ACL with roles, a system class's own
 * restriction, no querying protected fields). Storage then runs the secured sub-query inside the backend.
 * Schemas come from the registry's cache (`lookup`), so the synchronous parser can reach any class.
 */
export async function whereOptions(options: {
  deps: CoreDeps;
  auth: Auth;
  caller: Caller;
}): Promise<Pick<ParseWhereOptions, 'limits' | 'now' | 'subQueries'>> {
  const { deps, auth, caller } = options;
  const limits = deps.options.queryLimits;
  return {
    // The master key is exempt from complexity limits, as in Parse.
    ...(limits === undefined || isMasterLike(auth) ? {} : { limits }),
    now: deps.users.now,
    subQueries: await subQueryResolver({ deps, auth, caller }),
  };
}

async function subQueryResolver(options: { deps: CoreDeps; auth: Auth; caller: Caller }): Promise<SubQueryResolver> {
  const { deps, auth, caller } = options;
  const schemaOf = await deps.schemas.lookup();
  return {
    schemaOf,
    restrict: ({ schema, where }) => {
      assertClassAccess({ auth, className: schema.className, operation: 'read' });
      assertClassFind({ rules: classRules(schema.className), auth });
      assertQueryable({ plan: protectedPlan({ deps, caller, schema }), where, order: [] });
      const secured = readCondition({ caller, schema, operations: ['find'], where });
      return withClassRestriction(secured, { rules: classRules(schema.className), auth, access: 'read' });
    },
  };
}
