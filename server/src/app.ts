/**
 * The composition root: builds every component from the `Config` and wires them together. Nothing else
 * constructs storage, registries or the HTTP app, so two apps can share a process (tests do).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.js';
import { createCore } from './core/index.js';
import { createHttpApp } from './http/index.js';
import { randomUUID } from 'node:crypto';
import { createMemoryPubSub, createRedisPubSub } from './infra/index.js';
import type { Logger, PubSub } from './infra/index.js';
import { SchemaRegistry } from './schema/index.js';
import { openStorage } from './storage/index.js';
import type { StorageAdapter } from './storage/index.js';

export const STRATA_VERSION = '0.1.0';

export interface StrataApp {
  /** Starts accepting connections; resolves with the bound address (port 0 picks a free one). */
  listen(): Promise<{ port: number; host: string }>;
  /**
   * Graceful stop: stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the
   * database. Safe to call twice.
   */
  close(): Promise<void>;
}

export async function createApp(options: { config: Config; logger: Logger; graceMs?: number }): Promise<StrataApp> {
  const { config, logger } = options;
  const storage = await openStorage(config.databaseURI);
  await storage.initialize();
  const pubsub =
    config.redisURL === undefined
      ? createMemoryPubSub()
      : await createRedisPubSub({ url: config.redisURL, prefix: `strata:${config.appId}` });
  const schemas = await createSchemaRegistry({ storage, pubsub, logger });
  const core = createCore({
    storage,
    schemas,
    options: {
      allowClientClassCreation: config.allowClientClassCreation,
      defaultLimit: config.defaultLimit,
      ...(config.maxLimit === undefined ? {} : { maxLimit: config.maxLimit }),
      maxNestingDepth: config.maxNestingDepth,
    },
  });
  const app = createHttpApp({
    core,
    logger,
    keys: config,
    mountPath: config.mountPath,
    ...(config.publicServerURL === undefined ? {} : { publicServerURL: config.publicServerURL }),
    maxBodySize: config.maxBodySize,
    maxNestingDepth: config.maxNestingDepth,
    allowOrigin: config.allowOrigin,
    version: STRATA_VERSION,
    serveApi: config.role === 'api' || config.role === 'all',
  });
  const server: Server = createServer(app);
  let closing: Promise<void> | undefined;

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          logger.info(
            { port: address.port, host: config.host, mountPath: config.mountPath, storage: storage.kind },
            'listening',
          );
          resolve({ port: address.port, host: config.host });
        });
      }),
    close: () => {
      closing ??= stop({ server, graceMs: options.graceMs ?? 10_000 }).then(async () => {
        await pubsub.close();
        await storage.close();
      });
      return closing;
    },
  };
}

/** Stops accepting and waits for open requests to finish; after `graceMs` the remaining sockets are cut. */
function stop(options: { server: Server; graceMs: number }): Promise<void> {
  const { server, graceMs } = options;
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

const SCHEMA_CHANNEL = 'schema-changed';

/**
 * The schema registry, with its cache kept coherent across app servers: after a schema write here, the
 * other servers are told over pub/sub and drop their cache. A server ignores its own announcements.
 */
async function createSchemaRegistry(options: {
  storage: StorageAdapter;
  pubsub: PubSub;
  logger: Logger;
}): Promise<SchemaRegistry> {
  const { storage, pubsub, logger } = options;
  const origin = randomUUID();
  const registry = new SchemaRegistry({
    store: storage,
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
