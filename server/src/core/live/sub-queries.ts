import type { Auth } from '../../auth/index.js';
import type { FieldPath, SubQueryResolver } from '../../query/index.js';
import { valuesEqual } from '../../query/index.js';
import { encodeValue, isPlainObject, Pointer } from '../../schema/index.js';
import type { ClassSchema, ParseValue } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';
import type { FindRequest } from '../find-request.js';
import type { FindResult } from '../output.js';
import type { ReadPolicy } from '../read-policy.js';

/**
 * Live queries with sub-queries (`$inQuery`, `$notInQuery`, `$select`, `$dontSelect`) and `$relatedTo`: their
 * truth depends on other objects, which the in-memory matcher cannot see. For each written state, every such
 * operator is answered by a re-query through `core.find` with the subscriber's own caller (so the one read
 * policy decides: objects it cannot read never count, fields it cannot test are refused), narrowed to the
 * values the state holds (the pointers at the field, the field's values, the object's id), and replaced by
 * the `$in`/`$nin` (or always/never) it amounts to; the rewritten `where` is then matched in memory like any
 * other. Answers are cached per event (`SubQueryCache`): subscribers with the same sub-query and the same
 * caller share one query. `$relatedTo` is answered with the relation as it is now (relations are not part
 * of a change event). So is a constraint on a Relation field (`{members: <pointer>}`, `$ne`, ...): REST answers it
 * from the relation's edges, which are not part of the object's state either, so it is re-queried on the state's
 * own object.
 */

const SUB_QUERY_OPERATORS = ['$inQuery', '$notInQuery', '$select', '$dontSelect'] as const;
/** A constant REST `where` that matches nothing (`$in: []` is parsed to the constant false). */
const NEVER = { objectId: { $in: [] } };

/**
 * Whether a REST `where` needs re-queries (any sub-query, `$relatedTo`, or, given the class's schema, a
 * constraint on a Relation field; at any depth of `$and/$or/$nor`).
 */
export function needsRequery(where: unknown, schema?: ClassSchema): boolean {
  if (Array.isArray(where)) return where.some((item) => needsRequery(item, schema));
  if (!isRecord(where)) return false;
  for (const [key, value] of Object.entries(where)) {
    if (key === '$relatedTo') return true;
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (needsRequery(value, schema)) return true;
    } else if (isRelationField(schema, key)) return true;
    else if (isRecord(value) && SUB_QUERY_OPERATORS.some((op) => Object.hasOwn(value, op))) return true;
  }
  return false;
}

function isRelationField(schema: ClassSchema | undefined, key: string): boolean {
  return schema !== undefined && Object.hasOwn(schema.fields, key) && schema.fields[key]?.type === 'Relation';
}

/** The classes the sub-queries of a REST `where` read (nested ones included), to load their policies first. */
export function subQueryClasses(where: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(where)) {
    for (const item of where) subQueryClasses(item, out);
    return out;
  }
  if (!isRecord(where)) return out;
  for (const [key, value] of Object.entries(where)) {
    if (key === '$and' || key === '$or' || key === '$nor') subQueryClasses(value, out);
    if (!isRecord(value)) continue;
    for (const op of SUB_QUERY_OPERATORS) {
      const operand = value[op];
      const query =
        op === '$inQuery' || op === '$notInQuery' ? operand : isRecord(operand) ? operand['query'] : undefined;
      if (!isRecord(query)) continue;
      if (typeof query['className'] === 'string') out.add(query['className']);
      subQueryClasses(query['where'], out);
    }
  }
  return out;
}

/**
 * The resolver `parseWhere` validates a live `where` with: each sub-query class goes through the subscriber's
 * read policy of that class, as a REST find's sub-queries do (refused class → 119, a hidden field tested or
 * selected → 119). `policies` holds the policies of `subQueryClasses`.
 */
export function subQueryResolver(policies: ReadonlyMap<string, ReadPolicy>): SubQueryResolver {
  return {
    schemaOf: (className) => policies.get(className)?.schema,
    restrict: ({ schema, where, key }) => {
      const policy = policies.get(schema.className);
      if (policy === undefined) return where;
      policy.assertPermitted();
      policy.assertTestable({ where, fields: key === undefined ? [] : [key[0]] });
      return policy.restrict(where);
    },
  };
}

/** One event's re-query answers, shared by every subscriber of that event. */
export class SubQueryCache {
  readonly #answers = new Map<string, Promise<FindResult>>();
  readonly #find: (request: FindRequest) => Promise<FindResult>;
  /** Re-queries actually run (tests count them). */
  queries = 0;

  constructor(find: (request: FindRequest) => Promise<FindResult>) {
    this.#find = find;
  }

  find(request: FindRequest): Promise<FindResult> {
    const key = JSON.stringify([
      callerKey(request.auth),
      request.className,
      request.where,
      request.keys,
      request.limit,
    ]);
    let answer = this.#answers.get(key);
    if (answer === undefined) {
      this.queries++;
      answer = this.#find(request);
      this.#answers.set(key, answer);
    }
    return answer;
  }
}

/** Who a re-query runs as: the same user (whatever its session) or the same kind of key reads the same. */
export function callerKey(auth: Auth): string {
  return auth.kind === 'user' ? `user:${auth.userId}` : auth.kind;
}

/**
 * The REST `where` with every sub-query and `$relatedTo` replaced by what it amounts to for `state`, asked of
 * core as `auth`. A re-query that fails (the class became unreadable, a hook threw) counts as matching nothing.
 */
export async function resolveForState(options: {
  readonly where: unknown;
  readonly state: StoredObject;
  readonly className: string;
  readonly auth: Auth;
  readonly cache: SubQueryCache;
  /** The class's schema: constraints on its Relation fields are re-queried too. */
  readonly schema?: ClassSchema;
}): Promise<unknown> {
  return resolveClause(options.where, options);
}

