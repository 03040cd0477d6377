/**
 * The config and database every in-process test server starts from, shared by the server's harnesses and
 * the SDK's (which loads this file by a computed path). Not part of the build.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { resolveOptions } from '../config/index.js';
import type { Config } from '../config/index.js';

export interface TestConfigOptions {
  /** The test's temp directory: the defaults' cwd and the data dir. */
  readonly dir: string;
  readonly databaseURI: string;
  readonly appId: string;
  readonly masterKey: string;
}

/**
 * Every option's real default first (a new option never needs touching the tests), then a loopback server
 * on a free port mounted at `/parse`, the master and maintenance keys accepted from loopback, small limits
 * and silent logs. Callers spread their own settings over it.
 */
export function testConfig(options: TestConfigOptions): Config {
  const { dir } = options;
  return {
    ...resolveOptions({ cwd: dir, env: {} }),
    port: 0,
    host: '127.0.0.1',
    mountPath: '/parse',
    dataDir: dir,
    databaseURI: options.databaseURI,
    role: 'all',
    appId: options.appId,
    masterKey: options.masterKey,
    masterKeyIps: ['127.0.0.1', '::1'],
    maintenanceKeyIps: ['127.0.0.1', '::1'],
    maxBodySize: 1024 * 1024,
    maxNestingDepth: 32,
    defaultLimit: 100,
    logLevel: 'silent',
    // Reads on the main connection: a read thread loads tsx afresh in every test app (about a second each under
    // load). The read pool has its own suites (storage/sqlite/read-pool.test.ts, main-cluster.test.ts).
    sqliteReadThreads: 0,
  };
}

/**
 * A fresh database: a new, randomly named one (`<prefix><hex>`) on the MongoDB of STRATA_TEST_MONGODB_URI
 * when `backend` is `mongodb` and that is set, else a SQLite file in `dir`.
 */
export function testDatabaseURI(options: { backend: string | undefined; dir: string; prefix: string }): string {
  const mongo = process.env['STRATA_TEST_MONGODB_URI'];
  return options.backend === 'mongodb' && mongo !== undefined
    ? `${mongo.replace(/\/+$/, '')}/${options.prefix}${randomBytes(6).toString('hex')}`
    : `sqlite:${join(options.dir, 'strata.db')}`;
}
