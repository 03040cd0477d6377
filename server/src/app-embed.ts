/**
 * Strata inside an existing Node app, as Parse Server is used: `createStrata(options)` builds the whole
 * server from the same option names as a config file (validated the same way) and hands back a request
 * handler to mount (`app.use('/parse', strata.handler)` in express 5, or any `node:http` server), plus the
 * standalone `listen()` that `strata start` uses. Express is never imported here: only apps that mount
 * Strata load it, so the standalone server's cold start does not pay for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createApp } from './app.js';
import type { CloudRegistry } from './cloud/index.js';
import { requireConfiguredKeys, resolveOptions } from './config/index.js';
import type { Config } from './config/index.js';
import { createLogger } from './infra/index.js';
import type { Logger, Metrics } from './infra/index.js';

/** Options by their config-file names (`strata --help` lists them); `appId` and `masterKey` are required. */
export type StrataOptions = { readonly [K in keyof Config]?: Config[K] } & {
  readonly appId: string;
  readonly masterKey: string;
};

export interface Strata {
  /**
   * Serves a request whose URL is relative to the mount (express strips the mount path). Every request is
   * answered (Parse errors for unknown routes), so `next` is never called. Mount it at `mountPath`
   * (default `/parse`), or set `publicServerURL`, so the URLs Strata writes (files, emails) are right.
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;
  /** The Prometheus registry `/metrics` serves (`<mount>/metrics` when mounted). */
  readonly metrics: Metrics;
  /** Also serve on Strata's own port (`port`, `host`): the standalone server. */
  listen(): Promise<{ port: number; host: string }>;
  /** Drains and stops: finishes in-flight work, writes the usage meter, closes the database. */
  close(): Promise<void>;
}

/**
 * Builds a Strata server from options; rejects with a clear message on an invalid option.
 *
 * @example
 * import express from 'express';
 * import { createStrata } from '@strata/server';
 * const strata = await createStrata({ appId: 'myApp', masterKey: process.env.MASTER_KEY, databaseURI: 'mongodb://localhost/app' });
 * const app = express();
 * app.use('/parse', strata.handler);
 * app.listen(1337);
 */
export async function createStrata(
  options: StrataOptions,
  extras: {
    /** Defaults to JSON lines on stdout at `logLevel`. */
    readonly logger?: Logger;
    /** Registers cloud code in code, besides (or instead of) the `cloud` module path. */
    readonly cloud?: (registry: CloudRegistry) => void | Promise<void>;
  } = {},
): Promise<Strata> {
  const config = requireConfiguredKeys(
    resolveOptions({ file: { path: 'createStrata()', values: options }, env: {}, cwd: process.cwd() }),
  );
  const logger = extras.logger ?? createLogger({ level: config.logLevel });
  const app = await createApp({
    config,
    logger,
    ...(extras.cloud === undefined ? {} : { cloudSetup: extras.cloud }),
  });
  return {
    handler: (req, res) => app.handler(req, res),
    metrics: app.metrics,
    listen: () => app.listen(),
    close: () => app.close(),
  };
}
