import { assertMayWrite, isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { isVolatileClass, parseJoinClassName } from '../schema/index.js';

export type Operation = 'read' | 'write';

/**
 * Gates that depend only on who asks and which class: master-only (volatile) classes, relation join
 * classes, and the read-only master key, which may read everything and write nothing.
 */
export function assertClassAccess(options: { auth: Auth; className: string; operation: Operation }): void {
  const { auth, className, operation } = options;
  if (operation === 'write') assertMayWrite(auth);
  if (!isMasterLike(auth) && isVolatileClass(className)) {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  }
  // `_Join:<field>:<Class>` holds a Relation field's edges, in the storage's own layout (on SQLite a table
  // without objectId): it is read and written through the relation (`$relatedTo`, AddRelation), never as a
  // class of objects. Reaching it through /classes answered 500; Parse answers 119 to clients.
  if (parseJoinClassName(className) !== undefined) {
    throw new ParseError(
      ErrorCode.OPERATION_FORBIDDEN,
      isMasterLike(auth) ? { message: `${className} holds relation edges; use its Relation field.` } : {},
    );
  }
}
