/**
 * The WebSocket servers the composition root builds: LiveQuery's (roles `live` and `all`) and GraphQL
 * subscriptions' (roles `api` and `all`), both fed by the one `LiveHub`, and which of them an HTTP upgrade goes
 * to. Part of the composition root (only `app.ts` imports it); the sockets' protocols live in `live/` and
 * `graphql/`.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CredentialResolver, MASTER } from './auth/index.js';
import type { Config } from './config/index.js';
import { fileURLBuilder } from './core/index.js';
import type { Core, FileServices, LiveHub } from './core/index.js';
import { GraphQLSocketServer } from './graphql/index.js';
import type { PersistedOperations, SchemaCache } from './graphql/index.js';
import { ClientAddressResolver } from './http/index.js';
import type { Logger, Metrics, PubSub } from './infra/index.js';
import { LiveServer } from './live/index.js';

/**
 * How long a live server waits for another to hand over a subscription a client resumes (the holder answers
 * at once when it runs; this only bounds a holder that dies mid-answer, or cluster IPC, which cannot say that
 * nobody listens).
 */
const LIVE_RESUME_HANDOFF_TIMEOUT_MS = 5000;
/** Events one GraphQL subscription may have waiting to be sent before it is ended as too slow. */
const GRAPHQL_MAX_PENDING_EVENTS = 1000;

/**
 * Both socket servers, attached to the HTTP server's upgrades: the LiveQuery server when the role serves live
 * queries, GraphQL subscriptions when GraphQL is served (`graphQL` is given). Upgrades at the GraphQL path are
 * GraphQL subscriptions; any other path is a LiveQuery client.
 */
export function createSocketServers(options: {
  config: Config;
  core: Core;
  hub: LiveHub;
  logger: Logger;
  metrics: Metrics;
  server: Server;
  /** Shared with the other servers (Redis, cluster IPC): resumes are handed over between live servers. */
  pubsub?: PubSub;
  mountURL: () => string;
  files: FileServices | undefined;
  graphQL:
    { schemas: SchemaCache; credentials: CredentialResolver; persisted: PersistedOperations | undefined } | undefined;
}): { live: LiveServer | undefined; graphQLSockets: GraphQLSocketServer | undefined } {
  const { config, core, files, graphQL } = options;
  const live =
    config.role === 'live' || config.role === 'all'
      ? createLiveServer({
          config,
          core,
          hub: options.hub,
          logger: options.logger,
          metrics: options.metrics,
          ...(options.pubsub === undefined ? {} : { pubsub: options.pubsub }),
          mountURL: options.mountURL,
          ...(files?.signer === undefined ? {} : { fileToken: files.signer.token.bind(files.signer) }),
        })
      : undefined;
  const graphQLSockets =
    graphQL === undefined
      ? undefined
      : createGraphQLSockets({
          config,
          core,
          hub: options.hub,
          schemas: graphQL.schemas,
          credentials: graphQL.credentials,
          logger: options.logger,
          files,
          persisted: graphQL.persisted,
        });
  if (graphQLSockets === undefined) live?.attach(options.server);
  else {
    options.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (graphQLSockets.owns(req)) graphQLSockets.upgrade(req, socket, head);
      else if (live !== undefined) live.upgrade(req, socket, head);
      else socket.destroy();
    });
  }
  return { live, graphQLSockets };
}

/** `--live-query-classes`: the classes a socket may subscribe to (each entry a regex of a whole name); all by default. */
function liveClassFilter(config: Config): (className: string) => boolean {
  const classes = config.liveQueryClasses?.map((name) => new RegExp(`^(?:${name})$`));
  return (className) => classes === undefined || classes.some((pattern) => pattern.test(className));
}

/**
 * LiveQuery's WebSocket server (roles `live` and `all`): the app's keys, its session resolution, the client
 * address as the REST door sees it, and file URLs as REST encodes them.
 */
