/**
 * The REST front end: decodes Parse's HTTP protocol (headers or the JS SDK's body form, `_method`
 * overrides, query strings), calls one `core` operation per route and encodes the answer. It maps errors
 * to HTTP in exactly one place (`send.ts`). It holds no business rules and never touches storage.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CredentialResolver } from '../auth/index.js';
import type { InProcessDispatch } from '../cloud/index.js';
import type { Core } from '../core/index.js';
import type { Logger } from '../infra/index.js';
import { handleApiRequest } from './api-handler.js';
import { Dispatcher } from './dispatch.js';
import { createInProcessDispatcher } from './in-process.js';
import { createEncodingContext } from './encoding-context.js';
import { RouteTable } from './route-table.js';
import type { AuthRateLimits } from './auth-rate-limit.js';
import { aggregateRoutes } from './routes/aggregate.js';
import { batchRoute } from './routes/batch.js';
import { classRoutes } from './routes/classes.js';
import { configRoutes } from './routes/config.js';
import { functionRoutes } from './routes/functions.js';
import { hookRoutes } from './routes/hooks.js';
import { schemaRoutes } from './routes/schemas.js';
import { serverInfoRoute } from './routes/server-info.js';
import { logRoutes } from './routes/logs.js';
import { sessionAndRoleRoutes } from './routes/sessions.js';
import { userRoutes } from './routes/users.js';
import { handlePage } from './pages/handler.js';
import { userEmailRoutes } from './routes/user-email.js';
import { fileRoutes } from './routes/files.js';
import { jobRoutes } from './routes/jobs.js';
import { usageRoute } from './routes/usage.js';
import { slowQueryRoutes } from './routes/slow-queries.js';
import { adminRoutes } from './routes/admin.js';
import { jobScheduleRoutes } from './routes/job-schedules.js';
import { pushRoutes } from './routes/push.js';
import type { PushService } from '../push/index.js';
import { serveFileDownload } from './files-download.js';
import { sendJson } from './send.js';
import { setSecurityHeaders } from './security-headers.js';
import { applyHeaders, createResponseHeaders } from './response-headers.js';
import type { ResponseHeaders } from './response-headers.js';
import { createRequestLog, errorCodeOf } from './request-log.js';
import { ClientAddressResolver } from './client-address.js';
import { OpsEndpoints, isOpsPath } from './ops.js';
import type { OpsOptions } from './ops.js';
import type { RequestObservation } from './api-handler.js';

export type { OpsOptions } from './ops.js';
export { ClientAddressResolver } from './client-address.js';
export { setSecurityHeaders } from './security-headers.js';

export interface HttpOptions {
  readonly core: Core;
  readonly logger: Logger;
  /** The app's key check, shared with the other doors (built by `app.ts`). */
  readonly credentials: CredentialResolver;
  readonly mountPath: string;
  readonly publicServerURL?: string;
  readonly maxBodySize: number;
  readonly maxNestingDepth: number;
  readonly allowOrigin: readonly string[];
  readonly version: string;
  /** False for the `worker` role: it answers `/health` only. */
  readonly serveApi: boolean;
  /** Log-in / sign-up / password-reset limits; empty: none. */
  readonly rateLimits?: AuthRateLimits;
  /** Shown on the email-flow pages (verify email, reset password). */
  readonly appName?: string;
  /**
   * Set when files are served (core has a file store): the upload limit (the JSON form's body limit) and,
   * with signed file URLs on, the token each file URL carries. Without it the `/files` routes answer 404.
   */
  readonly files?: { readonly maxUploadSize: number; readonly fileToken?: (name: string) => string };
  /** Receives the in-process dispatcher cloud code's Parse SDK calls go through (no socket, same routes). */
  readonly inProcess?: { readonly mountURL: () => string; attach(dispatch: InProcessDispatch): void };
  /** Proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed (`--trust-proxy`); default none. */
  readonly trustProxy?: readonly string[];
  /** `/health`, `/ready` and `/metrics`; without it only `/health` is answered. */
  readonly ops?: OpsOptions;
  /** Told of every answered request once its response is written (metrics and metering). */
  readonly observe?: (sample: RequestSample) => void;
  /** `POST /push` and `/push_audiences`; without it those routes answer 404. */
  readonly push?: PushService;
  /**
   * Another front end answering one path at the server root beside the API (GraphQL at `/graphql`), after
   * this listener's request log, metrics and CORS; served only when the API is.
   */
  readonly rootFrontEnd?: RootFrontEnd;
}

