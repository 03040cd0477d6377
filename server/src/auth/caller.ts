/**
 * A non-master caller as the permission functions see it: the logged-in user (if any) and the ACL group
 * (`*`, the user id, `role:<name>`…) built by `callerEntities`. Master, read-only master and maintenance
 * keys never reach the permission functions: they bypass ACLs and class-level permissions.
 */
export interface PermissionCaller {
  readonly userId?: string;
  readonly entities: readonly string[];
}