function createLiveServer(options: {
  config: Config;
  core: Core;
  hub: LiveHub;
  logger: Logger;
  metrics: Metrics;
  /** Shared with the other servers (Redis, cluster IPC): resumes are handed over between live servers. */
  pubsub?: PubSub;
  mountURL: () => string;
  fileToken?: (name: string) => string;
}): LiveServer {
  const { config, core } = options;
  const addresses = new ClientAddressResolver(config.trustProxy ?? []);
  const fileURL = fileURLBuilder({
    appId: config.appId,
    ...(options.fileToken === undefined ? {} : { fileToken: options.fileToken }),
  });
  return new LiveServer({
    hub: options.hub,
    credentials: new CredentialResolver(config),
    authenticate: (credentials) => core.authenticate(credentials),
    hooks: core.liveHooks,
    classFields: async (className) =>
      new Set(Object.keys((await core.readPolicy({ auth: MASTER, className })).schema.fields)),
    encode: { fileURL: (name) => fileURL(config.publicServerURL ?? options.mountURL(), name) },
    logger: options.logger,
    metrics: options.metrics.liveQuery,
    maxSubscriptions: config.liveQueryMaxSubscriptions,
    maxSubQuerySubscriptions: config.liveQueryMaxSubQuerySubscriptions,
    maxQueueBytes: config.liveQueryMaxQueue,
    classAllowed: liveClassFilter(config),
    pingIntervalMs: config.liveQueryPingInterval * 1000,
    resumeWindowMs: config.liveQueryResumeWindow * 1000,
    resumeMaxEvents: config.liveQueryResumeEvents,
    ...(options.pubsub === undefined
      ? {}
      : {
          handoffVia: {
            pubsub: options.pubsub,
            timeoutMs: LIVE_RESUME_HANDOFF_TIMEOUT_MS,
            graceMs: config.liveQueryHandoffGrace * 1000,
          },
        }),
    maxFrameBytes: config.liveQueryMaxFrame,
    maxConnectionsPerIp: config.liveQueryMaxConnectionsPerIp,
    clientAddress: (req) => addresses.resolve(req).ip,
  });
}

/**
 * GraphQL subscriptions over WebSocket at `--graphql-path` (roles api/all), on the live query hub: the same
 * keys, limits and file URLs as GraphQL over HTTP; LiveQuery's socket limits (frame size, queue, connections
 * per address, ping) and class allow-list.
 */
function createGraphQLSockets(options: {
  config: Config;
  core: Core;
  hub: LiveHub;
  schemas: SchemaCache;
  credentials: CredentialResolver;
  logger: Logger;
  files: FileServices | undefined;
  persisted: PersistedOperations | undefined;
}): GraphQLSocketServer {
  const { config, files } = options;
  const addresses = new ClientAddressResolver(config.trustProxy ?? []);
  const fileURL = fileURLBuilder({
    appId: config.appId,
    ...(files?.signer === undefined ? {} : { fileToken: (name: string) => files.signer?.token(name) ?? '' }),
  });
  return new GraphQLSocketServer({
    core: options.core,
    hub: options.hub,
    credentials: options.credentials,
    schemas: options.schemas,
    path: config.graphQLPath,
    limits: {
      maxDepth: config.graphQLMaxDepth,
      maxAliases: config.graphQLMaxAliases,
      maxComplexity: config.graphQLMaxComplexity,
      maxTokens: config.graphQLMaxTokens,
    },
    publicIntrospection: config.graphQLPublicIntrospection,
    maxNestingDepth: config.maxNestingDepth,
    maxSubscriptions: config.graphQLMaxSubscriptions,
    maxPendingEvents: GRAPHQL_MAX_PENDING_EVENTS,
    maxQueueBytes: config.liveQueryMaxQueue,
    maxFrameBytes: config.liveQueryMaxFrame,
    maxConnectionsPerIp: config.liveQueryMaxConnectionsPerIp,
    pingIntervalMs: config.liveQueryPingInterval * 1000,
    classAllowed: liveClassFilter(config),
    clientAddress: (req) => addresses.resolve(req).ip,
    encode: (req) => ({
      fileURL: (name) =>
        fileURL(config.publicServerURL ?? `http://${req.headers.host ?? 'localhost'}${config.mountPath}`, name),
    }),
    logger: options.logger,
    ...(options.persisted === undefined ? {} : { persisted: options.persisted }),
  });
}
