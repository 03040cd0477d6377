import type { DashboardApp } from './apps.js';
import { appServerURL } from './apps.js';

/**
 * Sessions the dashboard holds to "browse as" an app's user: opened with the app's `POST /loginAs` (master
 * key), then used as that user's own session token, so every request of that view runs with exactly the
 * user's ACLs, roles and class-level permissions and never with a key. Kept in this process's memory only
 * (the browser never sees the token), reused for a while, then logged out so no session is left behind.
 */
export class UserSessions {
  readonly #open = new Map<string, { token: string; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #apps: readonly DashboardApp[];

  constructor(options: { ttlMs: number; now: () => number; apps: readonly DashboardApp[] }) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now;
    this.#apps = options.apps;
  }

  /** A session token of the user; throws the app's Parse error (e.g. 101 for an unknown user). */
  async tokenFor(app: DashboardApp, userId: string): Promise<string> {
    this.#sweep();
    const key = `${app.appId}\n${userId}`;
    const open = this.#open.get(key);
    if (open !== undefined) return open.token;
    const answer = await fetch(`${appServerURL(app)}/loginAs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-parse-application-id': app.appId,
        'x-parse-master-key': app.masterKey,
      },
      body: JSON.stringify({ userId }),
    });
    const body = (await answer.json()) as { sessionToken?: unknown; code?: unknown; error?: unknown };
    if (!answer.ok || typeof body.sessionToken !== 'string') {
      throw new UserSessionError(
        typeof body.code === 'number' ? body.code : 1,
        typeof body.error === 'string' ? body.error : 'Could not open a session for that user.',
      );
    }
    this.#open.set(key, { token: body.sessionToken, expiresAt: this.#now() + this.#ttlMs });
    return body.sessionToken;
  }

  /** Logs out every held session (server shutdown). */
  async close(): Promise<void> {
    const all = [...this.#open.entries()];
    this.#open.clear();
    await Promise.all(all.map(([key, open]) => logOut(this.#apps, key, open.token)));
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, open] of this.#open) {
      if (open.expiresAt > now) continue;
      this.#open.delete(key);
      void logOut(this.#apps, key, open.token);
    }
  }
}

export class UserSessionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

async function logOut(apps: readonly DashboardApp[], key: string, token: string): Promise<void> {
  const app = apps.find((a) => a.appId === key.split('\n')[0]);
  if (app === undefined) return;
  try {
    await fetch(`${appServerURL(app)}/logout`, {
      method: 'POST',
      headers: {
        'x-parse-application-id': app.appId,
        'x-parse-session-token': token,
        ...(app.clientKey === undefined ? {} : { 'x-parse-rest-api-key': app.clientKey }),
      },
    });
  } catch {
    // The app is unreachable: the session expires on its own.
  }
}
