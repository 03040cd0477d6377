import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { Condition } from '../../query/index.js';
import type { ClassRules } from './rules.js';

/** ANDs a system class's own restriction (e.g. `_Session`: the caller's sessions only) onto `where`. */
export function withClassRestriction(
  where: Condition,
  options: { rules: ClassRules; auth: Auth; access: 'read' | 'write' },
): Condition {
  const extra = options.rules.restrictQuery?.({ auth: options.auth, access: options.access });
  if (extra === undefined) return where;
  if (where.kind === 'constant' && where.value) return extra;
  return { kind: 'and', conditions: [where, extra] };
}

/** What an update or delete that found nothing writable answers: 101, or the class's own error. */
export function writeDeniedError(rules: ClassRules): ParseError {
  return rules.writeDenied?.() ?? new ParseError(ErrorCode.OBJECT_NOT_FOUND);
}

/**
 * `{"objectId":"x"}` or `{"objectId":{"$in":["x",…]}}` and nothing else: reads objects the caller names,
 * which a class's read gate (`ClassRules.beforeFind`, applied by core's read policy) may treat apart.
 */
export function isReadById(where: unknown): boolean {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) return false;
  const keys = Object.keys(where);
  if (keys.length !== 1 || keys[0] !== 'objectId') return false;
  const value = (where as Record<string, unknown>)['objectId'];
  if (typeof value === 'string') return true;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const operators = Object.keys(value);
  const list = (value as Record<string, unknown>)['$in'];
  return operators.length === 1 && Array.isArray(list) && list.every((id): boolean => typeof id === 'string');
}
