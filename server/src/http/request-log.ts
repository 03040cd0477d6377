import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../infra/index.js';

/**
 * The access log: one line per HTTP request, written when its response is finished (or its connection closed
 * first), so every answer is covered: API routes, file downloads, pages, 404s outside the mount. The line holds
 * the method, the path with the query's parameter names only (values can be passwords, session tokens, email
 * links' tokens or `where` clauses on secrets, so none is ever logged), the status, the duration, the request
 * id and, for a Parse error, its code. Successful health probes are logged at `debug` so a load balancer's
 * polling does not drown the requests.
 */

/** Where `sendError` leaves the Parse error code for the log line (a symbol: never serialized, never clashes). */
const PARSE_CODE = Symbol('strata.parseErrorCode');
type ResponseWithCode = ServerResponse & { [PARSE_CODE]?: number };

/** Longest path logged; the rest is cut (a path can be made arbitrarily long by a client). */
const MAX_PATH = 512;
/** Probes under the mount whose successful answers are logged at `debug`. */
const PROBES = ['/health', '/ready', '/metrics'] as const;

/** Remembers the Parse error code the response carries, for the request's log line. */
export function recordErrorCode(res: ServerResponse, code: number): void {
  (res as ResponseWithCode)[PARSE_CODE] = code;
}

/** The Parse error code `sendError` answered with, if any (metrics count errors by it too). */
export function errorCodeOf(res: ServerResponse): number | undefined {
  return (res as ResponseWithCode)[PARSE_CODE];
}

export type RequestLog = (http: {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** The client address (`--trust-proxy` aware): behind the gateway, the real client, not nginx. */
  ip?: string | undefined;
}) => void;

/**
 * The access log of a listener: call it as a request arrives; its line is written once the response is done.
 *
 * @example
 * const logRequest = createRequestLog({ logger, mountPath: '/parse' });
 * logRequest({ req, res, requestId });
 */
export function createRequestLog(options: { logger: Logger; mountPath: string }): RequestLog {
  const { logger } = options;
  // The ops endpoints answer at the root (`/ready`) and Parse's health under the mount (`/parse/health`).
  const probes: ReadonlySet<string> = new Set(PROBES.flatMap((probe) => [probe, `${options.mountPath}${probe}`]));
  return ({ req, res, requestId, ip }) => logOne({ logger, probes, req, res, requestId, ip });
}

function logOne(options: {
  logger: Logger;
  probes: ReadonlySet<string>;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  ip: string | undefined;
}): void {
  const { logger, req, res, requestId, ip } = options;
  // Request lines are written at info (successful probes at debug): below that level nothing is prepared, so a
  // server logging warnings only pays nothing per request.
  if (!logger.isLevelEnabled('info')) return;
  const started = performance.now();
  res.once('close', () => {
    const url = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
    const path = loggablePath(typeof url === 'string' ? url : (req.url ?? '/'));
    const status = res.statusCode;
    const line: Record<string, unknown> = {
      reqId: requestId,
      method: req.method ?? 'GET',
      path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    const code = (res as ResponseWithCode)[PARSE_CODE];
    if (code !== undefined) line['code'] = code;
    if (ip !== undefined) line['ip'] = ip;
    // The client went away before the whole answer was written.
    if (!res.writableFinished) line['aborted'] = true;
    if (status < 300 && options.probes.has(path)) logger.debug(line, 'request');
    else logger.info(line, 'request');
  });
}

/** `/a/b?where=…&limit=1` → `/a/b?where&limit`: parameter names show the request's shape, values never leave. */
export function loggablePath(url: string): string {
  const queryAt = url.indexOf('?');
  let path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (queryAt !== -1) {
    const names = url
      .slice(queryAt + 1)
      .split('&')
      .filter((pair) => pair.length > 0)
      .map((pair) => {
        const eq = pair.indexOf('=');
        return eq === -1 ? pair : pair.slice(0, eq);
      });
    if (names.length > 0) path += `?${names.join('&')}`;
  }
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}
