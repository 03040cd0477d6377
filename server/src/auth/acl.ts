import type { ACL } from '../schema/index.js';

/**
 * Object ACL evaluation (spec/security.md §3). `entities` is the caller's group from `callerEntities`:
 * `*`, the user id and each `role:<name>`. A missing ACL is public; an empty ACL `{}` lets nobody but the
 * master key through (the master key never reaches these functions).
 *
 * @example
 * canRead({ '*': { read: true } }, ['*']); // true
 * canWrite({ u1: { write: true } }, ['*', 'u2', 'role:Staff']); // false
 */
export function canRead(acl: ACL | undefined, entities: readonly string[]): boolean {
  return allows({ acl, entities, access: 'read' });
}

/** Whether one of `entities` may update or delete an object with this ACL (see `canRead`). */
export function canWrite(acl: ACL | undefined, entities: readonly string[]): boolean {
  return allows({ acl, entities, access: 'write' });
}

function allows(options: { acl: ACL | undefined; entities: readonly string[]; access: 'read' | 'write' }): boolean {
  const { acl, entities, access } = options;
  if (acl === undefined) return true;
  for (const entity of entities) {
    if (Object.hasOwn(acl, entity) && acl[entity]?.[access] === true) return true;
  }
  return false;
}

/**
 * The caller's ACL group: `*`, then the user id (when logged in), then `role:<name>` for each role the user
 * holds directly or through inheritance.
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
