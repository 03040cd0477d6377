import { isMasterLike, requireMaster } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { ParseValue } from '../schema/index.js';
import type { GlobalConfigData, StorageAdapter } from '../storage/index.js';
import type { CoreDeps, GlobalConfigSource } from './deps.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { CONFIG_TRIGGER_CLASS } from '../cloud/index.js';
import { encodeValue } from '../schema/index.js';
import { encodeOptionsOf, hookCaller, hooksFor } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';
import { DocumentCache } from './document-cache.js';

/**
 * Parse Config (rest.md §13): read it (any client; master-only parameters hidden from others) and
 * change it (master key), through a cache that `app.ts` keeps coherent across servers over pub/sub.
 */

export interface GetConfigRequest {
  readonly auth: Auth;
}

export interface ConfigResult {
  readonly params: Readonly<Record<string, ParseValue>>;
  /** Omitted when nothing was ever flagged (parse-server's answer for an empty config). */
  readonly masterKeyOnly?: Readonly<Record<string, boolean>>;
}

export interface UpdateConfigRequest {
  readonly auth: Auth;
  /** Parameters to set. */
  readonly set: Readonly<Record<string, ParseValue>>;
  /** Parameters to remove (`{"__op":"Delete"}` on the wire). */
  readonly unset: readonly string[];
  readonly masterKeyOnly: Readonly<Record<string, boolean>>;
  /** Where the call came from, for the `@Config` save triggers. */
  readonly origin?: RequestOrigin;
}

/**
 * The cached Parse Config of one app server, as `DocumentCache` keeps it (`{}` when the storage keeps none).
 *
 * @example
 * const cache = new GlobalConfigCache({ storage, onChange: () => pubsub.publish('config-changed', id) });
 */
export class GlobalConfigCache extends DocumentCache<GlobalConfigData> implements GlobalConfigSource {
  constructor(options: { storage: StorageAdapter; onChange?: () => void }) {
    const { storage } = options;
    super({
      load: () => storage.getGlobalConfig?.() ?? Promise.resolve({ params: {}, masterKeyOnly: {} }),
      onChange: options.onChange,
    });
  }
}

function cacheOf(deps: CoreDeps): GlobalConfigSource {
  return deps.globalConfig ?? new GlobalConfigCache({ storage: deps.storage });
}

/** `GET /config`. */
export async function getConfig(deps: CoreDeps, request: GetConfigRequest): Promise<ConfigResult> {
  const stored = await cacheOf(deps).get();
  const master = isMasterLike(request.auth);
  const params: Record<string, ParseValue> = {};
  const flags: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(stored.params)) {
    const hidden = stored.masterKeyOnly[key] === true;
    if (hidden && !master) continue;
    params[key] = value;
    if (Object.hasOwn(stored.masterKeyOnly, key)) flags[key] = hidden;
  }
  return Object.keys(flags).length === 0 ? { params } : { params, masterKeyOnly: flags };
}

/** `PUT /config`: only the listed keys change; each one's masterKeyOnly flag is reset unless given. */
export async function updateConfig(deps: CoreDeps, request: UpdateConfigRequest): Promise<void> {
  requireMaster(request.auth, { access: 'write' });
  if (deps.storage.updateGlobalConfig === undefined) {
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message: `The ${deps.storage.kind} storage cannot store Parse Config.`,
    });
  }
  const hooks = await configHooks(deps, request);
  await hooks?.run('beforeSave');
  await deps.storage.updateGlobalConfig({
    set: request.set,
    unset: request.unset,
    masterKeyOnly: request.masterKeyOnly,
  });
  cacheOf(deps).changed();
  await hooks?.run('afterSave');
}

/**
 * beforeSave / afterSave of `@Config` (spec/cloud.md §2): `object` is the config as it will be
 * (`{params, masterKeyOnly}`), `original` as it was. beforeSave may refuse (nothing is saved); its changes are
 * not applied, as in Parse; afterSave's failure is logged only.
 */
async function configHooks(
  deps: CoreDeps,
  request: UpdateConfigRequest,
): Promise<{ run(triggerName: 'beforeSave' | 'afterSave'): Promise<void> } | undefined> {
  const runner = hooksFor(deps, CONFIG_TRIGGER_CLASS);
  if (runner === undefined) return undefined;
  const encode = encodeOptionsOf(request.origin);
  const current = await cacheOf(deps).get();
  const params: Record<string, ParseValue> = { ...current.params, ...request.set };
  for (const key of request.unset) delete params[key];
  const asJSON = (data: {
    params: Readonly<Record<string, ParseValue>>;
    masterKeyOnly: Readonly<Record<string, boolean>>;
  }) => ({
    className: CONFIG_TRIGGER_CLASS,
    params: Object.fromEntries(Object.entries(data.params).map(([key, value]) => [key, encodeValue(value, encode)])),
    masterKeyOnly: { ...data.masterKeyOnly },
  });
  const object = asJSON({ params, masterKeyOnly: { ...current.masterKeyOnly, ...request.masterKeyOnly } });
  const original = asJSON(current);
  const caller = await hookCaller(deps, { auth: request.auth, origin: request.origin });
  const input = { className: CONFIG_TRIGGER_CLASS, caller, object, original, dirtyKeys: ['params'] };
  return {
    run: async (triggerName) => {
      if (triggerName === 'beforeSave') await runner.beforeSave(input);
      else await runner.afterSave(input);
    },
  };
}
