/**
 * The composition root: builds every component from the `Config` and wires them together. Nothing else
 * constructs storage, registries or the HTTP app, so two apps can share a process (tests do).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { CredentialResolver, MASTER, createAuthProviders, createPasswordHasher } from './auth/index.js';
import type { AuthProvider } from './auth/index.js';
import {
  CloudRegistry,
  CloudRunner,
  installUnhandledRejectionGuard,
  ParseBridge,
  loadCloudCode,
  JobRunner,
  createWebhookStore,
  OutboundHttp,
} from './cloud/index.js';
import type { HookServerConfig, JobQueueData } from './cloud/index.js';
import type { Config } from './config/index.js';
import { createEmailAdapter } from './email/index.js';
import type { EmailAdapter } from './email/index.js';
import {
  ChangeBus,
  FileUrlSigner,
  LiveHub,
  fileURLBuilder,
  UsageMeter,
  createCore,
  SlowQueryLog,
  createStorageJobScheduleSource,
  createStorageJobStatusStore,
  createWebhookSource,
} from './core/index.js';
import type { AccountServices, ChangeFeed, Core, FileServices } from './core/index.js';
import { receiveRelayedJobs, relayJobs } from './app-job-relay.js';
import { createGlobalConfigCache, createRoleCache, createSchemaRegistry, createSessionCache } from './app-caches.js';
import { ErrorCode, ParseError } from './errors/index.js';
import { ClientAddressResolver, createHttpApp, enforceAuthRateLimit, setSecurityHeaders } from './http/index.js';
import { LiveServer } from './live/index.js';
import type { AuthRateLimits, RequestSample, RootFrontEnd } from './http/index.js';
import { GraphQLSocketServer, PersistedOperations, SchemaCache, createGraphQLHandler } from './graphql/index.js';
import { openFileStore } from './files/index.js';
import {
  createMetrics,
  createMemoryPubSub,
  createMemoryQueue,
  createMemoryRateLimiter,
  createRedisQueue,
  createRedisPubSub,
  createRedisRateLimiter,
  LogBuffer,
} from './infra/index.js';
import type { HookSample, JobQueue, Logger, Metrics, PubSub, RateLimiter } from './infra/index.js';
import { openStorage } from './storage/index.js';
import { createLogProvider, pushProvidersFromConfig, PushService } from './push/index.js';
import type { PushHooks, PushJobData } from './push/index.js';
import { createDashboardHandler, locateDashboardAssets } from './dashboard/index.js';
import type { DashboardApp, DashboardHandler, DashboardUser } from './dashboard/index.js';
import type { SchemaRegistry } from './schema/index.js';
import type { StorageAdapter } from './storage/index.js';

export const STRATA_VERSION = '0.1.0';
/** Largest response kept for `X-Parse-Request-Id` replays (a repeat of a larger one answers 159). */
const IDEMPOTENT_RESPONSE_LIMIT = 64 * 1024;

export interface StrataApp {
  /**
   * Every committed object change (create, update, delete of any class), from this server and, with Redis,
   * from the others: `app.changes.subscribe((event) => ...)`. See `core/change-feed.ts`.
   */
  readonly changes: ChangeFeed;
  /** Starts accepting connections; resolves with the bound address (port 0 picks a free one). */
  listen(): Promise<{ port: number; host: string }>;
  /**
   * Serves a request whose URL is relative to the mount, as express passes it to a handler mounted with
   * `app.use('/parse', handler)` (the ops endpoints answer at the mount's root: `/parse/ready`).
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** This app's Prometheus registry (what `/metrics` serves); the LiveQuery server reports into it. */
  readonly metrics: Metrics;
  /** Marks the server as stopping: `/ready` answers 503 from now on, everything else is still served. */
  drain(): void;
  /**
   * Graceful stop: `/ready` answers 503 (for `--drain-delay` seconds while still serving), then it stops
   * accepting, lets in-flight requests finish (up to `graceMs`), writes the usage meter and closes the
   * database. Safe to call twice.
   */
  close(): Promise<void>;
}

/** The steps of a start that can fail for a reason outside the code (a file, a server, a port). */
export type StartupStep = 'cloud' | 'database' | 'redis' | 'components';

