import type { Core } from '../../core/index.js';
import { ErrorCode, ParseError, toParseError } from '../../errors/index.js';
import type { ApiRequest, ApiResponse, HttpMethod, RouteDefinition } from '../api-types.js';
import type { RouteTable } from '../route-table.js';

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE']);

interface SubRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/**
 * `POST /batch` (rest.md §5): sub-requests share the caller's credentials, run concurrently and answer
 * `{success}` / `{error}` each. With `transaction: true` they run in one storage transaction, in order,
 * and the first failure fails the whole batch with that item's error (parse-server answers a bare 500
 * there, which tells a client nothing).
 */
export function batchRoute(options: { routes: () => RouteTable; publicPath: string | undefined }): RouteDefinition {
  return {
    method: 'POST',
    path: '/batch',
    handler: async (request) => {
      const subRequests = parseSubRequests(request, options.publicPath);
      const routes = options.routes();
      const plans = subRequests.map((sub) => plan(routes, sub));
      if (request.body['transaction'] === true) {
        const body = await request.core.transaction((core) => runInOrder({ request, plans, core }));
        return { body };
      }
      const body = await Promise.all(plans.map((p) => runOne({ request, plan: p, core: request.core })));
      return { body };
    },
  };
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

interface Plan {
  readonly sub: SubRequest;
  readonly route: RouteDefinition;
  readonly params: Record<string, string>;
}

function plan(routes: RouteTable, sub: SubRequest): Plan {
  const queryAt = sub.path.indexOf('?');
  const path = queryAt === -1 ? sub.path : sub.path.slice(0, queryAt);
  const match = routes.match(sub.method, path);
  // Nested batches and routes that are not object operations fail the whole batch, as Parse does.
  if (match === undefined || match.route.batchable !== true) throw cannotRoute(sub.method, sub.path);
  return { sub, route: match.route, params: match.params };
}

async function runOne(options: { request: ApiRequest; plan: Plan; core: Core }): Promise<unknown> {
  try {
    return { success: (await execute(options)).body };
  } catch (err) {
    const error = toParseError(err);
    return { error: { code: error.code, error: error.message } };
  }
}

async function runInOrder(options: { request: ApiRequest; plans: readonly Plan[]; core: Core }): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const p of options.plans)
    results.push({ success: (await execute({ request: options.request, plan: p, core: options.core })).body });
  return results;
}

function execute(options: { request: ApiRequest; plan: Plan; core: Core }): Promise<ApiResponse> {
  const { request, plan: p, core } = options;
  return p.route.handler({
    ...request,
    core,
    method: p.sub.method,
    params: p.params,
    body: p.sub.method === 'GET' ? {} : p.sub.body,
    // GET sub-requests take their parameters from `body` (rest.md §5).
    query: p.sub.method === 'GET' ? p.sub.body : {},
  });
}

function cannotRoute(method: string, path: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message: `cannot route ${method} ${path}` });
}
