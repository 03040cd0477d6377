import { isMasterLike } from '../auth/index.js';
import type { CloudObjectJSON, CloudQueryJSON, CloudRunner } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { objectFromJSON, objectToJSON } from './rest-json.js';
import type { CoreDeps } from './deps.js';
import { INCLUDE_READ } from './find-request.js';
import type { FindRequest } from './find-request.js';
import { encodeOptionsOf, hookCaller } from './hook-caller.js';
import type { FindResult, OutputObject } from './output.js';

type PlainFind = (deps: CoreDeps, request: FindRequest) => Promise<FindResult>;

/**
 * beforeFind and afterFind around a find, get (`isGet`) or count (spec/cloud.md §2). beforeFind may replace
 * the query (where, limit, skip, order, keys, excludeKeys, include, hint, explain, comment are read back) or
 * answer objects itself, which non-master callers only get after re-reading those ids under their own ACL
 * and CLP. afterFind's array replaces the results. Sub-queries and includes of other classes do not run
 * these triggers.
 */
export async function findWithHooks(
  deps: CoreDeps,
  options: { request: FindRequest; runner: CloudRunner; isGet: boolean; plain: PlainFind },
): Promise<FindResult> {
  const { runner, isGet, plain } = options;
  let request = options.request;
  const { className } = request;
  const hasBefore = runner.has('beforeFind', className);
  const hasAfter = runner.has('afterFind', className);
  if (!hasBefore && !hasAfter) return plain(deps, request);
  const caller = await hookCaller(deps, { auth: request.auth, origin: request.origin });
  let query = queryJSON(request);
  let result: FindResult | undefined;
  if (hasBefore) {
    const answer = await runner.beforeFind({ className, caller, query, count: request.count === true, isGet });
    if (answer !== undefined && 'objects' in answer) {
      const results = await answeredObjects(deps, { request, objects: answer.objects, plain });
      result = request.count === true ? { results, count: results.length } : { results };
    } else if (answer !== undefined && 'query' in answer) {
      query = { ...answer.query, className };
      request = withQuery(request, answer.query);
    }
  }
  result ??= await plain(deps, request);
  if (!hasAfter || result.explain !== undefined) return result;
  const encode = encodeOptionsOf(request.origin);
  const replaced = await runner.afterFind({
    className,
    caller,
    objects: result.results.map((object) => objectToJSON(object, encode)),
    query,
    isGet,
  });
  if (replaced === undefined) return result;
  const results = replaced.map((object) => decodeReturned(object, deps, className));
  return { ...result, results };
}

/** The find as triggers see it: the REST find parameters. */
function queryJSON(request: FindRequest): CloudQueryJSON {
  const where = request.where;
  return {
    className: request.className,
    where:
      where !== null && typeof where === 'object' && !Array.isArray(where) ? (where as Record<string, unknown>) : {},
    ...(request.limit === undefined ? {} : { limit: request.limit }),
    ...(request.skip === undefined ? {} : { skip: request.skip }),
    ...(request.order === undefined ? {} : { order: request.order }),
    ...(request.keys === undefined ? {} : { keys: request.keys }),
    ...(request.excludeKeys === undefined ? {} : { excludeKeys: request.excludeKeys }),
    ...(request.include === undefined ? {} : { include: request.include }),
    ...(request.hint === undefined ? {} : { hint: request.hint }),
    ...(request.explain === undefined ? {} : { explain: request.explain }),
    ...(typeof request.comment === 'string' ? { comment: request.comment } : {}),
    ...(typeof request.readPreference === 'string' ? { readPreference: request.readPreference } : {}),
    ...(typeof request.includeReadPreference === 'string'
      ? { includeReadPreference: request.includeReadPreference }
      : {}),
    ...(typeof request.subqueryReadPreference === 'string'
      ? { subqueryReadPreference: request.subqueryReadPreference }
      : {}),
  };
}

