/**
 * `@strata/server`: Strata as a library, for embedding it in your own Node process. `createStrata(options)`
 * builds a server an existing app mounts (`app.use('/parse', strata.handler)` in express), like Parse Server,
 * from options named and validated as in a config file. Lower level, `createApp` builds one app (storage,
 * caches, cloud code, the HTTP listener) from a `Config`; `resolveOptions` builds that `Config` from the same
 * sources and defaults the `strata` command uses. Nothing here reads the environment, argv or files (the
 * `strata` command does): pass what you read in. Cloud code imports `@strata/server/cloud`; cloud code tests
 * import `@strata/server/testing`.
 *
 * @example
 * import express from 'express';
 * import { createStrata } from '@strata/server';
 * const strata = await createStrata({ appId: 'myApp', masterKey: secret, databaseURI: 'mongodb://localhost/app' });
 * express().use('/parse', strata.handler).listen(1337);
 */
export { createStrata } from './app-embed.js';
export type { Strata, StrataOptions } from './app-embed.js';
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
export type { LiveQueryMetrics, LiveQuerySample, Logger, Metrics } from './infra/index.js';
