import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PasswordHasher } from '../auth/index.js';
import type { Logger, PubSub, RateLimiter } from '../infra/index.js';
import type { DashboardApp } from './apps.js';
import { appRootURL, publicAppInfo } from './apps.js';
import { exportClass } from './export.js';
import { importClass } from './import.js';
import type { ImportLimits } from './import.js';
import { isSafeApiPath, proxyToApp } from './proxy.js';
import type { ProxyCredentials } from './proxy.js';
import { SECURITY_HEADERS, serveStatic } from './static-files.js';
import { SESSION_COOKIE, SessionSigner, readCookie, sessionCookieHeader } from './session-cookie.js';
import type { DashboardSession } from './session-cookie.js';
import { verifyTotp } from './totp.js';
import { UserSessionError, UserSessions } from './user-sessions.js';
import type { DashboardUser } from './users.js';

export interface DashboardOptions {
  /** Where the dashboard is served, e.g. `/dashboard`. */
  readonly path: string;
  /** The built static files; undefined: the page explains how to build them. */
  readonly assets: string | undefined;
  readonly apps: readonly DashboardApp[];
  /** The current users (re-read by the caller when the users file changes). */
  readonly users: () => readonly DashboardUser[];
  readonly hasher: PasswordHasher;
  /** Signs session cookies; shared by every server of the deployment. */
  readonly secret: string;
  readonly sessionTtlMs: number;
  /** Sign-in attempts per client IP, and per username. */
  readonly signInLimits: { readonly ip: RateLimiter; readonly username: RateLimiter };
  /** Carries sign-outs to the other servers, so a revoked cookie fails everywhere. */
  readonly pubsub: PubSub;
  readonly logger: Logger;
  readonly now: () => number;
  /** Limits of the streamed import (default: `DEFAULT_IMPORT_LIMITS`, 256 MB files). */
  readonly importLimits?: ImportLimits;
}

export interface DashboardHandler {
  /** Serves a request whose path is under the dashboard path. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Whether this request belongs to the dashboard. */
  owns(url: string): boolean;
  close(): Promise<void>;
}

const SIGN_OUT_CHANNEL = 'dashboard:signout';
const MAX_SIGN_IN_BODY = 16 * 1024;

/**
 * The dashboard front end: static files, the sign-in session (`/api/session`) and the app API
 * (`/api/apps/:appId/...`), which forwards to each app's REST API acting with its master key. The browser
 * holds only an HttpOnly session cookie and a CSRF token, never a key.
 */
