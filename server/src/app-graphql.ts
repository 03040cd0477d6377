/**
 * Parse's GraphQL API as the composition root wires it: the persisted operations (read and checked at start),
 * and the door at `--graphql-path` for HTTP and WebSocket, which loads the GraphQL engine on its first request
 * or socket (the generated schema, one for both, follows the schema registry and the registered functions).
 * Part of the composition root (only `app.ts` imports it); GraphQL itself lives in `graphql/`.
 */
import type { IncomingMessage } from 'node:http';
import type { CredentialResolver } from './auth/index.js';
import type { CloudRegistry } from './cloud/index.js';
import type { Config } from './config/index.js';
import { fileURLBuilder } from './core/index.js';
import type { Core, FileServices, GraphQLConfigSource, LiveHub } from './core/index.js';
import { GraphQLDoor, PersistedOperations } from './graphql/index.js';
import { ClientAddressResolver, enforceAuthRateLimit } from './http/index.js';
import type { AuthRateLimits } from './http/index.js';
import type { Logger } from './infra/index.js';
import type { SchemaRegistry } from './schema/index.js';

/** Events one GraphQL subscription may have waiting to be sent before it is ended as too slow. */
const GRAPHQL_MAX_PENDING_EVENTS = 1000;

/**
 * The persisted operations when this server serves the API (roles api/all): `{ persisted: undefined }` without
 * a file, undefined when GraphQL is not served. The file is read and checked here, at start, so a bad file or
 * `--graphql-persisted-only` without the documents stops the start (on every role) before the engine loads.
 */
export async function prepareGraphQL(options: {
  config: Config;
  serveApi: boolean;
}): Promise<{ persisted: PersistedOperations | undefined } | undefined> {
  const { config, serveApi } = options;
  if (config.graphQLPersistedOnly && config.graphQLPersistedOperations === undefined) {
    throw new Error('--graphql-persisted-only needs the documents: set --graphql-persisted-operations <file>');
  }
  if (!serveApi) return undefined;
  return {
    persisted:
      config.graphQLPersistedOperations === undefined
        ? undefined
        : await PersistedOperations.load({
            file: config.graphQLPersistedOperations,
            only: config.graphQLPersistedOnly,
          }),
  };
}

/**
 * Parse's GraphQL API at `--graphql-path` (root of the server, as parse-server's `graphQLPath`), over HTTP and,
 * for subscriptions, WebSocket on the live query hub: the schema follows the schema registry (rebuilt after any
 * server's schema change) and the registered cloud functions; the keys are checked by the same
 * `CredentialResolver` as REST, log-in and sign-up share REST's rate limits, and the sockets LiveQuery's limits
 * (frame size, queue, connections per address, ping) and class allow-list.
 */
export function createGraphQL(options: {
  config: Config;
  core: Core;
  hub: LiveHub;
  credentials: CredentialResolver;
  schemas: SchemaRegistry;
  cloud: CloudRegistry;
  /** `/graphql-config`, kept coherent across servers. */
  graphQLConfig: GraphQLConfigSource;
  rateLimits: AuthRateLimits;
  files: FileServices | undefined;
  persisted: PersistedOperations | undefined;
  logger: Logger;
  /** `--live-query-classes`: the classes a subscription may name. */
  classAllowed: (className: string) => boolean;
}): GraphQLDoor {
  const { config, core, rateLimits, files, persisted } = options;
  const fileURL = fileURLBuilder({
    appId: config.appId,
    ...(files?.signer === undefined ? {} : { fileToken: (name: string) => files.signer?.token(name) ?? '' }),
  });
  const addresses = new ClientAddressResolver(config.trustProxy ?? []);
  const limits = {
    maxDepth: config.graphQLMaxDepth,
    maxAliases: config.graphQLMaxAliases,
    maxComplexity: config.graphQLMaxComplexity,
    maxTokens: config.graphQLMaxTokens,
  };
  return new GraphQLDoor({
    schema: {
      classes: () => options.schemas.getAll(),
      // In-process and webhook functions: the webhook store's reload swaps the registry's overlay, on every server.
      functionNames: () => options.cloud.functionNames(),
      config: () => options.graphQLConfig.get(),
    },
    http: {
      core,
      credentials: options.credentials,
      path: config.graphQLPath,
      publicIntrospection: config.graphQLPublicIntrospection,
      limits: { ...limits, maxBatch: config.graphQLMaxBatch },
      maxBodySize: config.maxBodySize,
      maxUploadSize: files?.maxUploadSize ?? config.maxBodySize,
      maxNestingDepth: config.maxNestingDepth,
      encode: (mountURL) => ({ fileURL: (name) => fileURL(config.publicServerURL ?? mountURL, name) }),
      mountURL: (req, protocol) => `${protocol}://${req.headers.host ?? 'localhost'}${config.mountPath}`,
      limitAuth: (request) => enforceAuthRateLimit(rateLimits, request),
      ...(persisted === undefined ? {} : { persisted }),
    },
    sockets: {
      core,
      hub: options.hub,
      credentials: options.credentials,
      path: config.graphQLPath,
      limits,
      publicIntrospection: config.graphQLPublicIntrospection,
      maxNestingDepth: config.maxNestingDepth,
      maxSubscriptions: config.graphQLMaxSubscriptions,
      maxPendingEvents: GRAPHQL_MAX_PENDING_EVENTS,
      maxQueueBytes: config.liveQueryMaxQueue,
      maxFrameBytes: config.liveQueryMaxFrame,
      maxConnectionsPerIp: config.liveQueryMaxConnectionsPerIp,
      pingIntervalMs: config.liveQueryPingInterval * 1000,
      classAllowed: options.classAllowed,
      clientAddress: (req: IncomingMessage) => addresses.resolve(req).ip,
      encode: (req: IncomingMessage) => ({
        fileURL: (name: string) =>
          fileURL(config.publicServerURL ?? `http://${req.headers.host ?? 'localhost'}${config.mountPath}`, name),
      }),
      logger: options.logger,
      ...(persisted === undefined ? {} : { persisted }),
    },
    logger: options.logger,
  });
}