export async function createApp(options: {
  config: Config;
  logger: Logger;
  graceMs?: number;
  /** The clock for session expiry and rate-limit windows; tests inject one instead of sleeping. */
  now?: () => Date;
  /** Replaces the configured email adapter (tests read the mails it receives). */
  email?: EmailAdapter;
  /** Third-party log-in providers written in code, by `authData` key (besides `authProviders`). */
  authProviders?: Readonly<Record<string, AuthProvider>>;
  /**
   * Registers cloud code in code (tests, embedding): called with the app's registry before `--cloud` is
   * loaded, so both add to the same registry.
   */
  cloudSetup?: (registry: CloudRegistry) => void | Promise<void>;
  /**
   * The dashboard's users, asked on every sign-in and request (so `strata dashboard-user add` takes effect
   * without a restart). `main.ts` reads the users file; default: nobody can sign in.
   */
  dashboardUsers?: () => readonly DashboardUser[];
  /** The built dashboard's directory (default: `@strata/dashboard`'s `dist/`). */
  dashboardAssets?: string;
  /**
   * Awaited as the start enters each step, so the CLI can say which one failed, and `--dev` can hand the
   * port over once the new cloud code has loaded (at `database`) and before anything opens the database.
   */
  onStartupStep?: (step: StartupStep) => void | Promise<void>;
  /** The recent log lines `GET /scriptlog` answers with; the logger must write into it (`createLogger({ buffer })`). */
  logs?: LogBuffer;
  /** Code's say around pushes (`beforePush` / `afterPush`); cloud code's `Parse.Cloud` push hooks come through here. */
  pushHooks?: PushHooks;
  /**
   * Pub/sub shared with the other processes of `strata start --workers N` when there is no Redis (relayed by
   * the cluster's primary): caches and the change feed then stay coherent across the workers.
   */
  pubsub?: PubSub;
  /**
   * Whether this process consumes the in-process job queue (default true). Of several workers on one
   * database without Redis only the first does, so a scheduled job runs once, not once per worker.
   */
  consumeJobs?: boolean;
}): Promise<StrataApp> {
  const { config, logger } = options;
  const step = async (name: StartupStep): Promise<void> => options.onStartupStep?.(name);
  await step('cloud');
  const cloud = new CloudRegistry();
  await options.cloudSetup?.(cloud);
  // `--cloud`: loaded before anything reads the registry (jobs schedule from it); a load error stops the start.
  // Webhooks and `Parse.Cloud.httpRequest` call out through one client that refuses private addresses.
  const outbound = new OutboundHttp({ allow: config.outboundAllowIps });
  const parseBridge = new ParseBridge({
    registry: cloud,
    appId: config.appId,
    masterKey: config.masterKey,
    mountPath: config.mountPath,
    logger,
    outbound,
  });
  const loadedCloud =
    config.cloud === undefined ? undefined : await loadCloudCode({ file: config.cloud, bridge: parseBridge });
  let mountURL = config.publicServerURL ?? `http://localhost:${config.port}${config.mountPath}`;
  await step('database');
  const storage = await openStorage(config.databaseURI, {
    connectTimeoutMs: config.databaseConnectTimeout,
    sqliteReadThreads: config.sqliteReadThreads ?? availableParallelism(),
  });
  await storage.initialize();
  await step('redis');
  const pubsub =
    config.redisURL !== undefined
      ? await createRedisPubSub({ url: config.redisURL, prefix: `strata:${config.appId}` })
      : (options.pubsub ?? createMemoryPubSub());
  // Other processes hear this one's changes over Redis, or over the cluster's IPC relay.
  const sharedPubSub = config.redisURL !== undefined || options.pubsub !== undefined;
  await step('components');
  const schemas = await createSchemaRegistry({ storage, pubsub, logger, maxFields: config.maxFieldsPerClass });
  const metrics = createMetrics();
  const meter = new UsageMeter({ storage, schemas, appId: config.appId, now: options.now ?? (() => new Date()) });
  // Cloud code runs (functions, triggers, jobs) feed both the Prometheus histograms and the stored meter.
  const observeHook = (sample: HookSample): void => {
    metrics.observeHook(sample);
    meter.record(sample);
  };
  // The change feed: every committed object write, to this process's subscribers and, over Redis, the others'.
  const changes = await ChangeBus.create({ logger, ...(sharedPubSub ? { pubsub } : {}) });
  const roles = await createRoleCache({ pubsub, changes, logger });
  const now = options.now ?? (() => new Date());
  const sessionCache = createSessionCache({ changes, now });
  const rateLimits = await createAuthRateLimits({ config, now });
  const email = options.email ?? createEmailAdapter({ settings: config, logger });
  parseBridge.attachEmail(email);
  const globalConfig = await createGlobalConfigCache({ storage, pubsub, logger });
  // Cloud code's triggers and functions run through one runner (timeouts, validators, error mapping).
  installUnhandledRejectionGuard(logger);
  const cloudRunner = createCloudRunner({
    config,
    registry: cloud,
    logger,
    now,
    serverConfig: () => hookServerConfig({ config, serverURL: mountURL }),
    observe: observeHook,
  });
  // `/hooks` webhooks from `_Hooks`, laid over the in-process hooks and reloaded when another server changes them.
  const webhooks = await createWebhookStore({
    source: createWebhookSource({ storage }),
    registry: cloud,
    pubsub,
    logger,
    settings: {
      ...(config.webhookKey === undefined ? {} : { webhookKey: config.webhookKey }),
      timeoutMs: config.webhookTimeout,
      maxResponseBytes: config.maxBodySize,
      outbound,
    },
  });
  const serveApi = config.role === 'api' || config.role === 'all';
  const { runner: jobs, queue: jobQueue } = await createJobRunner({
    config,
    storage,
    schemas,
    changes,
    registry: cloud,
    logger,
    now,
    serverConfig: () => hookServerConfig({ config, serverURL: mountURL }),
    observe: observeHook,
    consume: options.consumeJobs ?? true,
    relay: options.pubsub,
  });
  if (storage.poolStats !== undefined) metrics.sampleDatabasePool(() => storage.poolStats?.() ?? NO_POOL);
  metrics.sampleQueue('jobs', () => jobQueue.counts());
  let draining = false;
  const files = serveApi ? await openFiles({ config, now }) : undefined;
  const queryLimits = {
    maxBranches: config.queryMaxBranches,
    maxInValues: config.queryMaxInValues,
    maxRegexLength: config.queryMaxRegexLength,
    maxSubqueryDepth: config.querySubqueryDepth,
    maxCost: config.queryMaxCost,
  };
  const core = createCore({
    storage,
    schemas,
    changes,
    globalConfig,
    users: {
      hasher: createPasswordHasher({ cost: config.passwordHashCost }),
      sessionLengthMs: config.sessionLength * 1000,
      sessionCache,
      now,
    },
    roles,
    cloud: cloudRunner,
    jobs,
    webhooks,
    ...(files === undefined ? {} : { files }),
    usage: meter,
    logs: options.logs ?? new LogBuffer(1),
    slowQueries: new SlowQueryLog({ thresholdMs: config.slowQueryMs, kind: storage.kind }),
    accounts: createAccountServices({ config, logger, now, email, custom: options.authProviders }),
    options: {
      allowClientClassCreation: config.allowClientClassCreation,
      protectedFields: config.protectedFields,
      defaultLimit: config.defaultLimit,
      ...(config.maxLimit === undefined ? {} : { maxLimit: config.maxLimit }),
      maxNestingDepth: config.maxNestingDepth,
      queryLimits,
      allowPublicExplain: config.allowPublicExplain,
      batchMaxRequests: config.batchMaxRequests,
      queryTimeLimits: { client: config.queryTimeLimit, master: config.masterQueryTimeLimit },
      ...(config.idempotency === false
        ? {}
        : { idempotency: { ttlSeconds: config.idempotencyTtl, maxResponseBytes: IDEMPOTENT_RESPONSE_LIMIT } }),
    },
  });
  const push = await createPushService({ config, core, logger, now, hooks: options.pushHooks });
  metrics.sampleQueue('push', () => push.queue.counts());
  const credentials = new CredentialResolver(config);
  // One generated GraphQL schema for HTTP and WebSocket (it follows the schema registry and the functions).
  const graphQLSchemas = serveApi
    ? new SchemaCache({
        classes: () => schemas.getAll(),
        functionNames: () => cloud.list().functions.map((fn) => fn.name),
      })
    : undefined;
  if (config.graphQLPersistedOnly && config.graphQLPersistedOperations === undefined) {
    throw new Error('--graphql-persisted-only needs the documents: set --graphql-persisted-operations <file>');
  }
  const persisted =
    serveApi && config.graphQLPersistedOperations !== undefined
      ? await PersistedOperations.load({ file: config.graphQLPersistedOperations, only: config.graphQLPersistedOnly })
      : undefined;
  const app = createHttpApp({
    core,
    push: push.service,
    logger,
    credentials,
    mountPath: config.mountPath,
    ...(config.publicServerURL === undefined ? {} : { publicServerURL: config.publicServerURL }),
    maxBodySize: config.maxBodySize,
    maxNestingDepth: config.maxNestingDepth,
    allowOrigin: config.allowOrigin,
    version: STRATA_VERSION,
    serveApi,
    rateLimits,
    ...(config.appName === undefined ? {} : { appName: config.appName }),
    ...(files === undefined ? {} : { files: httpFiles(files) }),
    inProcess: { mountURL: () => mountURL, attach: (dispatch) => parseBridge.attach(dispatch) },
    trustProxy: config.trustProxy ?? [],
    ops: {
      checks: readinessChecks({ config, storage, pubsub, queue: jobQueue }),
      draining: () => draining,
      metrics: () => metrics.render(),
      ...(config.metricsKey === undefined ? {} : { metricsKey: config.metricsKey }),
      metricsIps: config.metricsIps ?? ['127.0.0.1', '::1'],
    },
    observe: (sample) => observeRequest({ sample, metrics, meter }),
    ...(graphQLSchemas === undefined
      ? {}
      : {
          rootFrontEnd: createGraphQL({
            config,
            core,
            credentials,
            schemas: graphQLSchemas,
            rateLimits,
            files,
            persisted,
          }),
        }),
  });
  let localURL = `http://127.0.0.1:${config.port}${config.mountPath}`;
  const dashboard =
    serveApi && config.dashboard !== false
      ? await createDashboard({
          config,
          logger,
          pubsub,
          now,
          users: options.dashboardUsers ?? (() => []),
          assets: options.dashboardAssets ?? locateDashboardAssets(),
          localURL: () => localURL,
        })
      : undefined;
  // The dashboard is a front end beside the REST API: its own paths, everything else goes to `http/`.
  const server: Server = createServer((req, res) => {
    if (dashboard?.owns(req.url ?? '/') === true) {
      setSecurityHeaders(res, { kind: 'api', https: false });
      dashboard.handle(req, res);
    } else app.listener(req, res);
  });
  // Idle keep-alive sockets outlive the proxy's: a proxy (nginx's upstream pool, a load balancer) that reuses a
  // socket the server has just closed answers 502, so the server must be the side that waits longer.
  server.keepAliveTimeout = config.keepAliveTimeout;
  server.headersTimeout = Math.max(server.headersTimeout, config.keepAliveTimeout + 1000);
  // Live queries (LiveQuery sockets, later GraphQL subscriptions) are matched against the change feed by one hub.
  const liveHub = new LiveHub({ core, logger, maxDepth: config.maxNestingDepth, limits: queryLimits });
  const live =
    config.role === 'live' || config.role === 'all'
      ? createLiveServer({
          config,
          core,
          hub: liveHub,
          logger,
          metrics,
          ...(sharedPubSub ? { pubsub } : {}),
          mountURL: () => mountURL,
          ...(files?.signer === undefined ? {} : { fileToken: files.signer.token.bind(files.signer) }),
        })
      : undefined;
  const graphQLSockets =
    graphQLSchemas === undefined
      ? undefined
      : createGraphQLSockets({
          config,
          core,
          hub: liveHub,
          schemas: graphQLSchemas,
          credentials,
          logger,
          files,
          persisted,
        });
  if (graphQLSockets === undefined) live?.attach(server);
  else {
    // Upgrades at the GraphQL path are GraphQL subscriptions; any other path is a LiveQuery client.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (graphQLSockets.owns(req)) graphQLSockets.upgrade(req, socket, head);
      else if (live !== undefined) live.upgrade(req, socket, head);
      else socket.destroy();
    });
  }
  // Metering survives restarts: what was recorded is written every --usage-flush-interval and on close.
  const flushUsage = (): Promise<void> =>
    meter.flush().catch((err: unknown) => logger.warn({ err }, 'could not write the usage meter; will retry'));
  const flushTimer = setInterval(() => void flushUsage(), (config.usageFlushInterval ?? 60) * 1000);
  flushTimer.unref();
  let closing: Promise<void> | undefined;

  return {
    changes,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          if (live !== undefined && config.liveQueryPort !== undefined) {
            live.listen({ port: config.liveQueryPort, host: config.host }).catch(reject);
          }
          const address = server.address() as AddressInfo;
          if (config.publicServerURL === undefined) mountURL = `http://localhost:${address.port}${config.mountPath}`;
          localURL = `http://${loopbackHost(config.host)}:${address.port}${config.mountPath}`;
          resolve({ port: address.port, host: config.host });
        });
      }),
    handler: (req, res) => {
      // Mounted in express, the dashboard stays at its own paths below the mount too.
      if (dashboard?.owns(req.url ?? '/') === true) {
        setSecurityHeaders(res, { kind: 'api', https: false });
        dashboard.handle(req, res);
      } else app.mounted(req, res);
    },
    metrics,
    drain: () => {
      draining = true;
    },
    close: () => {
      draining = true;
      closing ??= drain({ server, seconds: config.drainDelay ?? 0 })
        // LiveQuery sockets are upgraded connections the HTTP server would wait for: they are told to go first.
        .then(() => Promise.all([live?.close(), graphQLSockets?.close()]))
        .then(() => stop({ server, graceMs: options.graceMs ?? 10_000 }))
        .then(async () => {
          clearInterval(flushTimer);
          liveHub.close();
          await jobs.close();
          await push.service.close();
          await flushUsage();
          metrics.close();
          await Promise.all([
            rateLimits.ip?.close(),
            rateLimits.account?.close(),
            cloudRunner.close(),
            dashboard?.close(),
          ]);
          changes.close();
          await pubsub.close();
          await email.close();
          await files?.store.close();
          await storage.close();
          await loadedCloud?.unload();
        });
      return closing;
    },
  };
}

