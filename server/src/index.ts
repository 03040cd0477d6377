/**
 * `@strata/server`: Strata as a library, for embedding it in your own Node process. `createApp` builds one
 * app (storage, caches, cloud code, the HTTP listener) from a `Config`; `resolveOptions` builds that
 * `Config` from the same sources and defaults the `strata` command uses. It does not read the environment,
 * argv or files itself (the `strata` command does): pass what you read in. Cloud code imports
 * `@strata/server/cloud`; cloud code tests import `@strata/server/testing`.
 *
 * @example
 * import { createApp, createLogger, resolveOptions } from '@strata/server';
 * const options = resolveOptions({ env: process.env, cwd: process.cwd() });
 * const app = await createApp({ config: { ...options, appId: 'myApp', masterKey: secret }, logger: createLogger({ level: 'info' }) });
 * await app.listen();
 */
export { createApp, STRATA_VERSION } from './app.js';
export type { StrataApp } from './app.js';
export type {
  ChangeEvent,
  ChangeFeed,
  ChangeListener,
  ChangeOp,
  StoredObject,
  SubscribeOptions,
} from './core/index.js';
export { OPTIONS, resolveOptions } from './config/index.js';
export type { Config, ConfigSources, LogLevel, ResolvedOptions, ServerRole } from './config/index.js';
export { ErrorCode, ParseError } from './errors/index.js';
export { createLogger } from './infra/index.js';
export type { Logger } from './infra/index.js';
