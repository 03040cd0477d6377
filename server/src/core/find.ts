import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { parseOrder, parseWhere } from '../query/index.js';
import type { Condition, SortKey } from '../query/index.js';
import { EmbeddedObject } from '../schema/index.js';
import type { ACL, ClassSchema, Pointer } from '../schema/index.js';
import type { FindOptions } from '../storage/index.js';
import { assertClassAccess } from './access.js';
import { isReadById } from './classes/index.js';
import type { CoreDeps } from './deps.js';
import { buildIncludeTree, includeAllTree, resolveIncludes } from './include.js';
import type { IncludeTree } from './include.js';
import type { FindResult, OutputObject } from './output.js';
import { readPolicies } from './read-policies.js';
import type { ReadPolicies } from './read-policies.js';
import type { ReadOperation, ReadPolicy } from './read-policy.js';
import { guardRelatedTo } from './related-to-guard.js';
import { assertMayExplain, explainFind, queryHintsOf, timeBudgetOf } from './query-hints.js';
import { findWithHooks } from './find-hooks.js';
import { hooksFor } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';
import { INCLUDE_READ } from './find-request.js';
import type { FindRequest } from './find-request.js';
import { findRedirected } from './redirect.js';
import { loadSchemaForRead } from './schema-step.js';
import { whereLimits, whereOptions } from './sub-queries.js';
import { checkSearchRequest, withScoreField } from './search-request.js';
import type { Projection } from './shape.js';

export type { FindRequest } from './find-request.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** The storage-facing hints of a find: `queryHintsOf` plus the time budget. */
type StorageHints = Pick<FindOptions, 'hint' | 'comment' | 'readPreference' | 'subqueryReadPreference' | 'maxTimeMs'>;
const NO_PROJECTION: Projection = Object.freeze({});

export interface GetRequest {
  readonly auth: Auth;
  readonly className: string;
  readonly objectId: string;
  readonly keys?: readonly string[];
  readonly excludeKeys?: readonly string[];
  readonly include?: readonly string[];
  readonly origin?: RequestOrigin;
}

/** GET /classes/:className: beforeFind / afterFind (when the class has them) around the find itself. */
export async function find(deps: CoreDeps, request: FindRequest): Promise<FindResult> {
  const runner = request.redirectClassNameForKey === undefined ? hooksFor(deps, request.className) : undefined;
  if (runner === undefined) return findWithoutHooks(deps, request);
  return findWithHooks(deps, { request, runner, isGet: false, plain: findWithoutHooks });
}

/**
 * Parse and validate, query storage through the caller's read policy (ACL, CLP, pointer permissions, the
 * class's own rule; no testing fields hidden from the caller), include, shape; no trigger runs.
 */
export async function findWithoutHooks(deps: CoreDeps, request: FindRequest): Promise<FindResult> {
  if (request.redirectClassNameForKey !== undefined) {
    return findRedirected(deps, { request, run: (redirected) => find(deps, redirected) });
  }
  const hints: StorageHints = { ...queryHintsOf(request), ...timeBudgetOf(deps, request.auth) };
  assertPaging(request);
  if (request.explain === true) assertMayExplain(deps, request.auth);
  assertClassAccess({ auth: request.auth, className: request.className, operation: 'read' });
  const schema = await loadSchemaForRead({ deps, auth: request.auth, className: request.className });
  if (schema === undefined) return request.count === true ? { results: [], count: 0 } : { results: [] };
  // One caller resolution for the whole find: its sub-queries, `$relatedTo` owners and includes share it.
  const policies = await readPolicies(deps, request.auth);
  const objectIdOnly = isObjectIdOnly(request.where);
  const parsed = parseWhere({
    where: request.where ?? {},
    schema,
    maxDepth: deps.options.maxNestingDepth,
    // `{"objectId": "…"}` (every get) has no sub-query and no relative time: its limits are all it needs.
    ...(objectIdOnly ? whereLimits(deps, request.auth) : await whereOptions({ deps, auth: request.auth, policies })),
  });
  checkSearchRequest({ where: parsed, order: request.order, keys: request.keys });
  const sort = parseOrder(request.order ?? '', schema);
  const asInclude = request[INCLUDE_READ] === true;
  const policy = policies.of(schema, {
    operations: asInclude ? ['get'] : readOperationsOf(request, objectIdOnly),
    byId: asInclude || isReadById(request.where),
  });
  policy.assertPermitted();
  policy.assertTestable({ where: parsed, order: sort });
  const where = policy.restrict(await guardRelatedTo({ deps, policies, where: parsed }));
  const limit = effectiveLimit(deps, request.limit);
  if (request.explain === true) {
    const skip = request.skip === undefined ? {} : { skip: request.skip };
    return {
      results: [],
      explain: await explainFind({ deps, find: { schema, where, sort, limit, ...skip, ...hints } }),
    };
  }
  const results =
    limit === 0 ? [] : await fetchShaped({ deps, request, hints, where, sort, limit, policy, policies, asked: parsed });
  if (request.count !== true) return { results };
  return { results, count: await deps.storage.count({ schema, where, ...hints }) };
}