/** Events kept per LiveQuery subscription for a client that resumes after a dropped socket. */
const LIVE_RESUME_MAX_EVENTS = 100;
/**
 * How long a live server waits for another to hand over a subscription a client resumes (the holder answers
 * at once when it runs; this only bounds a holder that dies mid-answer, or cluster IPC, which cannot say that
 * nobody listens).
 */
const LIVE_RESUME_HANDOFF_TIMEOUT_MS = 5000;

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
  const classes = config.liveQueryClasses?.map((name) => new RegExp(`^(?:${name})$`));
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
    maxQueueBytes: config.liveQueryMaxQueue,
    classAllowed: (className) => classes === undefined || classes.some((pattern) => pattern.test(className)),
    pingIntervalMs: config.liveQueryPingInterval * 1000,
    resumeWindowMs: config.liveQueryResumeWindow * 1000,
    resumeMaxEvents: LIVE_RESUME_MAX_EVENTS,
    ...(options.pubsub === undefined
      ? {}
      : { handoffVia: { pubsub: options.pubsub, timeoutMs: LIVE_RESUME_HANDOFF_TIMEOUT_MS } }),
    maxFrameBytes: config.liveQueryMaxFrame,
    maxConnectionsPerIp: config.liveQueryMaxConnectionsPerIp,
    clientAddress: (req) => addresses.resolve(req).ip,
  });
}

