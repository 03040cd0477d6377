/**
 * The dashboard as the composition root mounts it at `/dashboard`: this server is its first app (reached over
 * loopback with its own keys, so dashboard requests run through the same REST routes and core operations as
 * any client's), plus the configured `dashboardApps`. Part of the composition root (only `app.ts` imports it);
 * the dashboard's server side lives in `dashboard/`.
 */
import { createPasswordHasher } from './auth/index.js';
import type { Config } from './config/index.js';
import { DEFAULT_IMPORT_LIMITS, createDashboardHandler } from './dashboard/index.js';
import type { DashboardApp, DashboardHandler, DashboardUser } from './dashboard/index.js';
import type { Logger, PubSub, RateLimiter } from './infra/index.js';
import { createRateLimiter } from './app-rate-limits.js';

/** Any one of this server's client keys, for the dashboard's "browse as user" requests. */
function localClientKey(config: Config): { clientKey?: string } {
  const key = config.restAPIKey ?? config.clientKey ?? config.javascriptKey;
  return key === undefined ? {} : { clientKey: key };
}

export async function createDashboard(options: {
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
  const limiter = (max: number, scope: string): Promise<RateLimiter> =>
    createRateLimiter({ config, max, windowMs: 60_000, now, scope });
  return createDashboardHandler({
    path: '/dashboard',
    assets: options.assets,
    apps: [local, ...others.filter((app) => app.appId !== local.appId)],
    users: options.users,
    hasher: createPasswordHasher({ cost: config.passwordHashCost }),
    secret: config.dashboardSecret ?? config.masterKey,
    sessionTtlMs: config.dashboardSessionTtl * 1000,
    importLimits: { ...DEFAULT_IMPORT_LIMITS, maxBytes: config.dashboardImportMaxSize },
    signInLimits: {
      ip: await limiter(20, 'dashboard-ip'),
      username: await limiter(10, 'dashboard-user'),
    },
    pubsub: options.pubsub,
    logger: options.logger,
    now,
  });
}
