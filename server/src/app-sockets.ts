/**
 * The WebSocket servers the composition root builds: LiveQuery's (roles `live` and `all`) and GraphQL
 * subscriptions' (roles `api` and `all`, through the GraphQL door `app-graphql.ts` builds), both fed by the one
 * `LiveHub`, and which of them an HTTP upgrade goes to. Both load on the first socket that needs them in the
 * default role `all` (cold start). Part of the composition root (only `app.ts` imports it); the sockets'
 * protocols live in `live/` and `graphql/`.
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
import type { LiveServer } from './live/index.js';

/**
 * How long a live server waits for another to hand over a subscription a client resumes (the holder answers
 * at once when it runs; this only bounds a holder that dies mid-answer, or cluster IPC, which cannot say that
 * nobody listens).
 */
const LIVE_RESUME_HANDOFF_TIMEOUT_MS = 5000;

/**
 * Both socket servers, attached to the HTTP server's upgrades: the LiveQuery server when the role serves live
 * queries, GraphQL subscriptions when GraphQL is served (`graphQL`, its door, is given). Upgrades at the GraphQL
 * path are GraphQL subscriptions; any other path is a LiveQuery client. The LiveQuery server (live/ and ws) is
 * built at start for role `live` and with `--live-query-port`, where it is the server's purpose; in role `all`
 * on the first LiveQuery upgrade.
 */
export async function createSocketServers(options: {
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
}): Promise<{ live: LiveDoor | undefined }> {
  const { config, core, files, graphQL } = options;
  const live =
    config.role === 'live' || config.role === 'all'
      ? new LiveDoor(options.logger, () =>
          createLiveServer({
            config,
            core,
            hub: options.hub,
            logger: options.logger,
            metrics: options.metrics,
            ...(options.pubsub === undefined ? {} : { pubsub: options.pubsub }),
            mountURL: options.mountURL,
            ...(files?.signer === undefined ? {} : { fileToken: files.signer.token.bind(files.signer) }),
          }),
        )
      : undefined;
  if (live !== undefined && (config.role === 'live' || config.liveQueryPort !== undefined)) await live.ready();
  // A role serving neither keeps Node's default for upgrades (answered as plain requests).
  if (live === undefined && graphQL === undefined) return { live };
  options.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (graphQL?.owns(req) === true) graphQL.upgrade(req, socket, head);
    else if (live !== undefined) live.upgrade(req, socket, head);
    else socket.destroy();
  });
  return { live };
}

/**
 * The LiveQuery server, built once by the first caller (concurrent first upgrades share one build). A build that
 * fails is logged once and answers each upgrade HTTP 500 (a start that awaits `ready()` fails instead); an
 * upgrade after `close()` is refused 503, as a closing LiveServer refuses it.
 */
export class LiveDoor {
  readonly #logger: Logger;
  readonly #build: () => Promise<LiveServer>;
  #server: Promise<LiveServer> | undefined;
  #closed = false;

  constructor(logger: Logger, build: () => Promise<LiveServer>) {
    this.#logger = logger;
    this.#build = build;
  }

  ready(): Promise<LiveServer> {
    this.#server ??= this.#build().then(
      (live) => {
        this.#logger.debug('LiveQuery server loaded');
        return live;
      },
      (err: unknown) => {
        this.#logger.error({ err }, 'the LiveQuery server could not be loaded: its upgrades answer 500');
        throw err;
      },
    );
    return this.#server;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closed) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // The socket waits for the build: a reset meanwhile must not be an unhandled 'error' event.
    const onError = (): void => void socket.destroy();
    socket.on('error', onError);
    this.ready().then(
      (live) => {
        socket.off('error', onError);
        live.upgrade(req, socket, head);
      },
      () => socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'),
    );
  }

  /** `--live-query-port`: the LiveQuery server on a port of its own. */
  async listen(options: { port: number; host: string }): Promise<number> {
    return (await this.ready()).listen(options);
  }

  /** Closes the LiveQuery server if it was ever built. */
  async close(): Promise<void> {
    this.#closed = true;
    const live = await this.#server?.catch(() => undefined);
    await live?.close();
  }
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
async function createLiveServer(options: {
  config: Config;
  core: Core;
  hub: LiveHub;
  logger: Logger;
  metrics: Metrics;
  /** Shared with the other servers (Redis, cluster IPC): resumes are handed over between live servers. */
  pubsub?: PubSub;
  mountURL: () => string;
  fileToken?: (name: string) => string;
}): Promise<LiveServer> {
  const { config, core } = options;
  const { LiveServer } = await import('./live/index.js');
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
