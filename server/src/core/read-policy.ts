import {
  DEFAULT_PROTECTED_FIELDS,
  evaluateClassPermission,
  fieldsNeededForPlan,
  hiddenFields,
  isMasterLike,
  planProtectedFields,
  protectedFieldRules,
} from '../auth/index.js';
import type { Auth, ProtectedFieldsOption, ProtectedFieldsPlan } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { MATCH_NONE, andOf, createMatcher } from '../query/index.js';
import type { Condition, MatchableObject, Matcher, SortKey } from '../query/index.js';
import { isVolatileClass } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { StoredObject } from '../storage/index.js';
import type { Caller } from './caller.js';
import { clpCondition } from './class-access.js';
import { classRules } from './classes/index.js';
import type { OutputObject } from './output.js';
import { testedFields } from './read-policy-fields.js';
import { shapeObject } from './shape.js';
import type { Projection } from './shape.js';

/** The class-level permission operations a read is checked against (spec/security.md §4.2). */
export type ReadOperation = 'find' | 'get' | 'count';

/**
 * What one caller may read of one class, decided once and used by every door that reads: find, get,
 * count, include, sub-queries (and LiveQuery and GraphQL through core). It holds
 * - the refusal, when the caller may not read the class this way at all (master-only class, CLP 119, CLP
 *   `requiresAuthentication` 101, `_Session` without a user 209...);
 * - the condition storage ANDs into every read: the read ACL, CLP pointer permissions and the class's own
 *   restriction (`_Session`: the caller's sessions only); `allows` evaluates the same condition in memory
 *   with `query/match.ts`, so an object is readable in memory exactly when storage would return it;
 * - the fields hidden from the caller (protectedFields, a class's private fields such as `_User.authData`),
 *   which it can neither see (`shape`) nor test: a `where` at any depth, an `order`, a `$select` key, a
 *   LiveQuery `watch` naming one is refused with 119 (`assertTestable`).
 * Master, read-only master and maintenance callers are unrestricted: nothing is refused, added or hidden.
 *
 * @example
 * const policy = await core.readPolicy({ auth, className: 'Post' });
 * if (policy.refusal !== undefined) throw policy.refusal;
 * policy.assertTestable({ where });             // 119 when `where` tests a field hidden from auth
 * if (policy.allows(stored)) send(policy.shape(stored, { keys: new Set(['title']) }));
 */
export interface ReadPolicy {
  readonly auth: Auth;
  readonly className: string;
  /** The schema the policy was built from: rebuild the policy when the class's CLP changes. */
  readonly schema: ClassSchema;
  /** The CLP operations it was checked against (`find` unless asked otherwise). */
  readonly operations: readonly ReadOperation[];
  /** True for master-like callers: no ACL, CLP or hidden field applies (a class's own rules still may). */
  readonly unrestricted: boolean;
  /** Why the caller may not read the class this way; `undefined` when it may. */
  readonly refusal: ParseError | undefined;
  /** The condition storage ANDs in (ACL, pointer permissions, class restriction); MATCH_NONE when refused. */
  readonly condition: Condition;
  /** Throws `refusal`, if any. */
  assertPermitted(): void;
  /** `where` AND `condition`, for storage; throws `refusal`. */
  restrict(where: Condition): Condition;
  /** Whether the caller may read this stored object (false when refused): storage's answer, in memory. */
  allows(object: MatchableObject): boolean;
  /** Whether the caller may test (query, sort by, select, watch) this top-level field. */
  canTest(field: string): boolean;
  /**
   * Throws 119 ("Permission denied") when the condition (at any depth of `$and/$or/$nor`, any dot path's
   * root), the order, or one of `fields` uses a field hidden from the caller. Sub-queries of `where` are
   * not entered: each is checked by its own class's policy when it is parsed.
   */
  assertTestable(uses: { where?: Condition; order?: readonly SortKey[]; fields?: Iterable<string> }): void;
  /** Storage keys to fetch for a `keys` selection (adds the fields `userField:` rules read); `undefined` = all. */
  fetchKeys(keys: ReadonlySet<string> | undefined): string[] | undefined;
  /**
   * A stored object as this caller may see it: internal `_` fields dropped, Relation fields as references,
   * `keys`/`excludeKeys` applied, protected fields and the class's private fields removed.
   */
  shape(object: StoredObject, projection?: Projection): OutputObject;
}

/** Parse's `protectedFieldsOwnerExempt` (true by default) applies to `_User` only. */
const OWNER_EXEMPT_CLASS = '_User';

/**
 * Builds the policy of `caller` (from `resolveCaller`; `undefined` for master-like keys) on `schema`.
 * Synchronous and storage-free: callers that build many (sub-queries, includes) resolve the caller once.
 */
