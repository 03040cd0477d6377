import { callerEntities, isMasterLike, resolveRoleNames } from '../auth/index.js';
import type { Auth, PermissionCaller } from '../auth/index.js';
import type { CoreDeps } from './deps.js';
import { changesRoles, storageRoleSource } from './role-source.js';

/**
 * The caller as the permission engine sees it, resolved once per operation: `undefined` for the master,
 * read-only master and maintenance keys (they bypass ACLs, CLPs and protectedFields on reads), otherwise
 * the user id and the ACL group with every role (from the role cache).
 */
export type Caller = PermissionCaller | undefined;

const PUBLIC_CALLER: PermissionCaller = Object.freeze({ entities: Object.freeze(['*']) });

export async function resolveCaller(deps: CoreDeps, auth: Auth): Promise<Caller> {
  if (isMasterLike(auth)) return undefined;
  if (auth.kind !== 'user') return PUBLIC_CALLER;
  const userId = auth.userId;
  const source = storageRoleSource(deps);
  const roleNames =
    deps.roles === undefined
      ? await resolveRoleNames({ source, userId })
      : await deps.roles.roleNames({ userId, source });
  return { userId, entities: callerEntities({ userId, roleNames }) };
}

/**
 * Called after a purge, which publishes no per-object change: purging `_Role` drops the role cache here and on
 * the other servers. Object writes reach the role cache through the change feed (`app-caches.ts`).
 */
export function notePurge(deps: CoreDeps, className: string): void {
  if (changesRoles(className)) deps.roles?.invalidate();
}