type Context = Parameters<typeof resolveForState>[0];

async function resolveClause(where: unknown, context: Context): Promise<unknown> {
  if (!isRecord(where)) return where;
  const rest: Record<string, unknown> = {};
  const extra: unknown[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      rest[key] = Array.isArray(value) ? await Promise.all(value.map((item) => resolveClause(item, context))) : value;
    } else if (key === '$relatedTo') {
      extra.push((await isRelated(value, context)) ? {} : NEVER);
    } else if (isRelationField(context.schema, key)) {
      extra.push((await relationMatches(key, value, context)) ? {} : NEVER);
    } else if (isRecord(value) && SUB_QUERY_OPERATORS.some((op) => Object.hasOwn(value, op))) {
      const plain: Record<string, unknown> = {};
      for (const [op, operand] of Object.entries(value)) {
        if ((SUB_QUERY_OPERATORS as readonly string[]).includes(op)) {
          extra.push({
            [key]: await resolveOperator(
              { op: op as (typeof SUB_QUERY_OPERATORS)[number], field: key, operand },
              context,
            ),
          });
        } else plain[op] = operand;
      }
      if (Object.keys(plain).length > 0) rest[key] = plain;
    } else rest[key] = value;
  }
  return extra.length === 0 ? rest : { $and: [rest, ...extra] };
}

/** `$inQuery` → `$in` of the state's pointers the sub-query finds; `$select` → `$in` of its values found. */
async function resolveOperator(
  use: { readonly op: (typeof SUB_QUERY_OPERATORS)[number]; readonly field: string; readonly operand: unknown },
  context: Context,
): Promise<Record<string, unknown>> {
  const { op, field, operand } = use;
  const negate = op === '$notInQuery' || op === '$dontSelect';
  const list = (found: unknown[]): Record<string, unknown> => (negate ? { $nin: found } : { $in: found });
  const leaves = leavesOf(context.state, field);
  if (op === '$inQuery' || op === '$notInQuery') {
    if (!isRecord(operand) || typeof operand['className'] !== 'string') return list([]);
    const className = operand['className'];
    const ids = [
      ...new Set(
        leaves.filter((v): v is Pointer => v instanceof Pointer && v.className === className).map((v) => v.objectId),
      ),
    ];
    if (ids.length === 0) return list([]);
    const found = await tryFind(context, {
      className,
      where: { $and: [operand['where'] ?? {}, { objectId: { $in: ids } }] },
      keys: ['objectId'],
      limit: ids.length,
    });
    return list(found.map((object) => ({ __type: 'Pointer', className, objectId: object.objectId })));
  }
  const query = isRecord(operand) ? operand['query'] : undefined;
  const key = isRecord(operand) ? operand['key'] : undefined;
  if (!isRecord(query) || typeof query['className'] !== 'string' || typeof key !== 'string') return list([]);
  const values = leaves.filter((value) => value !== undefined);
  if (values.length === 0) return list([]);
  const encoded = values.map((value) => encodeValue(value, { fileURL: (name) => name }));
  const found = await tryFind(context, {
    className: query['className'],
    where: { $and: [query['where'] ?? {}, { [key]: { $in: encoded } }] },
    keys: [key],
    limit: 1000,
  });
  const path = key.split('.') as unknown as FieldPath;
  const selected = found.flatMap((object) =>
    leavesOfValue(path[0] === 'objectId' ? object.objectId : object.fields[path[0]], path.slice(1)),
  );
  return list(encoded.filter((_, i) => selected.some((value) => sameOrContains(value, values[i] as ParseValue))));
}

/** `$relatedTo` on the state's own object: is it a member of that owner's relation now? */
async function isRelated(operand: unknown, context: Context): Promise<boolean> {
  const found = await tryFind(context, {
    className: context.className,
    where: { $relatedTo: operand, objectId: context.state.objectId },
    keys: ['objectId'],
    limit: 1,
  });
  return found.length > 0;
}

/** A constraint on a Relation field, on the state's own object: does REST find it there now? */
async function relationMatches(field: string, constraint: unknown, context: Context): Promise<boolean> {
  const found = await tryFind(context, {
    className: context.className,
    where: { [field]: constraint, objectId: context.state.objectId },
    keys: ['objectId'],
    limit: 1,
  });
  return found.length > 0;
}

async function tryFind(
  context: Context,
  request: Omit<FindRequest, 'auth'>,
): Promise<{ objectId: string; fields: Record<string, unknown> }[]> {
  try {
    const { results } = await context.cache.find({ ...request, auth: context.auth });
    return results as unknown as { objectId: string; fields: Record<string, unknown> }[];
  } catch {
    return [];
  }
}

function sameOrContains(found: unknown, value: ParseValue): boolean {
  if (valuesEqual(found, value)) return true;
  return Array.isArray(found) && found.some((element) => valuesEqual(element, value));
}

/** The values a dot path reaches in a state (array elements one by one), as the matcher walks it. */
function leavesOf(state: StoredObject, field: string): ParseValue[] {
  const [root, ...rest] = field.split('.');
  const value = root === 'objectId' ? state.objectId : state.fields[root ?? ''];
  return leavesOfValue(value, rest);
}

function leavesOfValue(value: unknown, path: readonly string[]): ParseValue[] {
  if (value === undefined) return [];
  if (path.length === 0) return Array.isArray(value) ? (value as ParseValue[]) : [value as ParseValue];
  if (Array.isArray(value)) return value.flatMap((element) => leavesOfValue(element, path));
  if (!isPlainObject(value)) return [];
  const [head, ...rest] = path;
  return Object.hasOwn(value, head ?? '') ? leavesOfValue(value[head ?? ''], rest) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