/** GET /classes/:className/:objectId: a find by id; missing or unreadable → 101. */
export async function get(deps: CoreDeps, request: GetRequest): Promise<OutputObject> {
  // Built field by field (an object rest and spread were a visible share of a get's CPU).
  const byId: Mutable<FindRequest> = {
    auth: request.auth,
    className: request.className,
    where: { objectId: request.objectId },
    limit: 1,
  };
  if (request.keys !== undefined) byId.keys = request.keys;
  if (request.excludeKeys !== undefined) byId.excludeKeys = request.excludeKeys;
  if (request.include !== undefined) byId.include = request.include;
  if (request.origin !== undefined) byId.origin = request.origin;
  const runner = hooksFor(deps, request.className);
  const { results } =
    runner === undefined
      ? await findWithoutHooks(deps, byId)
      : await findWithHooks(deps, { request: byId, runner, isGet: true, plain: findWithoutHooks });
  const found = results[0];
  if (found === undefined) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
  return found;
}

/**
 * `limit` and `skip` are non-negative safe integers, whichever door they came through: 1e20 is an integer to
 * JavaScript but binds in no database (SQLite threw, a 500).
 */
function assertPaging(request: FindRequest): void {
  for (const [name, value] of [
    ['limit', request.limit],
    ['skip', request.skip],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: `${name} must be a non-negative integer.` });
    }
  }
}

/** What `getPointed` reads: the objects some pointers name, for one caller. */
export interface GetPointedRequest {
  readonly auth: Auth;
  readonly pointers: readonly Pointer[];
  readonly origin?: RequestOrigin;
}

/**
 * The objects `pointers` name, read exactly as a REST `include` reads them (one query per class, CLP `get`,
 * ACL, protectedFields, the class's find triggers): GraphQL's pointer fields, batched per request. An object
 * the caller may not read is left out.
 */
export async function getPointed(deps: CoreDeps, request: GetPointedRequest): Promise<OutputObject[]> {
  const holders: Record<string, unknown>[] = request.pointers.map((pointer) => ({ target: pointer }));
  await resolveIncludes({
    deps,
    policies: await readPolicies(deps, request.auth),
    holders,
    tree: buildIncludeTree(['target']),
    ...(deps.cloud === undefined
      ? {}
      : {
          hookedFind: (included: FindRequest) =>
            find(deps, request.origin === undefined ? included : { ...included, origin: request.origin }),
        }),
  });
  const out: OutputObject[] = [];
  for (const holder of holders) {
    const embedded = holder['target'];
    if (!(embedded instanceof EmbeddedObject)) continue;
    const { createdAt, updatedAt, ACL, ...fields } = embedded.fields as Record<string, unknown>;
    out.push({
      className: embedded.className,
      objectId: embedded.objectId,
      ...(createdAt instanceof Date ? { createdAt } : {}),
      ...(updatedAt instanceof Date ? { updatedAt } : {}),
      ...(ACL === undefined ? {} : { ACL: ACL as ACL }),
      fields,
    });
  }
  return out;
}

function effectiveLimit(deps: CoreDeps, requested: number | undefined): number {
  const limit = requested ?? deps.options.defaultLimit;
  const max = deps.options.maxLimit;
  return max !== undefined && limit > max ? max : limit;
}

