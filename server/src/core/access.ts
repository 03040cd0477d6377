import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError, masterKeyRequired } from '../errors/index.js';
import { isVolatileClass } from '../schema/index.js';

export type Operation = 'read' | 'write';

/**
 * Gates that depend only on who asks and which class: master-only (volatile) classes, and the
 * read-only master key, which may read everything and write nothing.
 */
export function assertClassAccess(options: { auth: Auth; className: string; operation: Operation }): void {
  const { auth, className, operation } = options;
  if (operation === 'write' && auth.kind === 'readOnlyMaster') {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  }
  if (!isMasterLike(auth) && isVolatileClass(className)) {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  }
}

export function requireMaster(auth: Auth, options: { allowReadOnly: boolean }): void {
  // The maintenance key bypasses ACLs and CLPs on data routes only, never where the master key is
  // explicitly required (security.md §2).
  if (auth.kind === 'master') return;
  if (auth.kind === 'readOnlyMaster') {
    if (options.allowReadOnly) return;
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  }
  throw masterKeyRequired();
}
