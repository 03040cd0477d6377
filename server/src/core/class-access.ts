import { defaultObjectAcl, evaluateClassPermission } from '../auth/index.js';
import type { ClpDecision, PermissionCaller } from '../auth/index.js';
import { ParseError } from '../errors/index.js';
import { MATCH_NONE, andOf, orOf } from '../query/index.js';
import type { Condition } from '../query/index.js';
import { Pointer } from '../schema/index.js';
import type { ClassSchema, ClpOperation } from '../schema/index.js';
import type { Caller } from './caller.js';
import type { WriteInput } from './write-input.js';

/**
 * The permission engine applied to core's writes: class-level permissions, pointer permissions and object
 * ACLs turned into refusals or extra query conditions. A `Caller` of `undefined` (master-like) passes
 * everything unchanged. Reads go through `read-policy.ts`, which shares `clpCondition`.
 */

/** `where` restricted to what `caller` may update or delete: the CLP, pointer permissions and write ACL. */
export function writeCondition(options: {
  caller: Caller;
  schema: ClassSchema;
  operation: 'update' | 'delete';
  where: Condition;
}): Condition {
  const { caller, schema, operation, where } = options;
  if (caller === undefined) return where;
  const restriction = clpRestriction({ caller, schema, operation });
  const acl: Condition = { kind: 'acl', access: 'write', entities: caller.entities };
  return andOf(restriction === undefined ? [where, acl] : [where, restriction, acl]);
}

/**
 * A save that introduces fields the class does not have needs CLP `addField` (§4.2). On update a pointer
 * permission restricts which objects may grow; the condition is returned for the update to AND in.
 */
export function addFieldCondition(options: {
  caller: Caller;
  schema: ClassSchema | undefined;
  input: WriteInput;
  action: 'create' | 'update';
}): Condition | undefined {
  const { caller, schema, input, action } = options;
  if (caller === undefined || schema?.classLevelPermissions === undefined) return undefined;
  if (!introducesFields(schema, input)) return undefined;
  const decision = evaluateClassPermission({
    clp: schema.classLevelPermissions,
    className: schema.className,
    operation: 'addField',
    caller,
    action,
  });
  const restriction = clpCondition(decision, schema);
  return action === 'update' ? restriction : undefined;
}

/**
 * CLP `create` for a new object, and the class's default ACL (§4.5) applied when the write has none.
 * Returns the input to store and the ACL to echo in the response (undefined when not defaulted).
 */
export function authorizeCreate(options: { caller: Caller; schema: ClassSchema | undefined; input: WriteInput }): {
  input: WriteInput;
  defaultedAcl: WriteInput['ACL'];
} {
  const { caller, schema, input } = options;
  const clp = schema?.classLevelPermissions;
  if (caller !== undefined && schema !== undefined) {
    const decision = evaluateClassPermission({ clp, className: schema.className, operation: 'create', caller });
    if (decision.kind === 'denied') throw denial(decision);
  }
  if (input.ACL !== undefined) return { input, defaultedAcl: undefined };
  const acl = defaultObjectAcl({ clp, userId: caller?.userId });
  return acl === undefined ? { input, defaultedAcl: undefined } : { input: { ...input, ACL: acl }, defaultedAcl: acl };
}

function clpRestriction(options: {
  caller: PermissionCaller;
  schema: ClassSchema;
  operation: ClpOperation;
}): Condition | undefined {
  const { caller, schema, operation } = options;
  const clp = schema.classLevelPermissions;
  if (clp === undefined) return undefined;
  const decision = evaluateClassPermission({ clp, className: schema.className, operation, caller });
  return clpCondition(decision, schema);
}

/**
 * A CLP decision as a condition: nothing when allowed, pointer permissions as "one of these fields points at
 * the caller" (nothing qualifies without a logged-in user), and the refusal thrown when denied.
 */
export function clpCondition(decision: ClpDecision, schema: ClassSchema): Condition | undefined {
  if (decision.kind === 'allowed') return undefined;
  if (decision.kind === 'denied') throw denial(decision);
  const { userId } = decision;
  if (userId === undefined) return MATCH_NONE;
  const pointer = new Pointer('_User', userId);
  // `eq` on an Array field means "contains" (query/ast.ts), which is what pointer permissions want there.
  const fields = decision.fields.filter((field) => Object.hasOwn(schema.fields, field));
  return orOf(fields.map((field): Condition => ({ kind: 'eq', path: [field], value: pointer })));
}

/** Parse 9 sanitizes permission errors to "Permission denied", keeping the code (rest.md §2.1). */
function denial(decision: Extract<ClpDecision, { kind: 'denied' }>): ParseError {
  return new ParseError(decision.code, { message: 'Permission denied', cause: decision.reason });
}

function introducesFields(schema: ClassSchema, input: WriteInput): boolean {
  for (const key of Object.keys(input.fields)) {
    const dot = key.indexOf('.');
    const root = dot === -1 ? key : key.slice(0, dot);
    if (!Object.hasOwn(schema.fields, root)) return true;
  }
  return false;
}
