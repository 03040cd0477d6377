import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { parseOrder, parseWhere } from '../query/index.js';
import type { Condition } from '../query/index.js';
import type { ClassSchema } from '../schema/index.js';
import { assertClassAccess } from './access.js';
import { assertClassFind, classRules, withClassRestriction } from './classes/index.js';
import type { CoreDeps } from './deps.js';
import { resolveCaller } from './caller.js';
import { authorizeFind } from './find-access.js';
import type { FindAccess } from './find-access.js';
import { buildIncludeTree, includeAllTree, resolveIncludes } from './include.js';
import type { IncludeTree } from './include.js';
import type { FindResult, OutputObject } from './output.js';
import { keysWithPlanFields, stripProtected } from './protected-read.js';
import { assertMayExplain, explainFind, queryHintsOf } from './query-hints.js';
import { findWithHooks } from './find-hooks.js';
import { hooksFor } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';
import type { FindRequest } from './find-request.js';
import { findRedirected } from './redirect.js';
import { loadSchemaForRead } from './schema-step.js';
import { whereOptions } from './sub-queries.js';
import { checkSearchRequest, pickSearchOptions, withScoreField } from './search-request.js';
import { shapeObject } from './shape.js';
import type { Projection } from './shape.js';

export type { FindRequest } from './find-request.js';

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

/** Parse and validate, query storage under the caller's read ACL, include, shape; no trigger runs. */
export async function findWithoutHooks(deps: CoreDeps, request: FindRequest): Promise<FindResult> {
  if (request.redirectClassNameForKey !== undefined) {
    return findRedirected(deps, { request, run: (redirected) => find(deps, redirected) });
  }
  const hints = queryHintsOf(request);
  if (request.explain === true) assertMayExplain(deps, request.auth);
  assertClassAccess({ auth: request.auth, className: request.className, operation: 'read' });
  assertClassFind({ rules: classRules(request.className), auth: request.auth, where: request.where });
  const schema = await loadSchemaForRead({ deps, auth: request.auth, className: request.className });
  if (schema === undefined) return request.count === true ? { results: [], count: 0 } : { results: [] };
  // Resolved once: the sub-query resolver and the find's own permission checks both need it.
  const caller = await resolveCaller(deps, request.auth);
  const parsed = parseWhere({
    where: request.where ?? {},
    schema,
    maxDepth: deps.options.maxNestingDepth,
    ...(await whereOptions({ deps, auth: request.auth, caller })),
  });
  checkSearchRequest({ where: parsed, ...pickSearchOptions(request) });
  const access = await authorizeFind({ deps, request, schema, parsed, caller });
  const where = withClassRestriction(access.where, {
    rules: classRules(request.className),
    auth: request.auth,
    access: 'read',
  });
  const limit = effectiveLimit(deps, request.limit);
  if (request.explain === true) {
    const sort = parseOrder(request.order ?? '', schema);
    const skip = request.skip === undefined ? {} : { skip: request.skip };
    return {
      results: [],
      explain: await explainFind({ deps, find: { schema, where, sort, limit, ...skip, ...hints } }),
    };
  }
  const results = limit === 0 ? [] : await fetchShaped({ deps, request, schema, where, limit, access });
  if (request.count !== true) return { results };
  return { results, count: await deps.storage.count({ schema, where, ...hints }) };
}

/** GET /classes/:className/:objectId: a find by id; missing or unreadable → 101. */
export async function get(deps: CoreDeps, request: GetRequest): Promise<OutputObject> {
  const { objectId: _objectId, ...rest } = request;
  const byId: FindRequest = { ...rest, where: { objectId: request.objectId }, limit: 1 };
  const runner = hooksFor(deps, request.className);
  const { results } =
    runner === undefined
      ? await findWithoutHooks(deps, byId)
      : await findWithHooks(deps, { request: byId, runner, isGet: true, plain: findWithoutHooks });
  const found = results[0];
  if (found === undefined) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
  return found;
}

function effectiveLimit(deps: CoreDeps, requested: number | undefined): number {
  const limit = requested ?? deps.options.defaultLimit;
  const max = deps.options.maxLimit;
  return max !== undefined && limit > max ? max : limit;
}

async function fetchShaped(options: {
  deps: CoreDeps;
  request: FindRequest;
  schema: ClassSchema;
  where: Condition;
  limit: number;
  access: FindAccess;
}): Promise<OutputObject[]> {
  const { deps, request, schema, where, limit, access } = options;
  const selection = splitKeys(request.keys);
  const projection: Projection = {
    ...(selection === undefined ? {} : { keys: withScoreField(selection.top) }),
    ...(request.excludeKeys === undefined ? {} : { excludeKeys: new Set(request.excludeKeys) }),
  };
  const stored = await deps.storage.find({
    schema,
    where,
    sort: parseOrder(request.order ?? '', schema),
    ...queryHintsOf(request),
    ...(request.skip === undefined ? {} : { skip: request.skip }),
    limit,
    ...(selection === undefined ? {} : { keys: keysWithPlanFields(selection.top, access.plan) }),
  });
  const shaped = stored.map((object) => {
    const output = shapeObject({ schema, object, projection });
    stripProtected({ plan: access.plan, object: output, stored: object.fields });
    return output;
  });
  const afterRead = classRules(schema.className).afterRead;
  if (afterRead !== undefined) for (const object of shaped) afterRead({ auth: request.auth, object });
  const tree = includeTree({ schema, include: request.include, implied: selection?.implied });
  if (Object.keys(tree).length > 0) {
    await resolveIncludes({
      deps,
      auth: request.auth,
      caller: access.caller,
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
