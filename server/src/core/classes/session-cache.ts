import type { ChangeEvent } from '../change-event.js';

/**
 * Remembers resolved session tokens so an authenticated request costs no storage round trip. Entries are
 * dropped when a session changes or is deleted (log-out, session delete, password change, user delete), here
 * and on every other app server: `app-caches.ts` subscribes the cache to the change feed (`sessionEvictionOf`).
 * A short TTL bounds what a missed message could cost. Expiry is still checked against the clock on every hit.
 */
export interface CachedSession {
  readonly sessionId: string;
  readonly userId: string;
  readonly expiresAt: Date | undefined;
}

/** What was revoked: specific sessions, or every session of some users. */
export interface SessionEviction {
  readonly sessionIds?: readonly string[];
  readonly userIds?: readonly string[];
}

export interface SessionCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now: () => Date;
}

export class SessionCache {
  readonly #entries = new Map<string, { session: CachedSession; storedAt: number }>();
  readonly #options: SessionCacheOptions;

  constructor(options: SessionCacheOptions) {
    this.#options = options;
  }

  get(token: string): CachedSession | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (this.#options.now().getTime() - entry.storedAt >= this.#options.ttlMs) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.session;
  }

  set(token: string, session: CachedSession): void {
    // Oldest first: Map keeps insertion order, which is good enough to bound memory.
    if (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { session, storedAt: this.#options.now().getTime() });
  }

  /** Drops the entries of these sessions and users. */
  drop(eviction: SessionEviction): void {
    const sessions = new Set(eviction.sessionIds ?? []);
    const users = new Set(eviction.userIds ?? []);
    for (const [token, { session }] of this.#entries) {
      if (sessions.has(session.sessionId) || users.has(session.userId)) this.#entries.delete(token);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The classes whose changes may revoke sessions (`sessionEvictionOf`). */
export const SESSION_EVICTION_CLASSES: readonly string[] = ['_Session', '_User'];

/** What a committed change revokes: a changed or deleted `_Session`, every session of a deleted `_User`. */
export function sessionEvictionOf(event: ChangeEvent): SessionEviction | undefined {
  if (event.className === '_Session' && event.op !== 'create') return { sessionIds: [event.objectId] };
  if (event.className === '_User' && event.op === 'delete') return { userIds: [event.objectId] };
  return undefined;
}
