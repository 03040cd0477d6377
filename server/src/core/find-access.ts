import type { Auth, ProtectedFieldsPlan } from '../auth/index.js';
import { parseOrder } from '../query/index.js';
import type { Condition } from '../query/index.js';
import type { ClassSchema, ClpOperation } from '../schema/index.js';

import type { Caller } from './caller.js';
import { readCondition } from './class-access.js';
import type { CoreDeps } from './deps.js';
import { assertQueryable, protectedPlan } from './protected-read.js';
import { guardRelatedTo } from './related-to-guard.js';

/** What a find may do, decided once before it touches storage. */
export interface FindAccess {
  readonly caller: Caller;
  /** The parsed `where` with the caller's CLP restrictions, pointer permissions and read ACL ANDed in. */
  readonly where: Condition;
  /** Fields to hide from the caller; undefined when none. */
  readonly plan: ProtectedFieldsPlan | undefined;
}

/**
 * The permission step of find/get/count (spec/security.md §4.2): CLP `get` for an objectId-only `where`,
 * `count` (plus `find` unless `limit=0`) for counts, else `find`; `$relatedTo` owners the caller cannot
 * read yield nothing; a `where` or `order` on a protected field → 119. Master-like callers pass as is.
 */
export async function authorizeFind(options: {
  deps: CoreDeps;
  request: { auth: Auth; where?: unknown; order?: string; count?: boolean; limit?: number };
  schema: ClassSchema;
  parsed: Condition;
  /** The caller, resolved once per find by `resolveCaller`. */
  caller: Caller;
}): Promise<FindAccess> {
  const { deps, request, schema, parsed, caller } = options;
  if (caller === undefined) return { caller, where: parsed, plan: undefined };
  const guarded = await guardRelatedTo({ deps, caller, where: parsed });
  const where = readCondition({ caller, schema, operations: operationsOf(request), where: guarded });
  const plan = protectedPlan({ deps, caller, schema });
  if (plan !== undefined) assertQueryable({ plan, where: parsed, order: parseOrder(request.order ?? '', schema) });
  return { caller, where, plan };
}

function operationsOf(request: { where?: unknown; count?: boolean; limit?: number }): ClpOperation[] {
  if (request.count === true) return request.limit === 0 ? ['count'] : ['count', 'find'];
  return isObjectIdOnly(request.where) ? ['get'] : ['find'];
}

/** `{"objectId":"x"}` and nothing else: checked as a `get`, as Parse does. */
function isObjectIdOnly(where: unknown): boolean {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) return false;
  const keys = Object.keys(where);
  return (
    keys.length === 1 && keys[0] === 'objectId' && typeof (where as Record<string, unknown>)['objectId'] === 'string'
  );
}
