import { resolveRoleNames } from './roles.js';
import type { RoleSource } from './roles.js';

export interface RoleCacheOptions {
  /** Most users kept; when full the cache starts over (a cheap bound, not an LRU). Default 10 000. */
  readonly maxEntries?: number;
  /** Called after this cache's own `invalidate()`, so other servers can be told (pub/sub). */
  readonly onInvalidate?: () => void;
}

const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Per-user role names, resolved once and kept until a `_Role` write (here or, through pub/sub, on another
 * server) invalidates them. Concurrent requests of one user share one resolution. Created by `app.ts`.
 *
 * @example
 * const cache = new RoleCache({ onInvalidate: () => pubsub.publish('roles-changed', origin) });
 * const names = await cache.roleNames({ userId, source });
 */
export class RoleCache {
  readonly #entries = new Map<string, Promise<string[]>>();
  readonly #maxEntries: number;
  readonly #onInvalidate: (() => void) | undefined;

  constructor(options: RoleCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#onInvalidate = options.onInvalidate;
  }

  roleNames(options: { userId: string; source: RoleSource }): Promise<string[]> {
    const { userId } = options;
    const cached = this.#entries.get(userId);
    if (cached !== undefined) return cached;
    const pending = resolveRoleNames(options);
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    // Stored before it settles: an invalidation meanwhile clears it, so stale answers are never kept.
    this.#entries.set(userId, pending);
    pending.catch(() => {
      if (this.#entries.get(userId) === pending) this.#entries.delete(userId);
    });
    return pending;
  }

  /** Drops every entry (a `_Role` changed here) and tells the other servers. */
  invalidate(): void {
    this.clear();
    this.#onInvalidate?.();
  }

  /** Drops every entry without announcing it (another server announced the change). */
  clear(): void {
    this.#entries.clear();
  }
}
