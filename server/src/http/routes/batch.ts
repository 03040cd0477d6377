import type { Core } from '../../core/index.js';
import { ErrorCode, ParseError, toParseError } from '../../errors/index.js';
import type { ApiRequest, HttpMethod, RouteDefinition } from '../api-types.js';
import type { DispatchPlan, Dispatcher } from '../dispatch.js';

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE']);

/**
 * `POST /batch` (rest.md §5): sub-requests share the caller's credentials, run concurrently and answer
 * `{success}` / `{error}` each. With `transaction: true` they run in one storage transaction, in order,
 * and the first failure fails the whole batch with that item's error (parse-server answers a bare 500
 * there, which tells a client nothing). Each sub-request goes through the same dispatcher as a request.
 */
export function batchRoute(options: { dispatcher: () => Dispatcher; publicPath: string | undefined }): RouteDefinition {
  return {
    method: 'POST',
    path: '/batch',
    handler: async (request) => {
      const dispatcher = options.dispatcher();
      // Every sub-request is routed before any runs: one that cannot be fails the whole batch, as in Parse.
      const requests = request.body['requests'];
      if (Array.isArray(requests)) request.core.admitBatch({ auth: request.auth, count: requests.length });
      const plans = parseSubRequests(request, options.publicPath).map((sub) =>
        dispatcher.plan(subRequest(request, sub), { batched: true }),
      );
      if (request.body['transaction'] === true) {
        const body = await request.core.transaction((core) => runInOrder({ dispatcher, plans, core }));
        return { body };
      }
      const body = await Promise.all(plans.map((plan) => runOne(dispatcher, plan)));
      return { body };
    },
  };
}

interface SubRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

function parseSubRequests(request: ApiRequest, publicPath: string | undefined): SubRequest[] {
  const requests = request.body['requests'];
  if (!Array.isArray(requests)) throw new ParseError(ErrorCode.INVALID_JSON, { message: 'requests must be an array' });
  return requests.map((raw: unknown) => {
    const item = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const path = item['path'];
    if (typeof path !== 'string')
      throw new ParseError(ErrorCode.INVALID_JSON, { message: 'batch request path must be a string' });
    const method = typeof item['method'] === 'string' ? item['method'].toUpperCase() : 'GET';
    if (!METHODS.has(method)) throw cannotRoute(method, path);
    const body = item['body'];
    const bodyObject =
      body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : {};
    return {
      method: method as HttpMethod,
      path: stripMount({ path, mountPath: request.mountPath, publicPath }),
      body: bodyObject,
    };
  });
}

/** A sub-request as the dispatcher runs it: the batch's caller, context, URL and request details. */
function subRequest(request: ApiRequest, sub: SubRequest): Parameters<Dispatcher['plan']>[0] {
  const queryAt = sub.path.indexOf('?');
  return {
    method: sub.method,
    path: queryAt === -1 ? sub.path : sub.path.slice(0, queryAt),
    // GET sub-requests take their parameters from `body` (rest.md §5); a query string in the path is ignored.
    query: sub.method === 'GET' ? sub.body : {},
    body: sub.method === 'GET' ? {} : sub.body,
    caller: {
      auth: request.auth,
      ...(request.sessionToken === undefined ? {} : { sessionToken: request.sessionToken }),
    },
    context: request.context,
    mountURL: request.mountURL,
    ...(request.headers === undefined ? {} : { headers: request.headers }),
    ...(request.ip === undefined ? {} : { ip: request.ip }),
    ...(request.log === undefined ? {} : { log: request.log }),
    ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
  };
}

/** Sub-request paths carry the mount (`/parse/classes/X`); either the serving or the public mount path. */
function stripMount(options: { path: string; mountPath: string; publicPath: string | undefined }): string {
  const { path, mountPath, publicPath } = options;
  for (const prefix of [mountPath, publicPath]) {
    if (prefix === undefined) continue;
    if (prefix === '' || prefix === '/') return path;
    if (path === prefix || path.startsWith(`${prefix}/`)) return path.slice(prefix.length);
  }
  throw new ParseError(ErrorCode.INVALID_JSON, { message: `cannot route batch path ${path}` });
}

async function runOne(dispatcher: Dispatcher, plan: DispatchPlan): Promise<unknown> {
  try {
    return { success: (await dispatcher.run(plan)).body };
  } catch (err) {
    const error = toParseError(err);
    return { error: { code: error.code, error: error.message } };
  }
}

async function runInOrder(options: {
  dispatcher: Dispatcher;
  plans: readonly DispatchPlan[];
  core: Core;
}): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const plan of options.plans) {
    const inTransaction = { ...plan, request: { ...plan.request, core: options.core } };
    results.push({ success: (await options.dispatcher.run(inTransaction)).body });
  }
  return results;
}

function cannotRoute(method: string, path: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message: `cannot route ${method} ${path}` });
}
