import type { ParseResult, RawValue, ValueKind } from './option-types.js';

/**
 * `dashboardApps`: the other apps (Strata or Parse servers) one dashboard manages, besides the server that
 * serves it. A JSON string in flags and env vars, a list in the config file.
 */
export interface DashboardAppSetting {
  readonly appId: string;
  /** The app's REST mount URL, e.g. `https://api.example.com/parse`. */
  readonly serverURL: string;
  readonly masterKey: string;
  readonly readOnlyMasterKey?: string;
  /** A client (REST API) key, for "browse as user" when the app requires one. */
  readonly clientKey?: string;
  readonly appName?: string;
}

const fail = (problem: string): ParseResult<never> => ({ ok: false, problem });

export function dashboardAppsKind(): ValueKind<readonly DashboardAppSetting[]> {
  return {
    placeholder: '<json>',
    isSwitch: false,
    parse: (raw: RawValue) => {
      let value: unknown = raw;
      if (typeof raw === 'string') {
        try {
          value = JSON.parse(raw);
        } catch {
          return fail('expected a JSON list of apps');
        }
      }
      if (!Array.isArray(value)) return fail('expected a list of {appId, serverURL, masterKey}');
      const apps: DashboardAppSetting[] = [];
      for (const [i, entry] of value.entries()) {
        if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
          return fail(`app ${i}: expected an object`);
        const { appId, serverURL, masterKey, readOnlyMasterKey, clientKey, appName } = entry as Record<string, unknown>;
        if (typeof appId !== 'string' || appId === '') return fail(`app ${i}: appId is required`);
        if (typeof masterKey !== 'string' || masterKey === '') return fail(`app ${i}: masterKey is required`);
        if (typeof serverURL !== 'string' || !/^https?:\/\/[^/]/.test(serverURL)) {
          return fail(`app ${i}: serverURL must be an http(s) URL`);
        }
        if (readOnlyMasterKey !== undefined && typeof readOnlyMasterKey !== 'string') {
          return fail(`app ${i}: readOnlyMasterKey must be a string`);
        }
        if (clientKey !== undefined && typeof clientKey !== 'string')
          return fail(`app ${i}: clientKey must be a string`);
        if (appName !== undefined && typeof appName !== 'string') return fail(`app ${i}: appName must be a string`);
        if (apps.some((a) => a.appId === appId)) return fail(`app ${i}: appId ${appId} is listed twice`);
        apps.push({
          appId,
          serverURL: serverURL.replace(/\/+$/, ''),
          masterKey,
          ...(typeof readOnlyMasterKey === 'string' ? { readOnlyMasterKey } : {}),
          ...(typeof clientKey === 'string' ? { clientKey } : {}),
          ...(typeof appName === 'string' ? { appName } : {}),
        });
      }
      return { ok: true, value: apps };
    },
  };
}
