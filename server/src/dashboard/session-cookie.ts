import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The dashboard's sign-in session, carried by the browser as an HttpOnly, SameSite=Strict cookie: a
 * payload (username, nonce, expiry, a fingerprint of the password hash) and its HMAC. Nothing is stored
 * server-side, so every app server behind the gateway accepts it (they derive the same key); a changed
 * password or a removed user ends the session at its next request, and sign-out revokes the nonce.
 * The CSRF token is derived from the nonce: a page on another origin can neither read it nor forge it.
 */
export const SESSION_COOKIE = 'strata_dashboard';

export interface DashboardSession {
  readonly username: string;
  /** Random per sign-in: names the session for revocation and derives its CSRF token. */
  readonly nonce: string;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Ties the session to the password it was opened with. */
  readonly passwordTag: string;
}

export class SessionSigner {
  private readonly key: Buffer;

  constructor(options: { secret: string }) {
    // A dedicated key, so nothing signed here can be replayed where the secret is used for something else.
    this.key = createHmac('sha256', options.secret).update('strata-dashboard-session-v1').digest();
  }

  /** A new session for `username`, valid for `ttlMs`. */
  issue(options: { username: string; passwordHash: string; now: number; ttlMs: number }): {
    session: DashboardSession;
    cookie: string;
  } {
    const session: DashboardSession = {
      username: options.username,
      nonce: randomBytes(16).toString('base64url'),
      expiresAt: options.now + options.ttlMs,
      passwordTag: this.passwordTag(options.passwordHash),
    };
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    return { session, cookie: `${payload}.${this.mac(payload)}` };
  }

  /** The session a cookie value stands for; undefined when forged, malformed or expired. */
  verify(cookie: string, now: number): DashboardSession | undefined {
    const dot = cookie.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = cookie.slice(0, dot);
    if (!safeEqual(cookie.slice(dot + 1), this.mac(payload))) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isSession(parsed) || parsed.expiresAt <= now) return undefined;
    return parsed;
  }

  /** Whether the session was opened with this password hash (false once the password changed). */
  matchesPassword(session: DashboardSession, passwordHash: string): boolean {
    return safeEqual(session.passwordTag, this.passwordTag(passwordHash));
  }

  /** The CSRF token the page must echo in `X-CSRF-Token`. */
  csrfToken(session: DashboardSession): string {
    return createHmac('sha256', this.key).update(`csrf:${session.nonce}`).digest('base64url');
  }

  checkCsrf(session: DashboardSession, presented: string | undefined): boolean {
    return presented !== undefined && safeEqual(presented, this.csrfToken(session));
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`session:${payload}`).digest('base64url');
  }

  private passwordTag(passwordHash: string): string {
    return createHmac('sha256', this.key).update(`password:${passwordHash}`).digest('base64url').slice(0, 16);
  }
}

/** Reads one cookie from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The `Set-Cookie` value: HttpOnly, SameSite=Strict, scoped to the dashboard path; Secure over HTTPS. */
export function sessionCookieHeader(options: {
  value: string;
  maxAgeSeconds: number;
  secure: boolean;
  path: string;
}): string {
  return [
    `${SESSION_COOKIE}=${options.value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isSession(value: unknown): value is DashboardSession {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['username'] === 'string' &&
    typeof v['nonce'] === 'string' &&
    typeof v['expiresAt'] === 'number' &&
    typeof v['passwordTag'] === 'string'
  );
}