/**
 * The dashboard at `/dashboard`: this server is its first app (reached over loopback with its own keys, so
 * dashboard requests run through the same REST routes and core operations as any client's), plus the
 * configured `dashboardApps`.
 */
/** Any one of this server's client keys, for the dashboard's "browse as user" requests. */
function localClientKey(config: Config): { clientKey?: string } {
  const key = config.restAPIKey ?? config.clientKey ?? config.javascriptKey;
  return key === undefined ? {} : { clientKey: key };
}

async function createDashboard(options: {
  config: Config;
  logger: Logger;
  pubsub: PubSub;
  now: () => Date;
  users: () => readonly DashboardUser[];
  assets: string | undefined;
  localURL: () => string;
}): Promise<DashboardHandler> {
  const { config } = options;
  const local: DashboardApp = {
    appId: config.appId,
    appName: config.appName ?? config.appId,
    serverURL: options.localURL,
    masterKey: config.masterKey,
    ...(config.readOnlyMasterKey === undefined ? {} : { readOnlyMasterKey: config.readOnlyMasterKey }),
    ...localClientKey(config),
    local: true,
    graphQLURL: () => new URL(config.graphQLPath, options.localURL()).href,
    metricsURL: () => new URL('/metrics', options.localURL()).href,
    ...(config.metricsKey === undefined ? {} : { metricsKey: config.metricsKey }),
  };
  const others: DashboardApp[] = (config.dashboardApps ?? []).map((app) => ({
    appId: app.appId,
    appName: app.appName ?? app.appId,
    serverURL: app.serverURL,
    masterKey: app.masterKey,
    ...(app.readOnlyMasterKey === undefined ? {} : { readOnlyMasterKey: app.readOnlyMasterKey }),
    ...(app.clientKey === undefined ? {} : { clientKey: app.clientKey }),
  }));
  const now = (): number => options.now().getTime();
  const limiter = async (max: number, scope: string): Promise<RateLimiter> =>
    config.redisURL === undefined
      ? createMemoryRateLimiter({ max, windowMs: 60_000, now })
      : createRedisRateLimiter({
          max,
          windowMs: 60_000,
          now,
          url: config.redisURL,
          prefix: `strata:${config.appId}:rl:${scope}`,
        });
  return createDashboardHandler({
    path: '/dashboard',
    assets: options.assets,
    apps: [local, ...others.filter((app) => app.appId !== local.appId)],
    users: options.users,
    hasher: createPasswordHasher({ cost: config.passwordHashCost }),
    secret: config.dashboardSecret ?? config.masterKey,
    sessionTtlMs: config.dashboardSessionTtl * 1000,
    signInLimits: {
      ip: await limiter(20, 'dashboard-ip'),
      username: await limiter(10, 'dashboard-user'),
    },
    pubsub: options.pubsub,
    logger: options.logger,
    now,
  });
}

