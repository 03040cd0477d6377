import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../infra/index.js';
import { parseContext, readWireCredentials, hasHeaderCredentials } from '../auth/index.js';
import type { CredentialResolver } from '../auth/index.js';
import type { HttpMethod } from './api-types.js';
import { discardUnreadBody, isMultipart, readJsonBody, readMultipartBody } from './body.js';
import type { DispatchRequest, Dispatcher } from './dispatch.js';
import { parseQueryString } from './params.js';
import { requestFingerprint, writeRequestId } from './request-id.js';
import type { ResponseHeaders } from './response-headers.js';
import { sendError, sendJson } from './send.js';

const OVERRIDABLE: ReadonlySet<string> = new Set(['GET', 'PUT', 'DELETE', 'POST']);

export interface ApiHandlerOptions {
  readonly dispatcher: Dispatcher;
  readonly credentials: CredentialResolver;
  readonly mountPath: string;
  readonly publicServerURL: string | undefined;
  readonly maxBodySize: number;
}

/** What the listener learns about a request as it is served (metrics label it with these). */
export interface RequestObservation {
  /** The matched route's pattern, e.g. `/classes/:className`. */
  route: string;
  /** Whether this is a Parse API request (metered), rather than an ops endpoint or a miss. */
  api: boolean;
}

/**
 * Serves one API request under the mount: decode it (body, `_method` override, query string, credentials),
 * hand it to the dispatcher, write JSON. `url` is relative to the mount.
 */
export async function handleApiRequest(
  options: ApiHandlerOptions,
  http: {
    req: IncomingMessage;
    res: ServerResponse;
    url: string;
    log: Logger;
    /** The client as `--trust-proxy` resolved it. */
    client: { ip: string | undefined; protocol: 'http' | 'https' };
    observation?: RequestObservation;
    /** The listener's fixed headers, not yet set on `res`: written with the answer. */
    headers?: ResponseHeaders;
  },
): Promise<void> {
  const { req, res, url, log, client, headers } = http;
  let streaming = false;
  try {
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    // A file upload with header credentials streams its body to the route; everything else is JSON.
    const declaredMatch = options.dispatcher.match(req.method ?? 'GET', path);
    const declared = declaredMatch?.route;
    streaming = declared?.body === 'stream' && hasHeaderCredentials(req.headers);
    const limit = declared?.bodyLimit ?? options.maxBodySize;
    const contentType = req.headers['content-type'];
    const body =
      streaming || !hasBody(req)
        ? {}
        : declared?.multipart === true && contentType !== undefined && isMultipart(contentType)
          ? await readMultipartBody(req, { limit, contentType })
          : await readJsonBody(req, { limit });
    const method = effectiveMethod(req.method ?? 'GET', body);
    const matchedRoute = method === req.method ? declaredMatch : options.dispatcher.match(method, path);
    if (http.observation !== undefined && matchedRoute !== undefined) http.observation.route = matchedRoute.route.path;
    const ip = client.ip;
    const wire = readWireCredentials({ headers: req.headers, body });
    const credentials = options.credentials.resolve(wire.presented, { ip });
    const context = parseContext(wire.rawContext);
    // Writes carrying X-Parse-Request-Id run once (rest.md §1.7); the rules live in core.
    const requestId = writeRequestId(req, method);
    const request: { -readonly [K in keyof DispatchRequest]: DispatchRequest[K] } = {
      method,
      path,
      query: queryAt === -1 ? {} : parseQueryString(url.slice(queryAt + 1)),
      body,
      caller: { credentials },
      context,
      mountURL:
        options.publicServerURL ?? `${client.protocol}://${req.headers.host ?? 'localhost'}${options.mountPath}`,
      headers: req.headers,
      log,
    };
    // Optional fields only when present, without a spread for each (this runs for every API request).
    if (requestId !== undefined) {
      request.requestId = {
        id: requestId,
        fingerprint: requestFingerprint({ method, url, credentials, body, headers: req.headers }),
      };
    }
    if (ip !== undefined) request.ip = ip;
    if (streaming) request.rawBody = req;
    if (wire.contentType !== undefined) request.contentType = wire.contentType;
    const response = await options.dispatcher.dispatch(request, matchedRoute);
    sendJson(res, response, headers);
  } catch (err) {
    // An upload refused before its body was read (too large, not allowed): answer, then close.
    if (streaming && !req.readableEnded) discardUnreadBody(req, res);
    sendError({ res, err, log, ...(headers === undefined ? {} : { preset: headers }) });
  }
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
