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
import type { GraphQLDoor } from './graphql/index.js';
import { ClientAddressResolver } from './http/index.js';
import type { Logger, Metrics, PubSub } from './infra/index.js';
import { LiveServer } from './live/index.js';

/**
 * How long a live server waits for another to hand over a subscription a client resumes (the holder answers
 * at once when it runs; this only bounds a holder that dies mid-answer, or cluster IPC, which cannot say that
 * nobody listens).
 */
const LIVE_RESUME_HANDOFF_TIMEOUT_MS = 5000;

/**
 * Both socket servers, attached to the HTTP server's upgrades: the LiveQuery server when the role serves live
 * queries, GraphQL subscriptions when GraphQL is served (`graphQL`, its door, is given). Upgrades at the GraphQL
 * path are GraphQL subscriptions; any other path is a LiveQuery client.
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
  graphQL: GraphQLDoor | undefined;
}): { live: LiveServer | undefined } {
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
  if (graphQL === undefined) live?.attach(options.server);
  else {
    options.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (graphQL.owns(req)) graphQL.upgrade(req, socket, head);
      else if (live !== undefined) live.upgrade(req, socket, head);
      else socket.destroy();
    });
  }
  return { live };
}

/** `--live-query-classes`: the classes a socket may subscribe to (each entry a regex of a whole name); all by default. */
export function liveClassFilter(config: Config): (className: string) => boolean {
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
