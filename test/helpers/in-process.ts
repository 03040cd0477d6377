/**
 * Starts a Strata app inside the test process through `createApp` from `server/src/app.ts`, on its own
 * temp data dir and (for MongoDB) its own database, and tears both down on close.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { MongoClient } from 'mongodb';
import type { AuthProvider } from '../../server/src/auth/index.js';
import type { Config } from '../../server/src/config/index.js';
import { buildTestConfig, TEST_KEYS } from './strata-config.js';
import type { CompatTarget } from './target.js';

interface StrataApp {
  listen(): Promise<{ port: number; host: string }>;
  close(): Promise<void>;
}
type CreateApp = (options: {
  config: Config;
  logger: Logger;
  authProviders?: StartOptions['authProviders'];
}) => Promise<StrataApp>;

// A variable specifier keeps the suite compilable (and runnable against an external server) while
// `app.ts` is still being written; the shape is checked at runtime below.
const APP_MODULE = '../../server/src/app.js';

async function loadCreateApp(): Promise<CreateApp> {
  let mod: unknown;
  try {
    mod = await import(new URL(APP_MODULE, import.meta.url).href);
  } catch (err) {
    throw new Error(`cannot load ${APP_MODULE} (is createApp written yet?)`, { cause: err });
  }
  if (typeof mod !== 'object' || mod === null || !('createApp' in mod) || typeof mod.createApp !== 'function') {
    throw new Error(`${APP_MODULE} does not export createApp`);
  }
  return mod.createApp as CreateApp;
}

export type Backend = { kind: 'sqlite' } | { kind: 'mongodb'; uri: string };

export interface StartOptions {
  /** A cloud code module the server loads, as `strata start --cloud <file>` does. */
  cloud?: string;
  /** Extra options for the server (e.g. push providers pointed at local fakes). */
  config?: Partial<Config>;
  /** Third-party log-in providers written in code (`createApp`'s `authProviders`). */
  authProviders?: Readonly<Record<string, AuthProvider>>;
}

/** Puts a fresh database name into a MongoDB URI (keeping host list and query options). */
function withDatabase(uri: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${match[1]}/${database}${match[2] ?? ''}`;
}

/** FerretDB answers `buildInfo` with a `ferretdbVersion` field; real MongoDB does not. */
async function isFerretDB(uri: string): Promise<boolean> {
  const client = new MongoClient(uri);
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return 'ferretdbVersion' in info;
  } finally {
    await client.close();
  }
}

export async function startInProcess(backend: Backend, options: StartOptions = {}): Promise<CompatTarget> {
  const createApp = await loadCreateApp();
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-compat-'));
  const databaseName = `strata_test_compat_${randomBytes(6).toString('hex')}`;
  const databaseURI =
    backend.kind === 'sqlite' ? `sqlite:${join(dataDir, 'strata.db')}` : withDatabase(backend.uri, databaseName);
  const app = await createApp({
    config: {
      ...buildTestConfig({ dataDir, databaseURI, ...(options.cloud === undefined ? {} : { cloud: options.cloud }) }),
      ...options.config,
    },
    // STRATA_COMPAT_LOG=<level> shows the server's own log (e.g. the cause behind a code-1 response).
    logger: pino({ level: process.env['STRATA_COMPAT_LOG'] ?? 'silent' }, process.stderr),
    ...(options.authProviders === undefined ? {} : { authProviders: options.authProviders }),
  });
  let address: { port: number; host: string };
  try {
    address = await app.listen();
  } catch (err) {
    await app.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const ferret = backend.kind === 'mongodb' && (await isFerretDB(databaseURI));
  return {
    label: `strata in-process (${backend.kind})`,
    ...(ferret ? { nestedArraysUnsupported: 'FerretDB 1.x cannot store nested arrays (covered on SQLite)' } : {}),
    serverURL: `http://127.0.0.1:${address.port}/parse`,
    appId: TEST_KEYS.appId,
    masterKey: TEST_KEYS.masterKey,
    javascriptKey: TEST_KEYS.javascriptKey,
    async close() {
      await app.close();
      if (backend.kind === 'mongodb') {
        const client = new MongoClient(databaseURI);
        try {
          await client.db(databaseName).dropDatabase();
        } finally {
          await client.close();
        }
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
