import { ErrorCode } from '../errors/index.js';
import type { ClassLevelPermissions, ClpOperation } from '../schema/index.js';
import type { PermissionCaller } from './caller.js';

/**
 * Class-level permission evaluation (spec/security.md §4.2–4.3). Pure: the CLP comes from the class schema
 * and the caller from core. Messages are the sanitized "Permission denied" Parse 9 sends by default; the
 * detailed reason is kept in `reason` for logs.
 */
export type ClpDecision =
  | { readonly kind: 'allowed' }
  /**
   * Allowed, but only on objects where one of `fields` points at the caller (a `_User` pointer equal to
   * the caller, or an array containing one). `userId` is undefined when nobody is logged in: then no
   * object qualifies (get/update/delete answer 101, find is empty).
   */
  | { readonly kind: 'restricted'; readonly fields: readonly string[]; readonly userId: string | undefined }
  | {
      readonly kind: 'denied';
      readonly code: typeof ErrorCode.OBJECT_NOT_FOUND | typeof ErrorCode.OPERATION_FORBIDDEN;
      readonly reason: string;
    };

const ALLOWED: ClpDecision = Object.freeze({ kind: 'allowed' });
const READ_OPERATIONS: ReadonlySet<ClpOperation> = new Set(['get', 'find', 'count']);

/**
 * Decides whether `caller` may perform `operation` on a class with these stored CLPs. `undefined` (no CLP
 * stored) allows everything; once stored, a missing operation key means master only (§4.4). `action` tells
 * an `addField` check whether the save creating the field is a create or an update: an operation's own
 * `pointerFields` only let `addField` through on update.
 *
 * @example
 * evaluateClassPermission({ clp: { find: { 'role:Staff': true } }, className: 'Post', operation: 'find',
 *   caller: { entities: ['*'] } }); // { kind: 'denied', code: 119, ... }
 */
export function evaluateClassPermission(options: {
  clp: ClassLevelPermissions | undefined;
  className: string;
  operation: ClpOperation;
  caller: PermissionCaller;
  action?: 'create' | 'update';
}): ClpDecision {
  const { clp, className, operation, caller } = options;
  if (clp === undefined) return ALLOWED;
  const perms = asRecord(clp[operation]);
  if (grants(perms, caller.entities)) return ALLOWED;
  const pointerFields = pointerFieldsFor({ clp, operation, perms, action: options.action });
  if (perms['requiresAuthentication'] === true) {
    if (caller.userId === undefined) {
      return {
        kind: 'denied',
        code: ErrorCode.OBJECT_NOT_FOUND,
        reason: 'Permission denied, user needs to be authenticated.',
      };
    }
    return pointerFields.length > 0 && operation !== 'create'
      ? { kind: 'restricted', fields: pointerFields, userId: caller.userId }
      : ALLOWED;
  }
  const denied: ClpDecision = {
    kind: 'denied',
    code: ErrorCode.OPERATION_FORBIDDEN,
    reason: `Permission denied for action ${operation} on class ${className}.`,
  };
  if (operation === 'create' || pointerFields.length === 0) return denied;
  return { kind: 'restricted', fields: pointerFields, userId: caller.userId };
}

/** Whether the operation's entry grants the caller outright: `*`, the user id or one of the roles. */
function grants(perms: Readonly<Record<string, unknown>>, entities: readonly string[]): boolean {
  if (perms['*'] === true) return true;
  for (const entity of entities) if (Object.hasOwn(perms, entity) && perms[entity] === true) return true;
  return false;
}

/**
 * The pointer-permission fields that apply: the operation's own `pointerFields` (for `addField`, only when
 * the save is an update) plus `readUserFields` for reads or `writeUserFields` for writes.
 */
function pointerFieldsFor(options: {
  clp: ClassLevelPermissions;
  operation: ClpOperation;
  perms: Readonly<Record<string, unknown>>;
  action: 'create' | 'update' | undefined;
}): string[] {
  const { clp, operation, perms, action } = options;
  const fields: string[] = [];
  const own = stringList(perms['pointerFields']);
  if (operation !== 'addField' || action === 'update') fields.push(...own);
  const group = READ_OPERATIONS.has(operation) ? 'readUserFields' : 'writeUserFields';
  for (const field of stringList(clp[group])) if (!fields.includes(field)) fields.push(field);
  return fields;
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  // A stored CLP without this operation key means master only (spec/security.md §4.4).
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
