/**
 * A non-master caller as the permission functions see it: the logged-in user (if any) and the ACL group
 * (`*`, the user id, `role:<name>`…) built by `callerEntities`. Master, read-only master and maintenance
 * keys never reach the permission functions: they bypass ACLs and class-level permissions.
 */
export interface PermissionCaller {
  readonly userId?: string;
  readonly entities: readonly string[];
}

/**
 * The caller's ACL group: `*`, then the user id (when logged in), then `role:<name>` for each role the user
 * holds directly or through inheritance. Object ACLs are tested against it by the one ACL test, the `acl`
 * condition of `query/match.ts` (in memory) and its storage translations.
 *
 * @example
 * callerEntities({ userId: 'u1', roleNames: ['Staff'] }); // ['*', 'u1', 'role:Staff']
 */
export function callerEntities(options: { userId?: string | undefined; roleNames?: readonly string[] }): string[] {
  const entities = ['*'];
  if (options.userId !== undefined) entities.push(options.userId);
  for (const name of options.roleNames ?? []) entities.push(`role:${name}`);
  return entities;
}
