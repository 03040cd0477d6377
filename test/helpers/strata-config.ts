/**
 * A complete `Config` for a Strata started inside a test process: ephemeral port on loopback, a temp data
 * dir, known keys, and client class creation on (the compat suite creates classes through the SDK).
 */
import { resolveOptions } from '../../server/src/config/index.js';
import type { Config } from '../../server/src/config/index.js';

/** The keys every in-process test server uses; external servers bring their own. */
export const TEST_KEYS = {
  appId: 'strata-compat-app',
  masterKey: 'strata-compat-master',
  javascriptKey: 'strata-compat-js',
} as const;

export interface TestConfigOptions {
  dataDir: string;
  /** `sqlite:<file>` or `mongodb://host/db`. */
  databaseURI: string;
  /** `--cloud`: the cloud code module to load. */
  cloud?: string;
}

export function buildTestConfig(options: TestConfigOptions): Config {
  // Every option's real default first (so a new option never breaks the tests), then what the suite needs.
  const defaults = resolveOptions({ cwd: options.dataDir, env: {} });
  return Object.freeze({
    ...defaults,
    port: 0,
    host: '127.0.0.1',
    mountPath: '/parse',
    dataDir: options.dataDir,
    databaseURI: options.databaseURI,
    role: 'all',
    appId: TEST_KEYS.appId,
    masterKey: TEST_KEYS.masterKey,
    javascriptKey: TEST_KEYS.javascriptKey,
    allowClientClassCreation: true,
    masterKeyIps: ['127.0.0.1', '::1'],
    maintenanceKeyIps: ['127.0.0.1', '::1'],
    maxBodySize: 20 * 1024 * 1024,
    maxNestingDepth: 64,
    defaultLimit: 100,
    logLevel: 'silent',
    allowOrigin: ['*'],
    ...(options.cloud === undefined ? {} : { cloud: options.cloud }),
  });
}
