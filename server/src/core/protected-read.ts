import {
  DEFAULT_PROTECTED_FIELDS,
  assertFieldsQueryable,
  fieldsNeededForPlan,
  hiddenFields,
  planProtectedFields,
  protectedFieldRules,
} from '../auth/index.js';
import type { ProtectedFieldsPlan } from '../auth/index.js';
import type { Condition, SortKey } from '../query/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { Caller } from './caller.js';
import type { CoreDeps } from './deps.js';
import type { OutputObject } from './output.js';

/** Parse's `protectedFieldsOwnerExempt` (true by default) applies to `_User` only. */
const OWNER_EXEMPT_CLASS = '_User';

/**
 * protectedFields on reads (spec/security.md §5): the caller's plan for a class, the 119 for a `where` or
 * `order` naming a hidden field, and the removal of hidden fields from results (find, get, include).
 */
export function protectedPlan(options: {
  deps: CoreDeps;
  caller: Caller;
  schema: ClassSchema;
}): ProtectedFieldsPlan | undefined {
  const { deps, caller, schema } = options;
  if (caller === undefined) return undefined;
  const rules = protectedFieldRules({
    className: schema.className,
    clp: schema.classLevelPermissions,
    option: deps.options.protectedFields ?? DEFAULT_PROTECTED_FIELDS,
  });
  return planProtectedFields({ rules, caller, ownerExempt: schema.className === OWNER_EXEMPT_CLASS });
}

/** Throws 119 when `where` (at any depth) or `order` uses a field hidden from the caller. */
export function assertQueryable(options: {
  plan: ProtectedFieldsPlan | undefined;
  where: Condition;
  order: readonly SortKey[];
}): void {
  const { plan } = options;
  if (plan === undefined) return;
  const queried = new Set<string>();
  collectFields(options.where, queried);
  assertFieldsQueryable({ plan, queried, sorted: options.order.map((key) => key.path[0]) });
}

/**
 * Storage keys to fetch so `userField:` rules can be evaluated even when `keys` leaves their fields out;
 * `undefined` when the request fetches every field anyway.
 */
export function keysWithPlanFields(
  keys: ReadonlySet<string> | undefined,
  plan: ProtectedFieldsPlan | undefined,
): string[] | undefined {
  if (keys === undefined) return undefined;
  const all = new Set(keys);
  if (plan !== undefined) for (const field of fieldsNeededForPlan(plan)) all.add(field);
  return [...all];
}

/**
 * Removes the fields hidden from the caller from a shaped object. `stored` is the object as read from
 * storage: `userField:` rules are evaluated on it, since `keys` may have projected their fields away.
 */
export function stripProtected(options: {
  plan: ProtectedFieldsPlan | undefined;
  object: OutputObject;
  stored: Readonly<Record<string, unknown>>;
}): void {
  const { plan, object, stored } = options;
  if (plan === undefined) return;
  for (const field of hiddenFields({ plan, objectId: object.objectId, fields: stored })) delete object.fields[field];
}

/** Top-level field names a condition tests, through `$and/$or/$nor` (whatever the node kinds). */
function collectFields(condition: Condition, into: Set<string>): void {
  const node = condition as unknown as Record<string, unknown>;
  const children = node['conditions'];
  if (Array.isArray(children)) for (const child of children as Condition[]) collectFields(child, into);
  const path = node['path'];
  if (Array.isArray(path) && typeof path[0] === 'string') into.add(path[0]);
  if (condition.kind === 'relationHas') into.add(condition.field);
}
