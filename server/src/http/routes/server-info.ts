import type { RouteDefinition } from '../api-types.js';

/**
 * The parse-server version whose wire behaviour Strata follows (spec/README.md: verified against 9.10.0).
 * parse-dashboard reads `parseServerVersion` to decide which features to offer, so it gets the version we
 * are compatible with; Strata's own version is in `strataVersion`.
 */
export const PARSE_SERVER_COMPATIBILITY = '9.10.0';

/**
 * `GET /serverInfo` (rest.md §17): what this server supports, read by dashboards. Master key or read-only
 * master key; not the maintenance key (security.md §2: not accepted where the master key is required).
 * Every flag says true only for what is served.
 */
export function serverInfoRoute(options: { version: string }): RouteDefinition {
  return {
    method: 'GET',
    path: '/serverInfo',
    handler: async (request) => {
      const served = request.core.servedFeatures({ auth: request.auth });
      return {
        body: {
          parseServerVersion: PARSE_SERVER_COMPATIBILITY,
          strataVersion: options.version,
          features: {
            // Parse Config (`/config`), webhooks (`/hooks`) and jobs (`/jobs`, `/cloud_code/jobs`) are served:
            // parse-dashboard shows its Config, Webhooks and Jobs pages only when these say so.
            globalConfig: { create: true, read: true, update: true, delete: true },
            hooks: { create: true, read: true, update: true, delete: true },
            cloudCode: { jobs: true },
            // `/scriptlog` with its level, size, order, until and from parameters.
            logs: {
              level: served.logs,
              size: served.logs,
              order: served.logs,
              until: served.logs,
              from: served.logs,
            },
            // Push is always served (the log provider when no real one is configured): `POST /push` now or at
            // `push_time` (Strata sends scheduled pushes itself), `_PushStatus` records, `/push_audiences`, and
            // `alert-xx` / `title-xx` chosen by each installation's `localeIdentifier`.
            push: {
              immediatePush: true,
              scheduledPush: true,
              storedPushData: true,
              pushAudiences: true,
              localization: true,
            },
            schemas: {
              addField: true,
              removeField: true,
              addClass: true,
              removeClass: true,
              clearAllDataFromClass: true,
              exportClass: false,
              editClassLevelPermissions: true,
              editPointerPermissions: true,
            },
            settings: { securityCheck: false },
          },
        },
      };
    },
  };
}
