import { request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DashboardApp } from './apps.js';
import { appServerURL } from './apps.js';

/**
 * Forwards a signed-in dashboard request to the app's REST API with the app's master key (or its read-only
 * master key for read-only users, or a user's own session when browsing as that user), streaming both bodies (uploads, exports). The app's own REST routes and
 * core operations decide everything: the dashboard adds no permission rules of its own. Only the headers
 * a Parse request needs are passed on: the browser's cookies and any Parse credentials it sends are dropped.
 */
const FORWARDED_REQUEST_HEADERS = [
  'content-type',
  'content-length',
  'accept',
  'range',
  'x-parse-upload-mode',
  'x-parse-file-metadata',
  'x-parse-file-tags',
  'x-parse-file-directory',
  'x-parse-cloud-context',
] as const;

const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'content-disposition',
  'accept-ranges',
  'x-parse-job-status-id',
  'x-parse-push-status-id',
  'x-request-id',
  'retry-after',
] as const;

/** Who the forwarded request acts as: the app's (read-only) master key, or one user's session. */
export type ProxyCredentials =
  { readonly kind: 'master'; readonly readOnly: boolean } | { readonly kind: 'user'; readonly sessionToken: string };

export interface ProxyTarget {
  readonly app: DashboardApp;
  readonly credentials: ProxyCredentials;
  /** The path below the app's mount, query included, e.g. `/classes/Game?limit=10`. */
  readonly path: string;
  /** Instead of the mount and `path`: one of the app's own endpoints outside the mount (GraphQL, metrics). */
  readonly url?: string;
  /** Added to the forwarded request (the metrics endpoint's bearer token). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly requestId: string;
}

/** Whether a mount-relative path is safe to append to a server URL (no dot segments, no scheme tricks). */
export function isSafeApiPath(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return false;
  const pathname = path.split('?')[0] ?? '';
  for (const segment of pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return false;
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\')) return false;
  }
  return true;
}

export function proxyToApp(target: ProxyTarget, http: { req: IncomingMessage; res: ServerResponse }): Promise<void> {
  const { req, res } = http;
  const { app, credentials } = target;
  const url = new URL(target.url ?? appServerURL(app) + target.path);
  const headers: Record<string, string> = {
    'x-parse-application-id': app.appId,
    'x-request-id': target.requestId,
    ...target.headers,
  };
  if (credentials.kind === 'master') {
    headers['x-parse-master-key'] = (credentials.readOnly ? app.readOnlyMasterKey : app.masterKey) ?? '';
  } else {
    headers['x-parse-session-token'] = credentials.sessionToken;
    if (app.clientKey !== undefined) headers['x-parse-rest-api-key'] = app.clientKey;
  }
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const upstream = send(url, { method: req.method ?? 'GET', headers }, (answer) => {
      const out: Record<string, string> = {};
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = answer.headers[name];
        if (typeof value === 'string') out[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, { ...out, 'cache-control': 'no-store' });
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ code: 100, error: `The app's server cannot be reached: ${err.message}` }));
      } else res.destroy();
      resolve();
    });
    req.pipe(upstream);
  });
}