/** A front end served at one path of the server root (`app.ts` passes GraphQL's). */
export interface RootFrontEnd {
  readonly path: string;
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    client: { ip: string | undefined; protocol: 'http' | 'https'; log: Logger },
  ): void;
}

/** One answered request, as `observe` hears of it. */
export interface RequestSample {
  readonly method: string;
  /**
   * The matched route pattern (`/classes/:className`), `/files` (downloads), `/apps` (email pages), an ops
   * path, or `unmatched`: never the raw URL, so labels stay few.
   */
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
  /** The Parse error code answered, if any. */
  readonly errorCode?: number;
  /** Whether it was a Parse API request (under the mount), rather than an ops endpoint or a miss. */
  readonly api: boolean;
}

/**
 * The two ways in: `listener` is a `node:http` request listener serving the API under `mountPath` and the ops
 * endpoints at the root (`strata start`); `mounted` serves a request whose URL is already relative to the
 * mount, as express hands it to `app.use('/parse', handler)`. Neither loads express.
 */
export interface HttpApp {
  readonly listener: RequestListener;
  readonly mounted: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Builds the request listener serving Parse's REST API under `mountPath`. It is a plain `node:http`
 * listener rather than an express app: routing is our own `RouteTable` (shared with `/batch`), and
 * loading express alone cost ~95 ms of the 300 ms cold-start budget while adding nothing we used.
 */
export function createHttpApp(options: HttpOptions): HttpApp {
  const encoding = createEncodingContext({
    appId: options.credentials.appId,
    publicServerURL: options.publicServerURL,
    maxDepth: options.maxNestingDepth,
    ...(options.files?.fileToken === undefined ? {} : { fileToken: options.files.fileToken }),
  });
  const publicPath =
    options.publicServerURL === undefined ? undefined : new URL(options.publicServerURL).pathname.replace(/\/$/, '');
  // The batch route dispatches through the same dispatcher; the getter is only called per request, after
  // construction.
  const routes: RouteTable = new RouteTable([
    // Before the class routes: `POST /classes/_User` is a (rate-limited) sign-up.
    ...userRoutes({ encoding, rateLimits: options.rateLimits ?? {} }),
    ...sessionAndRoleRoutes(encoding),
    ...classRoutes(encoding),
    ...schemaRoutes(encoding),
    ...aggregateRoutes(encoding),
    ...configRoutes(encoding),
    ...functionRoutes(encoding),
    ...userEmailRoutes({ rateLimits: options.rateLimits ?? {} }),
    serverInfoRoute({ version: options.version }),
    ...logRoutes(),
    usageRoute(),
    ...slowQueryRoutes(),
    ...adminRoutes(encoding),
    ...jobRoutes(),
    ...jobScheduleRoutes(encoding),
    ...hookRoutes(),
    ...(options.push === undefined ? [] : pushRoutes({ push: options.push, encoding })),
    ...(options.files === undefined ? [] : fileRoutes({ maxUploadSize: options.files.maxUploadSize, encoding })),
    batchRoute({ dispatcher: () => dispatcher, publicPath }),
  ]);
  const dispatcher: Dispatcher = new Dispatcher({ core: options.core, routes, mountPath: options.mountPath });
  const apiOptions = {
    dispatcher,
    credentials: options.credentials,
    mountPath: options.mountPath,
    publicServerURL: options.publicServerURL,
    maxBodySize: options.maxBodySize,
  };
  options.inProcess?.attach(createInProcessDispatcher({ dispatcher, mountURL: options.inProcess.mountURL }));
  const mount = options.mountPath;
  const pageOptions = {
    core: options.core,
    appId: options.credentials.appId,
    appName: options.appName,
    mountPath: options.mountPath,
  };

  const logRequest = createRequestLog({ logger: options.logger, mountPath: mount });
  const addresses = new ClientAddressResolver(options.trustProxy ?? []);
  const ops =
    options.ops === undefined
      ? new OpsEndpoints({ checks: {}, draining: () => false, metricsIps: [] })
      : new OpsEndpoints(options.ops);
  const observe = options.observe;
  const fixedHeaders = createResponseHeaders({ allowOrigin: options.allowOrigin });

  /** Serves one request; `rest` is the path (and query) relative to the mount, `undefined` outside it. */
  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    paths: { rest: string | undefined; root: string },
  ): void => {
    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : randomUUID();
    const client = addresses.resolve(req);
    const headers: ResponseHeaders = { requestId, fixed: fixedHeaders(req, client.protocol === 'https') };
    // First, so every answer below (404s, health, files, pages, the API) gets its one access-log line.
    logRequest({ req, res, requestId, ip: client.ip });
    const observation: RequestObservation = { route: 'unmatched', api: false };
    if (observe !== undefined) {
      const started = performance.now();
      res.once('finish', () => {
        const errorCode = errorCodeOf(res);
        observe({
          method: req.method ?? 'GET',
          route: observation.route,
          status: res.statusCode,
          seconds: (performance.now() - started) / 1000,
          api: observation.api,
          ...(errorCode === undefined ? {} : { errorCode }),
        });
      });
    }
    // Every answer but the API's JSON (below) gets the fixed headers set before it starts.
    if (!toApi(req, paths)) applyHeaders(res, headers);
    if (req.method === 'OPTIONS') {
      res.statusCode = 200;
      res.end('OK');
      return;
    }
    const rootPath = pathOf(paths.root);
    if (isOpsPath(rootPath)) {
      observation.route = rootPath;
      void ops.handle({ req, res, path: rootPath, ip: client.ip, log: options.logger.child({ reqId: requestId }) });
      return;
    }
    const front = options.rootFrontEnd;
    if (front !== undefined && options.serveApi && rootPath === front.path) {
      observation.route = front.path;
      observation.api = true;
      front.handle(req, res, { ...client, log: options.logger.child({ reqId: requestId }) });
      return;
    }
    const rest = paths.rest;
    if (rest === undefined) {
      notFound(res, req);
      return;
    }
    // Parse's own health route under the mount (rest.md §17), answered before any authentication.
    if (pathOf(rest) === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      observation.route = '/health';
      sendJson(res, { body: { status: 'ok' } });
      return;
    }
    if (!options.serveApi) {
      notFound(res, req);
      return;
    }
    observation.api = true;
    const log = options.logger.child({ reqId: requestId });
    // The email-flow pages are opened from mailed links in a browser: HTML, no Parse headers.
    if (rest.startsWith('/apps/')) {
      observation.route = '/apps';
      void handlePage(pageOptions, { req, res, url: rest, log }).then((handled) => {
        if (!handled) notFound(res, req);
      });
      return;
    }
    // File downloads need no Parse headers (`<img src>`): served before the API's credential checks.
    if (options.files !== undefined && rest.startsWith('/files/') && (req.method === 'GET' || req.method === 'HEAD')) {
      observation.route = '/files';
      setSecurityHeaders(res, { kind: 'file', https: client.protocol === 'https' });
      void serveFileDownload({ appId: options.credentials.appId, core: options.core }, { req, res, url: rest, log });
      return;
    }
    void handleApiRequest(apiOptions, { req, res, url: rest, log, client, observation, headers });
  };

