/**
 * The caches `app.ts` builds, each kept coherent across app servers over pub/sub: the server that changes
 * something drops its own copy and announces it; the others drop theirs on the announcement. A server
 * ignores its own announcements. Part of the composition root (only `app.ts` imports it).
 */
import { randomUUID } from 'node:crypto';
import { RoleCache } from './auth/index.js';
import { GlobalConfigCache, SessionCache } from './core/index.js';
import type { SessionEviction } from './core/index.js';
import type { Logger, PubSub } from './infra/index.js';
import { SchemaRegistry } from './schema/index.js';
import type { StorageAdapter } from './storage/index.js';

const SCHEMA_CHANNEL = 'schema-changed';

/**
 * The schema registry, with its cache kept coherent across app servers: after a schema write here, the
 * other servers are told over pub/sub and drop their cache. A server ignores its own announcements.
 */
export async function createSchemaRegistry(options: {
  storage: StorageAdapter;
  pubsub: PubSub;
  logger: Logger;
  /** Most fields per class (`maxFieldsPerClass`). */
  maxFields: number | undefined;
}): Promise<SchemaRegistry> {
  const { storage, pubsub, logger } = options;
  const origin = randomUUID();
  const registry = new SchemaRegistry({
    store: storage,
    ...(options.maxFields === undefined ? {} : { maxFields: options.maxFields }),
    onChange: (className) => {
      pubsub.publish(SCHEMA_CHANNEL, JSON.stringify({ origin, className })).catch((err: unknown) => {
        logger.warn({ err }, 'could not announce a schema change');
      });
    },
  });
  await pubsub.subscribe(SCHEMA_CHANNEL, (message) => {
    try {
      const parsed = JSON.parse(message) as { origin?: unknown; className?: unknown };
      if (parsed.origin !== origin)
        registry.invalidate(typeof parsed.className === 'string' ? parsed.className : undefined);
    } catch {
      registry.invalidate();
    }
  });
  return registry;
}

const CONFIG_CHANNEL = 'config-changed';

/**
 * The Parse Config cache, dropped on every server when any of them saves the config (`PUT /config`): the
 * writer drops its own and announces it; the others drop theirs on the announcement.
 */
export async function createGlobalConfigCache(options: {
  storage: StorageAdapter;
  pubsub: PubSub;
  logger: Logger;
}): Promise<GlobalConfigCache> {
  const { storage, pubsub, logger } = options;
  const origin = randomUUID();
  const cache = new GlobalConfigCache({
    storage,
    onChange: () => {
      pubsub.publish(CONFIG_CHANNEL, origin).catch((err: unknown) => {
        logger.warn({ err }, 'could not announce a Parse Config change');
      });
    },
  });
  await pubsub.subscribe(CONFIG_CHANNEL, (message) => {
    if (message !== origin) cache.invalidate();
  });
  return cache;
}

const ROLES_CHANNEL = 'roles-changed';

/**
 * The per-user role cache, cleared on every server when any of them writes `_Role` (spec/security.md
 * §3.1): the writer clears its own and announces it; the others clear theirs on the announcement.
 */
export async function createRoleCache(options: { pubsub: PubSub; logger: Logger }): Promise<RoleCache> {
  const { pubsub, logger } = options;
  const origin = randomUUID();
  const cache = new RoleCache({
    onInvalidate: () => {
      pubsub.publish(ROLES_CHANNEL, origin).catch((err: unknown) => {
        logger.warn({ err }, 'could not announce a role change');
      });
    },
  });
  await pubsub.subscribe(ROLES_CHANNEL, (message) => {
    if (message !== origin) cache.clear();
  });
  return cache;
}

const SESSION_CHANNEL = 'sessions-revoked';
/** How long a resolved session is trusted without a revocation message (a bound for lost messages). */
const SESSION_CACHE_TTL_MS = 30_000;
const SESSION_CACHE_MAX_ENTRIES = 50_000;

/**
 * The session cache, kept coherent across app servers like the schema registry: a revocation here (log-out,
 * session delete, password change) is announced over pub/sub and the other servers drop those sessions.
 */
export async function createSessionCache(options: {
  pubsub: PubSub;
  logger: Logger;
  now: () => Date;
}): Promise<SessionCache> {
  const { pubsub, logger, now } = options;
  const origin = randomUUID();
  const cache = new SessionCache({
    ttlMs: SESSION_CACHE_TTL_MS,
    maxEntries: SESSION_CACHE_MAX_ENTRIES,
    now,
    onEvict: (eviction) => {
      pubsub.publish(SESSION_CHANNEL, JSON.stringify({ origin, ...eviction })).catch((err: unknown) => {
        logger.warn({ err }, 'could not announce a session revocation');
      });
    },
  });
  await pubsub.subscribe(SESSION_CHANNEL, (message) => {
    try {
      const parsed = JSON.parse(message) as { origin?: unknown } & SessionEviction;
      if (parsed.origin === origin) return;
      cache.applyRemote({
        sessionIds: Array.isArray(parsed.sessionIds) ? parsed.sessionIds.map(String) : [],
        userIds: Array.isArray(parsed.userIds) ? parsed.userIds.map(String) : [],
      });
    } catch {
      // An unreadable message could have been any revocation: forget everything.
      cache.clear();
    }
  });
  return cache;
}
