import type { RoleRef, RoleSource } from '../auth/index.js';
import type { CoreDeps } from './deps.js';

const ROLE_CLASS = '_Role';

/**
 * Reads `_Role` membership for role resolution, straight from storage with master rights: a role's own
 * ACL decides who may read or edit the role, not whether its members hold it (as Parse does).
 */
export function storageRoleSource(deps: Pick<CoreDeps, 'storage' | 'schemas'>): RoleSource {
  const rolesWhere = async (field: 'users' | 'roles', relatedIds: readonly string[]): Promise<RoleRef[]> => {
    const schema = await deps.schemas.get(ROLE_CLASS);
    if (schema === undefined || relatedIds.length === 0) return [];
    const rows = await deps.storage.find({
      schema,
      where: { kind: 'relationHas', field, relatedIds, mode: 'any' },
      keys: ['name'],
    });
    const roles: RoleRef[] = [];
    for (const row of rows) {
      const name = row.fields['name'];
      if (typeof name === 'string') roles.push({ objectId: row.objectId, name });
    }
    return roles;
  };
  return {
    rolesWithUser: (userId) => rolesWhere('users', [userId]),
    rolesWithAnyRole: (roleIds) => rolesWhere('roles', roleIds),
  };
}

/** Any write to `_Role` (objects, relations, purge, schema) can change someone's roles. */
export function changesRoles(className: string): boolean {
  return className === ROLE_CLASS;
}

/** The classes `changesRoles` is true for: what a role cache needs from the other servers' change feeds. */
export const ROLE_CHANGE_CLASSES: readonly string[] = [ROLE_CLASS];
