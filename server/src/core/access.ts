import { assertMayWrite, isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { isVolatileClass } from '../schema/index.js';

export type Operation = 'read' | 'write';

/**
 * Gates that depend only on who asks and which class: master-only (volatile) classes, and the
 * read-only master key, which may read everything and write nothing.
 */
export function assertClassAccess(options: { auth: Auth; className: string; operation: Operation }): void {
  const { auth, className, operation } = options;
  if (operation === 'write') assertMayWrite(auth);
  if (!isMasterLike(auth) && isVolatileClass(className)) {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  }
}
