/**
 * Role resolution (spec/security.md §3.1): a user's roles are the `_Role`s whose `users` relation holds
 * the user, plus, transitively, the roles whose `roles` relation holds a role already found. The graph
 * walk is here; reading `_Role` rows is the `RoleSource`'s job (core implements it over storage), so this
 * file does no I/O of its own.
 */

/** One `_Role` row as resolution needs it. */
export interface RoleRef {
  readonly objectId: string;
  readonly name: string;
}

/** How role resolution reads `_Role` (with master rights: a role's own ACL does not hide it here). */
export interface RoleSource {
  /** Roles whose `users` relation holds `userId`. */
  rolesWithUser(userId: string): Promise<readonly RoleRef[]>;
  /** Roles whose `roles` relation holds at least one of `roleIds`. */
  rolesWithAnyRole(roleIds: readonly string[]): Promise<readonly RoleRef[]>;
}

/**
 * Every role name the user holds, directly or through inheritance. Each level of the graph is one
 * `RoleSource` call; cycles are cut by remembering the roles already seen.
 *
 * @example
 * // Admins ∈ Moderators.roles, user ∈ Admins.users
 * await resolveRoleNames({ source, userId }); // ['Admins', 'Moderators']
 */
export async function resolveRoleNames(options: { source: RoleSource; userId: string }): Promise<string[]> {
  const { source, userId } = options;
  const seen = new Set<string>();
  const names: string[] = [];
  let frontier = await source.rolesWithUser(userId);
  while (frontier.length > 0) {
    const fresh: string[] = [];
    for (const role of frontier) {
      if (seen.has(role.objectId)) continue;
      seen.add(role.objectId);
      fresh.push(role.objectId);
      if (!names.includes(role.name)) names.push(role.name);
    }
    if (fresh.length === 0) break;
    frontier = await source.rolesWithAnyRole(fresh);
  }
  return names;
}