  /** Whether `serve` hands the request to `handleApiRequest` (mirrors its branches, in the same order). */
  const toApi = (req: IncomingMessage, paths: { rest: string | undefined; root: string }): boolean => {
    const { rest } = paths;
    if (req.method === 'OPTIONS' || rest === undefined || !options.serveApi) return false;
    const rootPath = pathOf(paths.root);
    if (isOpsPath(rootPath) || (options.rootFrontEnd !== undefined && rootPath === options.rootFrontEnd.path))
      return false;
    const getOrHead = req.method === 'GET' || req.method === 'HEAD';
    if (getOrHead && pathOf(rest) === '/health') return false;
    if (rest.startsWith('/apps/')) return false;
    return !(options.files !== undefined && getOrHead && rest.startsWith('/files/'));
  };

  return {
    listener: (req, res) => {
      const url = req.url ?? '/';
      const under = url === mount || url.startsWith(`${mount}/`) || url.startsWith(`${mount}?`);
      serve(req, res, { rest: under ? url.slice(mount.length) || '/' : undefined, root: url });
    },
    mounted: (req, res) => {
      const url = req.url === undefined || req.url === '' ? '/' : req.url;
      serve(req, res, { rest: url, root: url });
    },
  };
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function notFound(res: ServerResponse, req: IncomingMessage): void {
  sendJson(res, { status: 404, body: { error: `Cannot ${req.method ?? 'GET'} ${req.url ?? '/'}` } });
}
export { enforceAuthRateLimit } from './auth-rate-limit.js';
export type { AuthRateLimits } from './auth-rate-limit.js';
