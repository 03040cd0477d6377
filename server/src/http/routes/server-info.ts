import { requireMaster } from '../../auth/index.js';
import type { RouteDefinition } from '../api-types.js';

/**
 * `GET /serverInfo` (rest.md §17): what this server supports, read by dashboards. Master key or read-only
 * master key; not the maintenance key (security.md §2: not accepted where the master key is required).
 */
export function serverInfoRoute(options: { version: string }): RouteDefinition {
  return {
    method: 'GET',
    path: '/serverInfo',
    handler: async (request) => {
      requireMaster(request.auth, { access: 'read' });
      return {
        body: {
          parseServerVersion: options.version,
          features: {
            // Parse Config (`/config`), webhooks (`/hooks`) and jobs (`/jobs`, `/cloud_code/jobs`) are served:
            // parse-dashboard shows its Config, Webhooks and Jobs pages only when these say so.
            globalConfig: { create: true, read: true, update: true, delete: true },
            hooks: { create: true, read: true, update: true, delete: true },
            cloudCode: { jobs: true },
            logs: { level: false, size: false, order: false, until: false, from: false },
            push: {
              immediatePush: false,
              scheduledPush: false,
              storedPushData: false,
              pushAudiences: false,
              localization: false,
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
