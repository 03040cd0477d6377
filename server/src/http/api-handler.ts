import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import { parseContext, readWireCredentials, hasHeaderCredentials } from '../auth/index.js';
import type { Auth, Credentials, CredentialResolver } from '../auth/index.js';
import type { ApiResponse, HttpMethod, RouteDefinition } from './api-types.js';
import { discardUnreadBody, readJsonBody } from './body.js';
import { parseQueryString } from './params.js';
import { requestFingerprint, writeRequestId } from './request-id.js';
import type { RouteTable } from './route-table.js';
import { sendError, sendJson } from './send.js';

const OVERRIDABLE: ReadonlySet<string> = new Set(['GET', 'PUT', 'DELETE', 'POST']);

export interface ApiHandlerOptions {
  readonly core: Core;
  readonly routes: RouteTable;
  readonly credentials: CredentialResolver;
  readonly mountPath: string;
  readonly publicServerURL: string | undefined;
  readonly maxBodySize: number;
}

/**
 * Serves one API request under the mount: read the body, apply the `_method` override, resolve
 * credentials, route, call the handler, write JSON. `url` is relative to the mount.
 */
export async function handleApiRequest(
  options: ApiHandlerOptions,
  http: { req: IncomingMessage; res: ServerResponse; url: string; log: Logger },
): Promise<void> {
  const { req, res, url, log } = http;
  let streaming = false;
  try {
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    // A file upload with header credentials streams its body to the route; everything else is JSON.
    const declared = options.routes.match(req.method ?? 'GET', path)?.route;
    streaming = declared?.body === 'stream' && hasHeaderCredentials(req.headers);
    const body =
      streaming || !hasBody(req) ? {} : await readJsonBody(req, { limit: declared?.bodyLimit ?? options.maxBodySize });
    const method = effectiveMethod(req.method ?? 'GET', body);
    const ip = req.socket.remoteAddress;
    const wire = readWireCredentials({ headers: req.headers, body });
    const credentials = options.credentials.resolve(wire.presented, { ip });
    const context = parseContext(wire.rawContext);
    const match = options.routes.match(method, path);
    if (match === undefined) {
      throw new ParseError(ErrorCode.INVALID_JSON, {
        message: `Cannot ${method} ${path}`,
        httpStatus: 404,
        bare: true,
      });
    }
    const mountURL =
      options.publicServerURL ?? `${protocolOf(req)}://${req.headers.host ?? 'localhost'}${options.mountPath}`;
    const auth = await resolveSession(options.core, { credentials, route: match.route });
    const run = (): Promise<ApiResponse> =>
      match.route.handler({
        method,
        auth,
        core: options.core,
        params: match.params,
        body,
        query: queryAt === -1 ? {} : parseQueryString(url.slice(queryAt + 1)),
        mountURL,
        mountPath: options.mountPath,
        context,
        headers: req.headers,
        log,
        ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
        ...(ip === undefined ? {} : { ip }),
        ...(streaming ? { rawBody: req } : {}),
        ...(wire.contentType === undefined ? {} : { contentType: wire.contentType }),
      });
    // Writes carrying X-Parse-Request-Id run once (rest.md §1.7); the rules live in core.
    const requestId = writeRequestId(req, method);
    const response =
      requestId === undefined
        ? await run()
        : await options.core.once({
            requestId,
            fingerprint: requestFingerprint({ method, url, credentials, body, headers: req.headers }),
            work: run,
          });
    sendJson(res, response);
  } catch (err) {
    // An upload refused before its body was read (too large, not allowed): answer, then close.
    if (streaming && !req.readableEnded) discardUnreadBody(req, res);
    sendError({ res, err, log });
  }
}

/**
 * A presented session token is resolved on every request (rest.md §1.3), even where no user is needed, so a
 * stale token fails with 209; except when a master-like key was accepted or the route reads it itself.
 */
function resolveSession(core: Core, options: { credentials: Credentials; route: RouteDefinition }): Promise<Auth> {
  const { credentials } = options;
  return options.route.sessionToken === 'ignore' ? Promise.resolve(credentials.auth) : core.authenticate(credentials);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The JS, iOS and Android SDKs tunnel GET / PUT / DELETE through POST with `_method` (rest.md §1.2). */
function effectiveMethod(method: string, body: Record<string, unknown>): HttpMethod {
  if (method === 'POST' && typeof body['_method'] === 'string') {
    const override = body['_method'].toUpperCase();
    delete body['_method'];
    if (OVERRIDABLE.has(override)) return override as HttpMethod;
  }
  delete body['_noBody'];
  return method as HttpMethod;
}

function protocolOf(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-proto'];
  if (typeof forwarded === 'string') return forwarded.split(',')[0]?.trim() ?? 'http';
  return 'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http';
}