/**
 * Parse's GraphQL API at `--graphql-path` (root of the server, as parse-server's `graphQLPath`): the schema
 * follows the schema registry (rebuilt after any server's schema change) and the registered cloud functions;
 * the keys are checked by the same `CredentialResolver` as REST, log-in and sign-up share REST's rate limits.
 */
function createGraphQL(options: {
  config: Config;
  core: Core;
  credentials: CredentialResolver;
  schemas: SchemaCache;
  rateLimits: AuthRateLimits;
  files: FileServices | undefined;
  persisted: PersistedOperations | undefined;
}): RootFrontEnd {
  const { config, core, schemas, rateLimits, files } = options;
  const fileURL = fileURLBuilder({
    appId: config.appId,
    ...(files?.signer === undefined ? {} : { fileToken: (name: string) => files.signer?.token(name) ?? '' }),
  });
  const handler = createGraphQLHandler({
    core,
    credentials: options.credentials,
    schemas,
    path: config.graphQLPath,
    publicIntrospection: config.graphQLPublicIntrospection,
    limits: {
      maxDepth: config.graphQLMaxDepth,
      maxAliases: config.graphQLMaxAliases,
      maxComplexity: config.graphQLMaxComplexity,
      maxBatch: config.graphQLMaxBatch,
      maxTokens: config.graphQLMaxTokens,
    },
    maxBodySize: config.maxBodySize,
    maxUploadSize: files?.maxUploadSize ?? config.maxBodySize,
    maxNestingDepth: config.maxNestingDepth,
    encode: (mountURL) => ({ fileURL: (name) => fileURL(config.publicServerURL ?? mountURL, name) }),
    mountURL: (req, protocol) => `${protocol}://${req.headers.host ?? 'localhost'}${config.mountPath}`,
    limitAuth: (request) => enforceAuthRateLimit(rateLimits, request),
    ...(options.persisted === undefined ? {} : { persisted: options.persisted }),
  });
  return { path: config.graphQLPath, handle: (req, res, client) => handler.handle(req, res, client) };
}

