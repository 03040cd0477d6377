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

/** Called after every write to a class: a `_Role` change drops the role cache here and on other servers. */
export function noteClassWrite(deps: CoreDeps, className: string): void {
  if (changesRoles(className)) deps.roles?.invalidate();
}
