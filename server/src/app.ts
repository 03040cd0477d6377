/**
 * The composition root: builds every component from the `Config` and wires them together. Nothing else
 * constructs storage, registries or the HTTP app, so two apps can share a process (tests do).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { CredentialResolver, createPasswordHasher } from './auth/index.js';
import type { AuthProvider } from './auth/index.js';
import {
  CloudRegistry,
  installUnhandledRejectionGuard,
  ParseBridge,
  loadCloudCode,
  createWebhookStore,
  OutboundHttp,
} from './cloud/index.js';
import type { HookServerConfig, JobQueueData } from './cloud/index.js';
import type { Config } from './config/index.js';
import { createEmailAdapter } from './email/index.js';
import type { EmailAdapter } from './email/index.js';
import { ChangeBus, LiveHub, UsageMeter, createCore, SlowQueryLog, createWebhookSource } from './core/index.js';
import type { ChangeFeed } from './core/index.js';
import { createAccountServices } from './app-accounts.js';
import {
  createGlobalConfigCache,
  createGraphQLConfigCache,
  createRoleCache,
  createSchemaRegistry,
  createSessionCache,
} from './app-caches.js';
import { createDashboard } from './app-dashboard.js';
import { httpFiles, openFiles } from './app-files.js';
import { createGraphQL, prepareGraphQL } from './app-graphql.js';
import { createJobRunner, createPushService } from './app-queues.js';
import { createCloudRunner } from './app-cloud.js';
import { createAuthRateLimits } from './app-rate-limits.js';
import { createSocketServers, liveClassFilter } from './app-sockets.js';
import { createHttpApp, setSecurityHeaders } from './http/index.js';
import type { RequestSample } from './http/index.js';
import { createMetrics, createMemoryPubSub, createRedisPubSub, LogBuffer } from './infra/index.js';
import type { ClusterMetrics, HookSample, JobQueue, Logger, Metrics, PubSub } from './infra/index.js';
import { openStorage } from './storage/index.js';
import type { PushHooks } from './push/index.js';
import { locateDashboardAssets } from './dashboard/index.js';
import type { DashboardUser } from './dashboard/index.js';
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
  /** In a worker of `--workers N`: `/metrics` answers for every worker of the port, gathered by the primary. */
  clusterMetrics?: ClusterMetrics;
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
    sqliteReadNice: config.sqliteReadNice,
    sqliteReadIdle: config.sqliteReadIdle,
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
  options.clusterMetrics?.attach(metrics);
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
  const graphQLConfig = await createGraphQLConfigCache({ storage, pubsub, logger });
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
    graphQLConfig,
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
  // GraphQL over HTTP and WebSocket: one door, whose engine loads on the first GraphQL request or socket.
  const graphQLParts = await prepareGraphQL({ config, serveApi });
  const liveHub = new LiveHub({ core, logger, maxDepth: config.maxNestingDepth, limits: queryLimits });
  const graphQL =
    graphQLParts === undefined
      ? undefined
      : createGraphQL({
          config,
          core,
          hub: liveHub,
          credentials,
          schemas,
          cloud,
          graphQLConfig,
          rateLimits,
          files,
          persisted: graphQLParts.persisted,
          logger,
          classAllowed: liveClassFilter(config),
        });
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
      metrics: () => options.clusterMetrics?.render() ?? metrics.render(),
      ...(config.metricsKey === undefined ? {} : { metricsKey: config.metricsKey }),
      metricsIps: config.metricsIps ?? ['127.0.0.1', '::1'],
    },
    observe: (sample) => observeRequest({ sample, metrics, meter }),
    ...(graphQL === undefined ? {} : { rootFrontEnd: graphQL }),
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
  // Live queries (LiveQuery sockets and GraphQL subscriptions) are matched against the change feed by one hub.
  const { live } = await createSocketServers({
    config,
    core,
    hub: liveHub,
    logger,
    metrics,
    server,
    ...(sharedPubSub ? { pubsub } : {}),
    mountURL: () => mountURL,
    files,
    graphQL,
  });
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
        .then(() => Promise.all([live?.close(), graphQL?.close()]))
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