export function createReadPolicy(options: {
  auth: Auth;
  caller: Caller;
  schema: ClassSchema;
  operations?: readonly ReadOperation[];
  /**
   * Whether the read names the objects it reads (a get, an include, `{"objectId":{"$in":[…]}}`) rather than
   * querying the class: a class may allow the first and refuse the second (`_Installation`). Default: true
   * exactly when `operations` is `['get']`.
   */
  byId?: boolean;
  /** The server's `protectedFields` option (Parse's default hides `_User.email`). */
  protectedFields?: ProtectedFieldsOption | undefined;
}): ReadPolicy {
  const { auth, caller, schema } = options;
  const operations = options.operations ?? ['find'];
  const byId = options.byId ?? (operations.length > 0 && operations.every((operation) => operation === 'get'));
  const rules = classRules(schema.className);
  const unrestricted = caller === undefined || isMasterLike(auth);
  let refusal: ParseError | undefined;
  const parts: Condition[] = [];
  try {
    // Master-only (volatile) classes first, then the class's gate, the CLP of each operation, the ACL and
    // the class's own restriction. Master-like callers only meet the class's own rules.
    if (!unrestricted && isVolatileClass(schema.className)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
    rules.beforeFind?.({ auth, byId });
    if (!unrestricted) {
      for (const operation of operations) {
        const decision = evaluateClassPermission({
          clp: schema.classLevelPermissions,
          className: schema.className,
          operation,
          caller,
        });
        const restriction = clpCondition(decision, schema);
        if (restriction !== undefined) parts.push(restriction);
      }
      parts.push({ kind: 'acl', access: 'read', entities: caller.entities });
    }
    const own = rules.restrictQuery?.({ auth, access: 'read' });
    if (own !== undefined) parts.push(own);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    refusal = err;
  }
  const condition = refusal === undefined ? andOf(parts) : MATCH_NONE;
  if (unrestricted) {
    return new Policy({
      auth,
      schema,
      operations,
      unrestricted,
      condition,
      ...(refusal === undefined ? {} : { refusal }),
    });
  }
  const plan = planProtectedFields({
    rules: protectedFieldRules({
      className: schema.className,
      clp: schema.classLevelPermissions,
      option: options.protectedFields ?? DEFAULT_PROTECTED_FIELDS,
    }),
    caller,
    ownerExempt: schema.className === OWNER_EXEMPT_CLASS,
  });
  const untestable = new Set(plan?.alwaysHidden ?? []);
  for (const field of rules.privateFields?.({ auth }) ?? []) untestable.add(field);
  return new Policy({
    auth,
    schema,
    operations,
    unrestricted,
    condition,
    ...(refusal === undefined ? {} : { refusal }),
    ...(plan === undefined ? {} : { plan }),
    untestable,
  });
}

class Policy implements ReadPolicy {
  readonly auth: Auth;
  readonly className: string;
  readonly schema: ClassSchema;
  readonly operations: readonly ReadOperation[];
  readonly unrestricted: boolean;
  readonly refusal: ParseError | undefined;
  readonly condition: Condition;
  readonly #plan: ProtectedFieldsPlan | undefined;
  readonly #untestable: ReadonlySet<string>;
  #matcher: Matcher | undefined;

  constructor(options: {
    auth: Auth;
    schema: ClassSchema;
    operations: readonly ReadOperation[];
    unrestricted: boolean;
    condition: Condition;
    refusal?: ParseError;
    plan?: ProtectedFieldsPlan;
    untestable?: ReadonlySet<string>;
  }) {
    this.auth = options.auth;
    this.schema = options.schema;
    this.className = options.schema.className;
    this.operations = options.operations;
    this.unrestricted = options.unrestricted;
    this.refusal = options.refusal;
    this.condition = options.condition;
    this.#plan = options.plan;
    this.#untestable = options.untestable ?? NOTHING;
  }

  assertPermitted(): void {
    if (this.refusal !== undefined) throw this.refusal;
  }

  restrict(where: Condition): Condition {
    this.assertPermitted();
    return andOf([where, this.condition]);
  }

  allows(object: MatchableObject): boolean {
    if (this.refusal !== undefined) return false;
    this.#matcher ??= createMatcher(this.condition, { schema: this.schema });
    return this.#matcher(object);
  }

  canTest(field: string): boolean {
    return !this.#untestable.has(field);
  }

  assertTestable(uses: { where?: Condition; order?: readonly SortKey[]; fields?: Iterable<string> }): void {
    if (this.#untestable.size === 0) return;
    const fields = new Set<string>(uses.fields ?? []);
    if (uses.where !== undefined) testedFields(uses.where, fields);
    for (const key of uses.order ?? []) fields.add(key.path[0]);
    for (const field of fields) {
      if (!this.#untestable.has(field)) continue;
      // Parse's detail is "This user is not allowed to query <field> on class <C>"; Parse 9 sanitizes it.
      throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
        message: 'Permission denied',
        cause: `This user is not allowed to query ${field} on class ${this.className}`,
      });
    }
  }

  fetchKeys(keys: ReadonlySet<string> | undefined): string[] | undefined {
    if (keys === undefined) return undefined;
    const all = new Set(keys);
    // `userField:` rules are decided on the stored object, so their fields are read even when `keys` omits them.
    if (this.#plan !== undefined) for (const field of fieldsNeededForPlan(this.#plan)) all.add(field);
    return [...all];
  }

  shape(object: StoredObject, projection: Projection = {}): OutputObject {
    const shaped = shapeObject({ schema: this.schema, object, projection });
    if (this.#plan !== undefined) {
      const hidden = hiddenFields({ plan: this.#plan, objectId: object.objectId, fields: object.fields });
      for (const field of hidden) delete shaped.fields[field];
    }
    classRules(this.className).afterRead?.({ auth: this.auth, object: shaped });
    return shaped;
  }
}

const NOTHING: ReadonlySet<string> = new Set();
