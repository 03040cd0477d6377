import type { ACL, ClassLevelPermissions } from '../schema/index.js';

/**
 * The ACL an object created without one gets from its class's CLP `ACL` key (spec/security.md §4.5), or
 * `undefined` when the class has none or it is public read/write (the object then stays public). The
 * pseudo-key `currentUser` becomes the creating user's id, and is dropped for an anonymous caller.
 *
 * @example
 * defaultObjectAcl({ clp: { ACL: { currentUser: { read: true, write: true } } }, userId: 'u1' });
 * // { u1: { read: true, write: true } }
 */
export function defaultObjectAcl(options: {
  clp: ClassLevelPermissions | undefined;
  userId: string | undefined;
}): ACL | undefined {
  const template = options.clp?.['ACL'];
  if (template === null || typeof template !== 'object' || Array.isArray(template)) return undefined;
  const entries = Object.entries(template as Record<string, unknown>);
  if (isPublicReadWrite(entries)) return undefined;
  const acl: ACL = {};
  for (const [key, access] of entries) {
    const entity = key === 'currentUser' ? options.userId : key;
    if (entity === undefined || access === null || typeof access !== 'object') continue;
    const flags = access as Record<string, unknown>;
    const entry: { read?: true; write?: true } = {};
    if (flags['read'] === true) entry.read = true;
    if (flags['write'] === true) entry.write = true;
    if (entry.read === true || entry.write === true) acl[entity] = entry;
  }
  return acl;
}

function isPublicReadWrite(entries: readonly [string, unknown][]): boolean {
  if (entries.length !== 1) return false;
  const [key, access] = entries[0] as [string, unknown];
  if (key !== '*' || access === null || typeof access !== 'object') return false;
  const flags = access as Record<string, unknown>;
  return flags['read'] === true && flags['write'] === true;
}