/** Events one GraphQL subscription may have waiting to be sent before it is ended as too slow. */
const GRAPHQL_MAX_PENDING_EVENTS = 1000;

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
  const classes = config.liveQueryClasses?.map((name) => new RegExp(`^(?:${name})$`));
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
    classAllowed: (className) => classes === undefined || classes.some((pattern) => pattern.test(className)),
    clientAddress: (req) => addresses.resolve(req).ip,
    encode: (req) => ({
      fileURL: (name) =>
        fileURL(config.publicServerURL ?? `http://${req.headers.host ?? 'localhost'}${config.mountPath}`, name),
    }),
    logger: options.logger,
    ...(options.persisted === undefined ? {} : { persisted: options.persisted }),
  });
}

/** An address this process can reach itself on: the bound host, or loopback when bound to every interface. */
function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

const NO_POOL = { size: 0, inUse: 0, waiting: 0 };

/** `/ready`: what must answer for this server to take traffic (Redis only when configured). */
function readinessChecks(options: {
  config: Config;
  storage: StorageAdapter;
  pubsub: PubSub;
  queue: JobQueue<JobQueueData>;
}): Record<string, () => Promise<unknown>> {
  const { storage, pubsub, queue } = options;
  return {
    database: () => (storage.ping === undefined ? Promise.resolve() : storage.ping()),
    ...(options.config.redisURL === undefined ? {} : { redis: () => pubsub.ping() }),
    queue: () => queue.counts(),
  };
}

/** Every answered request: Prometheus counters and histograms; API requests are also metered. */
function observeRequest(options: { sample: RequestSample; metrics: Metrics; meter: UsageMeter }): void {
  const { sample, metrics, meter } = options;
  metrics.observeRequest(sample);
  if (sample.errorCode !== undefined) metrics.countError({ route: sample.route, code: sample.errorCode });
  if (sample.api) meter.record({ kind: 'request', name: 'all', ok: sample.status < 500, ms: sample.seconds * 1000 });
}

/** While draining, the server keeps serving (with `/ready` at 503) so load balancers move away first. */
function drain(options: { server: Server; seconds: number }): Promise<void> {
  if (options.seconds === 0 || !options.server.listening) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
}

/** What hooks see of the server (`request.config`): names and URLs, never a key (spec/cloud.md §3). */
export function hookServerConfig(options: { config: Config; serverURL: string }): HookServerConfig {
  const { config } = options;
  return {
    appId: config.appId,
    mountPath: config.mountPath,
    serverURL: options.serverURL,
    ...(config.publicServerURL === undefined ? {} : { publicServerURL: config.publicServerURL }),
    ...(config.appName === undefined ? {} : { appName: config.appName }),
    version: STRATA_VERSION,
  };
}

/** What http needs to serve the files routes and write file URLs. */
function httpFiles(files: FileServices): { maxUploadSize: number; fileToken?: (name: string) => string } {
  const { signer } = files;
  return {
    maxUploadSize: files.maxUploadSize,
    ...(signer === undefined ? {} : { fileToken: (name: string) => signer.token(name) }),
  };
}

