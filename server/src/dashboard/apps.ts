/**
 * The apps (Strata or Parse servers) one dashboard manages: this server itself, plus any listed in the
 * `dashboardApps` option. Their keys stay on the server: the browser only ever sees ids and names.
 */
export interface DashboardApp {
  /** The app's Parse application id; also its id in dashboard URLs. */
  readonly appId: string;
  readonly appName: string;
  /** The app's REST mount URL, e.g. `http://10.0.0.2:1337/parse`; a function for this server (known once listening). */
  readonly serverURL: string | (() => string);
  readonly masterKey: string;
  /** The app's client (REST API) key, sent with "browse as user" requests, which carry no master key. */
  readonly clientKey?: string;
  /** Used for read-only dashboard users; without it they cannot open this app. */
  readonly readOnlyMasterKey?: string;
  /** True for the server that serves the dashboard. */
  readonly local?: boolean;
  /** The app's GraphQL endpoint; default: `/graphql` at the server URL's origin (parse-server's default). */
  readonly graphQLURL?: string | (() => string);
  /** The app's Prometheus endpoint; default: `/metrics` at the server URL's origin. */
  readonly metricsURL?: string | (() => string);
  /** Sent as `Authorization: Bearer` to the metrics endpoint when the app requires it. */
  readonly metricsKey?: string;
}

/** What the browser learns about an app. */
export interface PublicAppInfo {
  readonly appId: string;
  readonly appName: string;
  readonly local: boolean;
  /** False when a read-only user has no read-only master key for it. */
  readonly available: boolean;
}

export function publicAppInfo(app: DashboardApp, options: { readOnly: boolean }): PublicAppInfo {
  return {
    appId: app.appId,
    appName: app.appName,
    local: app.local === true,
    available: !options.readOnly || app.readOnlyMasterKey !== undefined,
  };
}

export function appServerURL(app: DashboardApp): string {
  return (typeof app.serverURL === 'function' ? app.serverURL() : app.serverURL).replace(/\/+$/, '');
}

/**
 * The app's endpoints outside its REST mount that the dashboard forwards to: GraphQL (the API console) and
 * Prometheus metrics (the overview's charts).
 */
export function appRootURL(app: DashboardApp, which: 'graphql' | 'metrics'): string {
  const configured = which === 'graphql' ? app.graphQLURL : app.metricsURL;
  if (configured !== undefined) return typeof configured === 'function' ? configured() : configured;
  return `${new URL(appServerURL(app)).origin}/${which}`;
}