/** The request with the trigger's query in place of the client's: what the query leaves out is dropped. */
function withQuery(request: FindRequest, query: CloudQueryJSON): FindRequest {
  const where = query.where ?? {};
  if (where === null || typeof where !== 'object' || Array.isArray(where)) throw invalidQuery('where');
  const count = (value: unknown, name: string): number | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalidQuery(name);
    return value;
  };
  const list = (value: unknown, name: string): readonly string[] | undefined => {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw invalidQuery(name);
    return value as readonly string[];
  };
  if (query.order !== undefined && query.order !== null && typeof query.order !== 'string') throw invalidQuery('order');
  const limit = count(query.limit, 'limit');
  const skip = count(query.skip, 'skip');
  const keys = list(query.keys, 'keys');
  const excludeKeys = list(query.excludeKeys, 'excludeKeys');
  const include = list(query.include, 'include');
  return {
    ...(request[INCLUDE_READ] === true ? { [INCLUDE_READ]: true as const } : {}),
    auth: request.auth,
    className: request.className,
    where,
    ...(request.count === undefined ? {} : { count: request.count }),
    ...(request.origin === undefined ? {} : { origin: request.origin }),
    ...(limit === undefined ? {} : { limit }),
    ...(skip === undefined ? {} : { skip }),
    ...(typeof query.order === 'string' ? { order: query.order } : {}),
    ...(keys === undefined ? {} : { keys }),
    ...(excludeKeys === undefined ? {} : { excludeKeys }),
    ...(include === undefined ? {} : { include }),
    ...(query.hint === undefined ? {} : { hint: query.hint }),
    ...(query.explain === true ? { explain: true } : {}),
    ...(query.comment === undefined ? {} : { comment: query.comment }),
    ...(query.readPreference === undefined ? {} : { readPreference: query.readPreference }),
    ...(query.includeReadPreference === undefined ? {} : { includeReadPreference: query.includeReadPreference }),
    ...(query.subqueryReadPreference === undefined ? {} : { subqueryReadPreference: query.subqueryReadPreference }),
  };
}

function invalidQuery(part: string): ParseError {
  return new ParseError(ErrorCode.SCRIPT_FAILED, { message: `beforeFind returned a query with an invalid ${part}.` });
}

/**
 * Objects a beforeFind answered instead of querying: the master key gets them as returned; anyone else gets
 * only those ids that still read under their own rights (in the trigger's order), as Parse does.
 */
async function answeredObjects(
  deps: CoreDeps,
  options: { request: FindRequest; objects: readonly CloudObjectJSON[]; plain: PlainFind },
): Promise<OutputObject[]> {
  const { request, objects, plain } = options;
  if (isMasterLike(request.auth)) return objects.map((object) => decodeReturned(object, deps, request.className));
  const ids = objects.map((object) => object.objectId).filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) return [];
  const { results } = await plain(deps, {
    ...(request[INCLUDE_READ] === true ? { [INCLUDE_READ]: true as const } : {}),
    auth: request.auth,
    className: request.className,
    where: { objectId: { $in: ids } },
    limit: ids.length,
    ...(request.keys === undefined ? {} : { keys: request.keys }),
    ...(request.excludeKeys === undefined ? {} : { excludeKeys: request.excludeKeys }),
    ...(request.include === undefined ? {} : { include: request.include }),
    ...(request.origin === undefined ? {} : { origin: request.origin }),
  });
  const byId = new Map(results.map((object) => [object.objectId, object]));
  return ids.map((id) => byId.get(id)).filter((object): object is OutputObject => object !== undefined);
}

function decodeReturned(object: CloudObjectJSON, deps: CoreDeps, className: string): OutputObject {
  try {
    return objectFromJSON(object, { className, maxDepth: deps.options.maxNestingDepth });
  } catch (err) {
    if (err instanceof ParseError && err.code === ErrorCode.SCRIPT_FAILED) throw err;
    throw new ParseError(ErrorCode.SCRIPT_FAILED, {
      message: `A find trigger of ${className} returned an object that cannot be sent.`,
      cause: err,
    });
  }
}