/**
 * The file store and the upload policies (rest.md §10): GridFS in the MongoDB database (parse-server's
 * default, so its files are served) or a local directory; signed file URLs when a TTL is configured.
 */
async function openFiles(options: { config: Config; now: () => Date }): Promise<FileServices> {
  const { config } = options;
  const mongo = config.databaseURI.startsWith('mongodb');
  const kind = config.filesAdapter ?? (mongo ? 'gridfs' : 'local');
  if (kind === 'gridfs' && !mongo) {
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
      message: '--files-adapter gridfs stores files in MongoDB: it needs a mongodb:// --database-uri.',
    });
  }
  const store = await openFileStore(
    kind === 'gridfs'
      ? {
          kind,
          uri: config.databaseURI,
          ...(config.filesEncryptionKey === undefined ? {} : { encryptionKey: config.filesEncryptionKey }),
        }
      : { kind, directory: config.filesDirectory },
  );
  return {
    store,
    maxUploadSize: config.maxUploadSize,
    uploadPolicy: {
      public: config.fileUploadPublic,
      anonymous: config.fileUploadAnonymous,
      authenticated: config.fileUploadAuthenticated,
    },
    ...(config.fileExtensions === undefined
      ? {}
      : { allowedExtensions: config.fileExtensions.map((e) => e.toLowerCase()) }),
    preserveFileName: config.preserveFileName,
    ...(config.fileUrlSigningTtl === undefined
      ? {}
      : {
          signer: new FileUrlSigner({
            masterKey: config.masterKey,
            ttlSeconds: config.fileUrlSigningTtl,
            now: options.now,
          }),
        }),
  };
}

/**
 * Cloud jobs: BullMQ on Redis when `--redis-url` is set (every server enqueues, workers consume), the
 * in-process queue otherwise, whose durable record is `_JobStatus`. Worker roles start consuming here.
 */
async function createJobRunner(options: {
  config: Config;
  storage: StorageAdapter;
  schemas: SchemaRegistry;
  changes: ChangeBus;
  registry: CloudRegistry;
  logger: Logger;
  now: () => Date;
  serverConfig: () => HookServerConfig;
  observe: (sample: HookSample) => void;
  consume: boolean;
  /** The cluster's pub/sub, when this process is one of several workers without Redis. */
  relay: PubSub | undefined;
}): Promise<{ runner: JobRunner; queue: JobQueue<JobQueueData> }> {
  const { config, logger } = options;
  const onError = (err: unknown): void => logger.warn({ err }, 'job queue error');
  let queue: JobQueue<JobQueueData>;
  if (config.redisURL === undefined) {
    const memory = createMemoryQueue<JobQueueData>({ now: options.now });
    // Several workers without Redis: the first consumes, the others hand their jobs to it (app-job-relay.ts).
    if (options.relay === undefined || options.consume) queue = memory;
    else queue = relayJobs({ queue: memory, pubsub: options.relay });
    if (options.relay !== undefined && options.consume)
      await receiveRelayedJobs({ queue: memory, pubsub: options.relay });
  } else {
    queue = await createRedisQueue({
      url: config.redisURL,
      prefix: `strata:${config.appId}`,
      name: 'jobs',
      lockDurationMs: config.jobLockDuration,
      stalledIntervalMs: config.jobStalledInterval,
      onError,
    });
  }
  const runner = new JobRunner({
    registry: options.registry,
    queue,
    statuses: createStorageJobStatusStore({
      storage: options.storage,
      schemas: options.schemas,
      changes: options.changes,
      now: options.now,
    }),
    schedules: createStorageJobScheduleSource({ storage: options.storage, schemas: options.schemas }),
    logger,
    timeoutMs: config.jobTimeout,
    concurrency: config.jobConcurrency,
    now: options.now,
    serverConfig: options.serverConfig,
    observe: options.observe,
  });
  if ((config.role === 'worker' || config.role === 'all') && options.consume) await runner.startWorker();
  else if (config.redisURL === undefined && options.relay !== undefined) {
    // Not the consuming worker: jobs accepted here run on the first worker (relayJobs).
  } else if (config.redisURL === undefined && options.registry.list().jobs.length > 0) {
    logger.warn(
      'role api without --redis-url: accepted jobs wait in _JobStatus until a worker or all process starts on this database',
    );
  }
  return { runner, queue };
}

/**
 * Push: the providers the config names (the log provider when none is), the push queue (BullMQ on Redis, the
 * in-process queue otherwise, whose durable record is `_PushStatus`), and the worker on worker roles.
 */
