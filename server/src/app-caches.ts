/**
 * The caches `app.ts` builds, each kept coherent across app servers: the schema and Parse Config caches over
 * pub/sub (the server that changes something drops its own copy and announces it; the others drop theirs on the
 * announcement; a server ignores its own), the role and session caches as subscribers of the change feed, which
 * carries every server's object writes. Part of the composition root (only `app.ts` imports it).
 */
import { randomUUID } from 'node:crypto';
import { RoleCache } from './auth/index.js';
import {
  GlobalConfigCache,
  GraphQLConfigCache,
  ROLE_CHANGE_CLASSES,
  SESSION_EVICTION_CLASSES,
  SessionCache,
  changesRoles,
  sessionEvictionOf,
} from './core/index.js';
import type { ChangeFeed } from './core/index.js';
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
    // Other servers' schema writes arrive over pub/sub, which can lag the client that made them.
    reloadOnMiss: true,
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

/**
 * A cache every server drops when any of them changes what it holds: the writer drops its own and announces
 * it on `channel`; the others drop theirs on the announcement.
 */
async function announcedCache<T extends { invalidate(): void }>(options: {
  pubsub: PubSub;
  logger: Logger;
  channel: string;
  what: string;
  build: (onChange: () => void) => T;
}): Promise<T> {
  const { pubsub, logger, channel } = options;
  const origin = randomUUID();
  const cache = options.build(() => {
    pubsub.publish(channel, origin).catch((err: unknown) => {
      logger.warn({ err }, `could not announce a ${options.what} change`);
    });
  });
  await pubsub.subscribe(channel, (message) => {
    if (message !== origin) cache.invalidate();
  });
  return cache;
}

/** The Parse Config cache, dropped on every server when any of them saves the config (`PUT /config`). */
export function createGlobalConfigCache(options: {
  storage: StorageAdapter;
  pubsub: PubSub;
  logger: Logger;
}): Promise<GlobalConfigCache> {
  const { storage } = options;
  return announcedCache({
    ...options,
    channel: 'config-changed',
    what: 'Parse Config',
    build: (onChange) => new GlobalConfigCache({ storage, onChange }),
  });
}

/**
 * The GraphQL config cache (`PUT /graphql-config`), dropped on every server when any of them saves it: the
 * generated GraphQL schema follows it without a restart.
 */
export function createGraphQLConfigCache(options: {
  storage: StorageAdapter;
  pubsub: PubSub;
  logger: Logger;
}): Promise<GraphQLConfigCache> {
  const { storage } = options;
  return announcedCache({
    ...options,
    channel: 'graphql-config-changed',
    what: 'GraphQL config',
    build: (onChange) => new GraphQLConfigCache({ storage, onChange }),
  });
}

const ROLES_CHANNEL = 'roles-changed';

/**
 * The per-user role cache (spec/security.md §3.1), cleared on every server when any of them writes `_Role`: it
 * subscribes to the change feed, which carries every server's `_Role` changes. A purge of `_Role`, which
 * publishes no per-object change, is announced on its own channel (`RoleCache.invalidate`).
 */
export async function createRoleCache(options: {
  pubsub: PubSub;
  changes: ChangeFeed;
  logger: Logger;
}): Promise<RoleCache> {
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
  // Synchronous: the writer's own cache is clear before it answers.
  options.changes.subscribe(
    (event) => {
      if (changesRoles(event.className)) cache.clear();
    },
    { classes: ROLE_CHANGE_CLASSES },
  );
  return cache;
}

/** How long a resolved session is trusted without a revocation message (a bound for lost messages). */
const SESSION_CACHE_TTL_MS = 30_000;
const SESSION_CACHE_MAX_ENTRIES = 50_000;

/**
 * The session cache, kept coherent across app servers by the change feed: a changed or deleted `_Session` (log-out,
 * session delete, password change) or a deleted `_User`, on any server, drops those sessions here.
 */
export function createSessionCache(options: { changes: ChangeFeed; now: () => Date }): SessionCache {
  const cache = new SessionCache({
    ttlMs: SESSION_CACHE_TTL_MS,
    maxEntries: SESSION_CACHE_MAX_ENTRIES,
    now: options.now,
  });
  // Synchronous: a revoked token is refused here as soon as the revocation is published.
  options.changes.subscribe(
    (event) => {
      const eviction = sessionEvictionOf(event);
      if (eviction !== undefined) cache.drop(eviction);
    },
    { classes: SESSION_EVICTION_CLASSES },
  );
  return cache;
}