async function fetchShaped(options: {
  deps: CoreDeps;
  request: FindRequest;
  /** `queryHintsOf` and `timeBudgetOf` of the request (validated once, by the caller). */
  hints: StorageHints;
  where: Condition;
  sort: SortKey[];
  limit: number;
  policy: ReadPolicy;
  policies: ReadPolicies;
  /** The caller's own condition, for the slow query log's shape. */
  asked: Condition;
}): Promise<OutputObject[]> {
  const { deps, request, where, sort, limit, policy } = options;
  const { schema } = policy;
  const selection = splitKeys(request.keys);
  const projection: Projection =
    selection === undefined && request.excludeKeys === undefined
      ? NO_PROJECTION
      : {
          ...(selection === undefined ? {} : { keys: withScoreField(selection.top) }),
          ...(request.excludeKeys === undefined ? {} : { excludeKeys: new Set(request.excludeKeys) }),
        };
  const keys = policy.fetchKeys(selection?.top);
  const findOptions: Mutable<FindOptions> = { schema, where, sort, ...options.hints, limit };
  if (request.skip !== undefined) findOptions.skip = request.skip;
  if (keys !== undefined) findOptions.keys = keys;
  const started = performance.now();
  const stored = await deps.storage.find(findOptions);
  deps.slowQueries?.observe({
    className: schema.className,
    where: options.asked,
    sort,
    ms: performance.now() - started,
    explain: () => deps.storage.explain?.(findOptions) ?? Promise.resolve(undefined),
  });
  const shaped = stored.map((object) => policy.shape(object, projection));
  const tree =
    request.include === undefined && selection === undefined
      ? undefined
      : includeTree({ schema, include: request.include, implied: selection?.implied });
  if (tree !== undefined && Object.keys(tree).length > 0) {
    await resolveIncludes({
      deps,
      policies: options.policies,
      holders: shaped.map((o) => o.fields),
      tree,
      ...(selection === undefined ? {} : { subKeys: selection.sub }),
      // Included classes with find triggers are read through the hooked find, with this request's origin.
      ...(deps.cloud === undefined
        ? {}
        : {
            hookedFind: (included: FindRequest) =>
              find(deps, request.origin === undefined ? included : { ...included, origin: request.origin }),
          }),
    });
  }
  return shaped;
}

/**
 * The CLP operations a find is checked against (spec/security.md §4.2): `get` for an objectId-only `where`,
 * `count` (plus `find` unless `limit=0`) for counts, else `find`.
 */
function readOperationsOf(
  request: { count?: boolean; limit?: number },
  objectIdOnly: boolean,
): readonly ReadOperation[] {
  if (request.count === true) return request.limit === 0 ? ['count'] : ['count', 'find'];
  return objectIdOnly ? GET : FIND;
}

const GET: readonly ReadOperation[] = Object.freeze(['get']);
const FIND: readonly ReadOperation[] = Object.freeze(['find']);

/** `{"objectId":"x"}` and nothing else: checked as a `get`, as Parse does. */
function isObjectIdOnly(where: unknown): boolean {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) return false;
  const keys = Object.keys(where);
  return (
    keys.length === 1 && keys[0] === 'objectId' && typeof (where as Record<string, unknown>)['objectId'] === 'string'
  );
}

interface KeySelection {
  /** Top-level fields to fetch. */
  readonly top: Set<string>;
  /** Paths implied for include by dotted keys (`post.title` includes `post`). */
  readonly implied: string[];
  /** Per included path, the sub-keys selected inside it. */
  readonly sub: Map<string, Set<string>>;
}

/** `keys=a,post.title` → fetch `a` and `post`, include `post`, and keep only `title` inside it. */
function splitKeys(keys: readonly string[] | undefined): KeySelection | undefined {
  if (keys === undefined) return undefined;
  const selection: KeySelection = { top: new Set(), implied: [], sub: new Map() };
  for (const key of keys) {
    const parts = key.split('.');
    selection.top.add(parts[0] as string);
    if (parts.length < 2) continue;
    const parent = parts.slice(0, -1).join('.');
    selection.implied.push(parent);
    let sub = selection.sub.get(parent);
    if (sub === undefined) selection.sub.set(parent, (sub = new Set()));
    sub.add(parts[parts.length - 1] as string);
  }
  return selection;
}

function includeTree(options: {
  schema: ClassSchema;
  include: readonly string[] | undefined;
  implied: readonly string[] | undefined;
}): IncludeTree {
  const paths = [...(options.include ?? []), ...(options.implied ?? [])];
  if (paths.includes('*')) {
    return { ...includeAllTree(options.schema), ...buildIncludeTree(paths.filter((p) => p !== '*')) };
  }
  return buildIncludeTree(paths);
}