async function createPushService(options: {
  config: Config;
  core: ReturnType<typeof createCore>;
  logger: Logger;
  now: () => Date;
  hooks: PushHooks | undefined;
}): Promise<{ service: PushService; queue: JobQueue<PushJobData> }> {
  const { config, logger } = options;
  const providers = await pushProvidersFromConfig(config);
  const queue: JobQueue<PushJobData> =
    config.redisURL === undefined
      ? createMemoryQueue({ now: options.now })
      : await createRedisQueue({
          url: config.redisURL,
          prefix: `strata:${config.appId}`,
          name: 'push',
          lockDurationMs: config.jobLockDuration,
          stalledIntervalMs: config.jobStalledInterval,
          onError: (err) => logger.warn({ err }, 'push queue error'),
        });
  const service = new PushService({
    core: options.core,
    queue,
    providers,
    ...(providers.size === 0 ? { fallback: createLogProvider({ logger }) } : {}),
    logger,
    now: options.now,
    pageSize: config.pushPageSize,
    rateLimit: config.pushRateLimit,
    concurrency: config.pushConcurrency,
    maxNestingDepth: config.maxNestingDepth,
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  });
  if (config.role === 'worker' || config.role === 'all') await service.startWorker();
  return { service, queue };
}

/**
 * Email flows, lockout, password policy and log-in providers. Verification needs somewhere to link to, so
 * `verifyUserEmails` without an app name and public URL stops the server at start.
 */
function createAccountServices(options: {
  config: Config;
  logger: Logger;
  now: () => Date;
  email: EmailAdapter;
  custom: Readonly<Record<string, AuthProvider>> | undefined;
}): AccountServices {
  const { config, now, email } = options;
  if (config.verifyUserEmails === true && (config.appName === undefined || config.publicServerURL === undefined)) {
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
      message: '--verify-user-emails needs --app-name and --public-server-url (the links point there).',
    });
  }
  return {
    email,
    appId: config.appId,
    appName: config.appName,
    publicServerURL: config.publicServerURL,
    verifyUserEmails: config.verifyUserEmails,
    preventLoginWithUnverifiedEmail: config.preventLoginWithUnverifiedEmail,
    preventSignupWithUnverifiedEmail: config.preventSignupWithUnverifiedEmail,
    emailVerifyTokenValidityDuration: config.emailVerifyTokenValidityDuration,
    emailVerifySuccessOnInvalidEmail: config.emailVerifySuccessOnInvalidEmail,
    accountLockout: config.accountLockout,
    passwordPolicy: config.passwordPolicy,
    providers: createAuthProviders({
      settings: config.authProviders ?? {},
      enableAnonymousUsers: config.enableAnonymousUsers,
      ...(options.custom === undefined ? {} : { custom: options.custom }),
      now,
    }),
    now,
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

/**
 * The runner of cloud code's functions and triggers: the `--cloud-timeout`, and the validators' `rateLimit`
 * counters in memory, or in Redis so every server shares them.
 */
function createCloudRunner(options: {
  config: Config;
  registry: CloudRegistry;
  logger: Logger;
  now: () => Date;
  serverConfig: () => HookServerConfig;
  observe: (sample: HookSample) => void;
}): CloudRunner {
  const { config } = options;
  const now = (): number => options.now().getTime();
  return new CloudRunner({
    registry: options.registry,
    timeoutMs: config.cloudTimeout,
    logger: options.logger,
    serverConfig: options.serverConfig,
    observe: options.observe,
    rateLimiter: async ({ rule, scope }) => {
      const limits = { max: rule.requestCount, windowMs: rule.requestTimeWindow, now };
      return config.redisURL === undefined
        ? createMemoryRateLimiter(limits)
        : createRedisRateLimiter({
            ...limits,
            url: config.redisURL,
            prefix: `strata:${config.appId}:rl:cloud:${scope}`,
          });
    },
  });
}

/** Log-in / sign-up / password-reset limits: in memory, or in Redis so every server shares the budget. */
async function createAuthRateLimits(options: {
  config: Config;
  now: () => Date;
}): Promise<{ ip?: RateLimiter; account?: RateLimiter }> {
  const { config } = options;
  const windowMs = config.authRateLimitWindow * 1000;
  const now = (): number => options.now().getTime();
  const make = async (max: number, scope: string): Promise<RateLimiter | undefined> => {
    if (max === 0) return undefined;
    return config.redisURL === undefined
      ? createMemoryRateLimiter({ max, windowMs, now })
      : createRedisRateLimiter({
          max,
          windowMs,
          now,
          url: config.redisURL,
          prefix: `strata:${config.appId}:rl:${scope}`,
        });
  };
  const ip = await make(config.authRateLimit, 'ip');
  const account = await make(config.authRateLimitAccount, 'account');
  return { ...(ip === undefined ? {} : { ip }), ...(account === undefined ? {} : { account }) };
}
