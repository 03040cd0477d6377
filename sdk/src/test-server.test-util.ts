/**
 * A real Strata server for the SDK's tests, started in-process on a free loopback port: a temp SQLite
 * file, or a fresh database on the FerretDB/MongoDB of STRATA_TEST_MONGODB_URI. Mail goes to an in-memory
 * adapter the tests read. Not part of the build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The server is loaded by a computed path so the SDK's type program (DOM libs, browser-first) does not
 * typecheck the server's Node-only sources; the server's own tsconfig checks them. These are the few
 * server types the tests use.
 */
interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}
type Config = Record<string, unknown>;
export interface CloudRegistry {
  defineFunction(options: {
    name: string;
    handler: (request: { params: Record<string, unknown> }) => Promise<{ result: unknown }>;
    source: 'strata';
  }): void;
  defineJob(options: {
    name: string;
    handler: (request: { params: Record<string, unknown> }) => Promise<unknown>;
    source: 'strata';
  }): void;
}
interface ServerModules {
  app: {
    createApp(
      options: Record<string, unknown>,
    ): Promise<{ listen(): Promise<{ port: number }>; close(): Promise<void> }>;
  };
  infra: { createLogger(options: { level: string }): unknown };
  testing: {
    testConfig(options: { dir: string; databaseURI: string; appId: string; masterKey: string }): Config;
    testDatabaseURI(options: { backend: string | undefined; dir: string; prefix: string }): string;
  };
}

async function loadServer(): Promise<ServerModules> {
  const src = new URL('../../server/src/', import.meta.url).href;
  const load = (path: string): Promise<unknown> => import(`${src}${path}`);
  const [app, infra, testing] = await Promise.all([
    load('app.ts'),
    load('infra/index.ts'),
    load('testing/test-config.test-util.ts'),
  ]);
  return { app, infra, testing } as ServerModules;
}

export const APP_ID = 'sdk-test-app';
export const MASTER_KEY = 'sdk-test-master-key';
export const CLIENT_KEY = 'sdk-test-client-key';

export type Backend = 'sqlite' | 'mongodb';

export interface SdkTestServer {
  readonly serverURL: string;
  readonly mails: EmailMessage[];
  close(): Promise<void>;
}

/** The backends to run a suite on, with the reason MongoDB is skipped (printed) when it is. */
export function backends(): Array<{ backend: Backend; skip: string | false }> {
  const mongoMissing =
    process.env['STRATA_TEST_MONGODB_URI'] === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1';
  return [
    { backend: 'sqlite', skip: false },
    { backend: 'mongodb', skip: mongoMissing ? 'STRATA_TEST_MONGODB_URI is not set' : false },
  ];
}

export async function startServer(
  options: { backend?: Backend; config?: Partial<Config>; cloud?: (registry: CloudRegistry) => void } = {},
): Promise<SdkTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-sdk-'));
  const mongo = process.env['STRATA_TEST_MONGODB_URI'];
  if (options.backend === 'mongodb' && mongo === undefined) {
    throw new Error('STRATA_TEST_MONGODB_URI is required for the MongoDB suite (STRATA_REQUIRE_SERVICES=1)');
  }
  const { app: server, infra, testing } = await loadServer();
  const databaseURI = testing.testDatabaseURI({ backend: options.backend, dir, prefix: 'strata_sdk_' });
  const mails: EmailMessage[] = [];
  const config: Config = {
    ...testing.testConfig({ dir, databaseURI, appId: APP_ID, masterKey: MASTER_KEY }),
    clientKey: CLIENT_KEY,
    javascriptKey: CLIENT_KEY,
    restAPIKey: CLIENT_KEY,
    allowClientClassCreation: true,
    allowOrigin: ['*'],
    appName: 'SDK Test',
    // The cheapest bcrypt cost: the suites sign up many users on a shared machine.
    passwordHashCost: 4,
    ...options.config,
  };
  const app = await server.createApp({
    config,
    logger: infra.createLogger({ level: 'silent' }),
    email: {
      kind: 'memory',
      send: (message: EmailMessage) => {
        mails.push(message);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    },
    ...(options.cloud === undefined ? {} : { cloudSetup: options.cloud }),
  });
  const { port } = await app.listen();
  return {
    serverURL: `http://127.0.0.1:${port}/parse`,
    mails,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