export async function createDashboardHandler(options: DashboardOptions): Promise<DashboardHandler> {
  const signer = new SessionSigner({ secret: options.secret });
  const base = options.path.replace(/\/+$/, '');
  // Revoked session nonces until they would have expired anyway.
  const revoked = new Map<string, number>();
  const unsubscribe = await options.pubsub.subscribe(SIGN_OUT_CHANNEL, (message) => {
    const [nonce, expires] = message.split(' ');
    if (nonce !== undefined && expires !== undefined) revoked.set(nonce, Number(expires));
  });
  const log = options.logger.child({ component: 'dashboard' });
  const userSessions = new UserSessions({ ttlMs: 10 * 60_000, now: options.now, apps: options.apps });

  /** The signed-in user behind a request's cookie, checked against the current users list. */
  const currentUser = (req: IncomingMessage): { session: DashboardSession; user: DashboardUser } | undefined => {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie === undefined) return undefined;
    const now = options.now();
    const session = signer.verify(cookie, now);
    if (session === undefined) return undefined;
    const revokedUntil = revoked.get(session.nonce);
    if (revokedUntil !== undefined) return undefined;
    const user = options.users().find((u) => u.username === session.username);
    if (user === undefined || !signer.matchesPassword(session, user.passwordHash)) return undefined;
    return { session, user };
  };

  const appsFor = (user: DashboardUser): DashboardApp[] =>
    options.apps.filter((app) => user.apps === undefined || user.apps.includes(app.appId));

  const sessionBody = (session: DashboardSession, user: DashboardUser): Record<string, unknown> => ({
    username: user.username,
    readOnly: user.readOnly === true,
    csrfToken: signer.csrfToken(session),
    expiresAt: new Date(session.expiresAt).toISOString(),
    apps: appsFor(user).map((app) => publicAppInfo(app, { readOnly: user.readOnly === true })),
  });

  const signIn = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ip = req.socket.remoteAddress ?? 'unknown';
    const body = await readSmallJson(req);
    const username = typeof body?.['username'] === 'string' ? body['username'] : '';
    const password = typeof body?.['password'] === 'string' ? body['password'] : '';
    const code = typeof body?.['totp'] === 'string' ? body['totp'] : undefined;
    const [byIp, byName] = await Promise.all([
      options.signInLimits.ip.hit(ip),
      options.signInLimits.username.hit(username.toLowerCase()),
    ]);
    if (!byIp.allowed || !byName.allowed) {
      log.warn({ ip, username }, 'dashboard sign-in rate limited');
      sendJson(res, 429, { error: 'Too many sign-in attempts. Wait a minute and try again.' });
      return;
    }
    const user = options.users().find((u) => u.username === username);
    const passwordOk =
      user === undefined
        ? await options.hasher.verifyAgainstNothing(password)
        : await options.hasher.verify(password, user.passwordHash);
    if (user === undefined || !passwordOk) {
      log.warn({ ip, username }, 'dashboard sign-in failed');
      sendJson(res, 401, { error: 'Invalid username or password.' });
      return;
    }
    if (user.totpSecret !== undefined) {
      if (code === undefined || code === '') {
        sendJson(res, 401, { error: 'Enter the code from your authenticator app.', totpRequired: true });
        return;
      }
      if (!verifyTotp({ secret: user.totpSecret, code, atMs: options.now() })) {
        log.warn({ ip, username }, 'dashboard sign-in: wrong one-time code');
        sendJson(res, 401, { error: 'Invalid one-time code.', totpRequired: true });
        return;
      }
    }
    const { session, cookie } = signer.issue({
      username: user.username,
      passwordHash: user.passwordHash,
      now: options.now(),
      ttlMs: options.sessionTtlMs,
    });
    res.setHeader(
      'set-cookie',
      sessionCookieHeader({
        value: cookie,
        maxAgeSeconds: Math.floor(options.sessionTtlMs / 1000),
        secure: isHttps(req),
        path: base,
      }),
    );
    log.info({ ip, username, readOnly: user.readOnly === true }, 'dashboard sign-in');
    sendJson(res, 200, sessionBody(session, user));
  };

  const signOut = async (req: IncomingMessage, res: ServerResponse, session: DashboardSession): Promise<void> => {
    revoked.set(session.nonce, session.expiresAt);
    await options.pubsub.publish(SIGN_OUT_CHANNEL, `${session.nonce} ${session.expiresAt}`);
    res.setHeader('set-cookie', sessionCookieHeader({ value: '', maxAgeSeconds: 0, secure: isHttps(req), path: base }));
    sendJson(res, 200, {});
  };

  const api = async (req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> => {
    const method = req.method ?? 'GET';
    if (rest === '/api/session' && method === 'POST') return signIn(req, res);
    const signedIn = currentUser(req);
    if (rest === '/api/session' && method === 'GET') {
      if (signedIn === undefined) {
        sendJson(res, 401, { error: 'Not signed in.', needsSetup: options.users().length === 0 });
        return;
      }
      sendJson(res, 200, sessionBody(signedIn.session, signedIn.user));
      return;
    }
    if (signedIn === undefined) {
      sendJson(res, 401, { error: 'Not signed in.' });
      return;
    }
    const safeMethod = method === 'GET' || method === 'HEAD';
    const csrf = req.headers['x-csrf-token'];
    if (!safeMethod && !signer.checkCsrf(signedIn.session, typeof csrf === 'string' ? csrf : undefined)) {
      sendJson(res, 403, { error: 'Missing or invalid CSRF token.' });
      return;
    }
    if (rest === '/api/session' && method === 'DELETE') return signOut(req, res, signedIn.session);
    const match = /^\/api\/apps\/([^/?]+)(\/.*)$/.exec(rest);
    if (match === null) {
      sendJson(res, 404, { error: 'Unknown dashboard API path.' });
      return;
    }
    const appId = decodeOrUndefined(match[1] as string);
    let path = match[2] as string;
    const app = appsFor(signedIn.user).find((a) => a.appId === appId);
    if (app === undefined) {
      sendJson(res, 404, { error: 'Unknown app.' });
      return;
    }
    const readOnly = signedIn.user.readOnly === true;
    if (readOnly && app.readOnlyMasterKey === undefined) {
      sendJson(res, 403, { error: 'This app has no read-only master key, so read-only users cannot open it.' });
      return;
    }
    // `/as/<userId>/...`: browse as that user, with their own session and no key.
    const asUser = /^\/as\/([A-Za-z0-9_-]{1,64})(\/.*)$/.exec(path);
    let credentials: ProxyCredentials = { kind: 'master', readOnly };
    if (asUser !== null) {
      if (readOnly) {
        // Opening a session for the user is a write (a _Session row); a read-only user may not make one.
        sendJson(res, 403, { error: 'Read-only dashboard users cannot browse as a user.' });
        return;
      }
      path = asUser[2] as string;
      try {
        credentials = { kind: 'user', sessionToken: await userSessions.tokenFor(app, asUser[1] as string) };
      } catch (err) {
        if (!(err instanceof UserSessionError)) throw err;
        sendJson(res, 400, { code: err.code, error: err.message });
        return;
      }
    }
    if (!isSafeApiPath(path)) {
      sendJson(res, 400, { error: 'Invalid API path.' });
      return;
    }
    const requestId = randomUUID();
    log.debug(
      {
        username: signedIn.user.username,
        appId,
        method,
        path: path.split('?')[0],
        requestId,
        ...(asUser === null ? {} : { asUser: asUser[1] }),
      },
      'dashboard api',
    );
    // GraphQL (the API console) and metrics (the overview) live at the server's root, outside the mount.
    const pathname = path.split('?')[0] ?? '';
    const exporting = /^\/export\/([^/]+)$/.exec(pathname);
    if (exporting !== null && asUser === null) {
      if (method !== 'GET') {
        sendJson(res, 405, { error: 'Exports are downloads: GET.' });
        return;
      }
      const key = (readOnly ? app.readOnlyMasterKey : app.masterKey) ?? '';
      const query = new URLSearchParams(path.slice(pathname.length + 1));
      await exportClass({ app, key, className: decodeURIComponent(exporting[1] as string), query }, { req, res });
      return;
    }
    const importing = /^\/import\/([^/]+)$/.exec(pathname);
    if (importing !== null) {
      if (method !== 'POST') {
        sendJson(res, 405, { error: 'Imports are uploads: POST the file.' });
        return;
      }
      // An import writes with the master key: never for a read-only user, and not while browsing as a user.
      if (readOnly || asUser !== null) {
        const error = readOnly ? 'Read-only dashboard users cannot import.' : 'Imports are not run as a user.';
        sendJson(res, 403, { code: 119, error });
        return;
      }
      const className = decodeOrUndefined(importing[1] as string) ?? '';
      const query = new URLSearchParams(path.slice(pathname.length + 1));
      const target = { app, key: app.masterKey, className, query };
      await importClass(options.importLimits === undefined ? target : { ...target, limits: options.importLimits }, {
        req,
        res,
      });
      return;
    }
    if (pathname === '/graphql') {
      await proxyToApp({ app, credentials, path, url: appRootURL(app, 'graphql'), requestId }, { req, res });
      return;
    }
    if (pathname === '/metrics') {
      if (method !== 'GET') {
        sendJson(res, 405, { error: 'Metrics are read-only.' });
        return;
      }
      const headers = app.metricsKey === undefined ? undefined : { authorization: `Bearer ${app.metricsKey}` };
      const target = { app, credentials, path, url: appRootURL(app, 'metrics'), requestId };
      await proxyToApp(headers === undefined ? target : { ...target, headers }, { req, res });
      return;
    }
    await proxyToApp({ app, credentials, path, requestId }, { req, res });
  };

  return {
    owns: (url) => url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`),
    handle(req, res) {
      const url = req.url ?? '/';
      const rest = url.slice(base.length);
      if (rest === '' || rest.startsWith('?')) {
        res.writeHead(302, { location: `${base}/${rest}` }).end();
        return;
      }
      if (rest.startsWith('/api/')) {
        void api(req, res, rest).catch((err: unknown) => {
          log.error({ err }, 'dashboard api failed');
          if (!res.headersSent) sendJson(res, 500, { error: 'Internal server error.' });
          else res.destroy();
        });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { error: 'Method not allowed.' });
        return;
      }
      if (options.assets === undefined) {
        res
          .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
          .end('The dashboard is not built: run `npm install` (or `npm run build -w @strata/dashboard`).');
        return;
      }
      serveStatic({ root: options.assets, relative: rest }, { req, res });
    },
    async close() {
      unsubscribe();
      await Promise.all([userSessions.close(), options.signInLimits.ip.close(), options.signInLimits.username.close()]);
    },
  };
}

/** A path segment's decoded text; a malformed escape (`%`, `%E0%A4%A`) names no app rather than failing (500). */
function decodeOrUndefined(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end(text);
}

/** Reads a small JSON object body; anything else (too large, not JSON, not an object) is undefined. */
async function readSmallJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_SIGN_IN_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isHttps(req: IncomingMessage): boolean {
  const forwarded = req.headers['x-forwarded-proto'];
  if (typeof forwarded === 'string') return forwarded.split(',')[0]?.trim() === 'https';
  return 'encrypted' in req.socket && req.socket.encrypted === true;
}
