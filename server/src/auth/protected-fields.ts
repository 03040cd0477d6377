import { ErrorCode, ParseError } from '../errors/index.js';
import { Pointer } from '../schema/index.js';
import type { ClassLevelPermissions, ParseValue } from '../schema/index.js';
import type { PermissionCaller } from './caller.js';

/**
 * protectedFields (spec/security.md §5): which fields a non-master reader must not see or query. Rules
 * come from the class CLP merged with the server option; for one caller they reduce to a plan (the static
 * part, plus `userField:` rules that depend on each object), then to the hidden fields of one object.
 */

/** `{ className: { key: [field, ...] } }`: the server option's shape (Parse 9 default hides `_User.email`). */
export type ProtectedFieldsOption = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export const DEFAULT_PROTECTED_FIELDS: ProtectedFieldsOption = Object.freeze({
  _User: Object.freeze({ '*': Object.freeze(['email']) }),
});

/** Per key (`*`, `authenticated`, `role:X`, a user id, `userField:f`), the fields it protects. */
export type ProtectedFieldRules = Readonly<Record<string, readonly string[]>>;

/** A caller's view of a class's rules. `undefined` from `planProtectedFields` means nothing is hidden. */
export interface ProtectedFieldsPlan {
  /** Lists from the keys that apply whatever the object: `*`, `authenticated`, roles, the user id. */
  readonly staticLists: readonly (readonly string[])[];
  /** `userField:<field>` rules, applicable to an object whose `field` points at the caller. */
  readonly userFields: readonly { readonly field: string; readonly fields: readonly string[] }[];
  /** The intersection of `staticLists`: hidden on every object unless a `userField` rule reveals more. */
  readonly alwaysHidden: ReadonlySet<string>;
  readonly userId: string | undefined;
  /** `_User` with the owner exemption: a user reading itself sees everything. */
  readonly ownerExempt: boolean;
}

/**
 * Merges a class's CLP `protectedFields` with the server option (union per key).
 *
 * @example
 * protectedFieldRules({ className: '_User', clp: undefined, option: DEFAULT_PROTECTED_FIELDS }); // { '*': ['email'] }
 */
export function protectedFieldRules(options: {
  className: string;
  clp: ClassLevelPermissions | undefined;
  option: ProtectedFieldsOption;
}): ProtectedFieldRules {
  const merged: Record<string, string[]> = {};
  const add = (source: unknown): void => {
    if (source === null || typeof source !== 'object' || Array.isArray(source)) return;
    for (const [key, list] of Object.entries(source as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      const target = (merged[key] ??= []);
      for (const field of list) if (typeof field === 'string' && !target.includes(field)) target.push(field);
    }
  };
  if (Object.hasOwn(options.option, options.className)) add(options.option[options.className]);
  add(options.clp?.['protectedFields']);
  return merged;
}

/**
 * Reduces the rules to what applies to `caller`. `undefined` when nothing can be hidden from it.
 * `ownerExempt` is Parse's `protectedFieldsOwnerExempt` (true by default), meaningful for `_User` only.
 */
export function planProtectedFields(options: {
  rules: ProtectedFieldRules;
  caller: PermissionCaller;
  ownerExempt: boolean;
}): ProtectedFieldsPlan | undefined {
  const { rules, caller } = options;
  const staticLists: (readonly string[])[] = [];
  const userFields: { field: string; fields: readonly string[] }[] = [];
  const loggedIn = caller.userId !== undefined;
  for (const [key, list] of Object.entries(rules)) {
    if (key.startsWith('userField:')) {
      if (loggedIn) userFields.push({ field: key.slice('userField:'.length), fields: list });
    } else if (key === '*' || (loggedIn && (key === 'authenticated' || caller.entities.includes(key)))) {
      staticLists.push(list);
    }
  }
  if (staticLists.length === 0) return undefined;
  const alwaysHidden = intersect(staticLists);
  if (alwaysHidden.size === 0) return undefined;
  return { staticLists, userFields, alwaysHidden, userId: caller.userId, ownerExempt: options.ownerExempt };
}

/**
 * The fields to remove from one object read by the plan's caller: the intersection of every applicable
 * list, `userField:` lists included when the object's field points at the caller.
 */
export function hiddenFields(options: {
  plan: ProtectedFieldsPlan;
  objectId: string;
  fields: Readonly<Record<string, unknown>>;
}): ReadonlySet<string> {
  const { plan, objectId, fields } = options;
  if (plan.ownerExempt && objectId === plan.userId) return EMPTY;
  if (plan.userFields.length === 0 || plan.userId === undefined) return plan.alwaysHidden;
  const lists = [...plan.staticLists];
  for (const rule of plan.userFields) {
    if (pointsAt(fields[rule.field], plan.userId)) lists.push(rule.fields);
  }
  return lists.length === plan.staticLists.length ? plan.alwaysHidden : intersect(lists);
}

/** Fields the plan must read to evaluate `userField:` rules, even when the request's `keys` omit them. */
export function fieldsNeededForPlan(plan: ProtectedFieldsPlan): string[] {
  return plan.userFields.map((rule) => rule.field);
}

/**
 * Refuses a `where` or `order` that uses a field hidden from the caller (119, sanitized "Permission denied";
 * Parse's detail is "This user is not allowed to query|sort by <field> on class <C>").
 */
export function assertFieldsQueryable(options: {
  plan: ProtectedFieldsPlan | undefined;
  queried: Iterable<string>;
  sorted: Iterable<string>;
}): void {
  const { plan } = options;
  if (plan === undefined) return;
  for (const field of options.queried) if (plan.alwaysHidden.has(field)) throw permissionDenied();
  for (const field of options.sorted) if (plan.alwaysHidden.has(field)) throw permissionDenied();
}

const EMPTY: ReadonlySet<string> = new Set();

function permissionDenied(): ParseError {
  return new ParseError(ErrorCode.OPERATION_FORBIDDEN, { message: 'Permission denied' });
}

function intersect(lists: readonly (readonly string[])[]): Set<string> {
  const [first, ...rest] = lists;
  const result = new Set(first ?? []);
  for (const list of rest) for (const field of result) if (!list.includes(field)) result.delete(field);
  return result;
}

/** A `_User` pointer to `userId`, or an array holding one. */
export function pointsAt(value: unknown, userId: string): boolean {
  if (value instanceof Pointer) return value.className === '_User' && value.objectId === userId;
  if (Array.isArray(value)) return (value as ParseValue[]).some((item) => pointsAt(item, userId));
  return false;
}
