/**
 * The REST front end: decodes Parse's HTTP protocol (headers or the JS SDK's body form, `_method`
 * overrides, query strings), calls one `core` operation per route and encodes the answer. It maps errors
 * to HTTP in exactly one place (`send.ts`). It holds no business rules and never touches storage.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { CredentialResolver } from '../auth/index.js';
import type { InProcessDispatch } from '../cloud/index.js';
import type { Core } from '../core/index.js';
import type { LogBuffer, Logger } from '../infra/index.js';
import { handleApiRequest } from './api-handler.js';
import { applyCors } from './cors.js';
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
import { jobScheduleRoutes } from './routes/job-schedules.js';
import { serveFileDownload } from './files-download.js';
import { sendJson } from './send.js';
import { createRequestLog } from './request-log.js';

export interface HttpOptions {
  readonly core: Core;
  readonly logger: Logger;
  /** The app's key check, shared with the other doors (built by `app.ts`). */
  readonly credentials: CredentialResolver;
  readonly mountPath: string;
  readonly publicServerURL?: string;
  readonly maxBodySize: number;
  readonly maxNestingDepth: number;
  /** Most sub-requests in one non-master `POST /batch` (default 1000). */
  readonly batchMaxRequests?: number;
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
  /** Recent log lines for `GET /scriptlog`; without it the route answers 404. */
  readonly logs?: LogBuffer;
}

/**
 * Builds the request listener serving Parse's REST API under `mountPath`. It is a plain `node:http`
 * listener rather than an express app: routing is our own `RouteTable` (shared with `/batch`), and
 * loading express alone cost ~95 ms of the 300 ms cold-start budget while adding nothing we used.
 */
export function createHttpApp(options: HttpOptions): RequestListener {
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
    serverInfoRoute({ version: options.version, logs: options.logs !== undefined }),
    ...(options.logs === undefined ? [] : logRoutes(options.logs)),
    ...jobRoutes(),
    ...jobScheduleRoutes(encoding),
    ...hookRoutes(),
    ...(options.files === undefined ? [] : fileRoutes({ maxUploadSize: options.files.maxUploadSize, encoding })),
    batchRoute({ dispatcher: () => dispatcher, publicPath, maxRequests: options.batchMaxRequests ?? 1000 }),
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

  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    // First, so every answer below (404s, health, files, pages, the API) gets its one access-log line.
    logRequest({ req, res, requestId });
    applyCors({ req, res, allowOrigin: options.allowOrigin });
    if (req.method === 'OPTIONS') {
      res.statusCode = 200;
      res.end('OK');
      return;
    }
    const url = req.url ?? '/';
    if (url !== mount && !url.startsWith(`${mount}/`) && !url.startsWith(`${mount}?`)) {
      notFound(res, req);
      return;
    }
    const rest = url.slice(mount.length) || '/';
    // Health is answered before any authentication (rest.md §17).
    if (rest === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, { body: { status: 'ok' } });
      return;
    }
    if (!options.serveApi) {
      notFound(res, req);
      return;
    }
    const log = options.logger.child({ reqId: requestId });
    // The email-flow pages are opened from mailed links in a browser: HTML, no Parse headers.
    if (rest.startsWith('/apps/')) {
      void handlePage(pageOptions, { req, res, url: rest, log }).then((handled) => {
        if (!handled) notFound(res, req);
      });
      return;
    }
    // File downloads need no Parse headers (`<img src>`): served before the API's credential checks.
    if (options.files !== undefined && rest.startsWith('/files/') && (req.method === 'GET' || req.method === 'HEAD')) {
      void serveFileDownload({ appId: options.credentials.appId, core: options.core }, { req, res, url: rest, log });
      return;
    }
    void handleApiRequest(apiOptions, { req, res, url: rest, log });
  };
}

function notFound(res: ServerResponse, req: IncomingMessage): void {
  sendJson(res, { status: 404, body: { error: `Cannot ${req.method ?? 'GET'} ${req.url ?? '/'}` } });
}
