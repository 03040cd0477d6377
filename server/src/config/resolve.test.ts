import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { parseCommandLine } from './command-line.js';
import { resolveOptions } from './resolve.js';

const cwd = '/srv/app';

function resolveArgs(argv: string[], env: Record<string, string> = {}, file?: { path: string; values: unknown }) {
  return resolveOptions({ flags: parseCommandLine(argv).flags, env, cwd, ...(file ? { file } : {}) });
}

function configMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ParseError);
    assert.equal(err.code, 162);
    return err.message;
  }
  assert.fail('expected a ParseError');
}

describe('resolveOptions', () => {
  it('applies every default when nothing is configured', () => {
    assert.deepEqual(resolveArgs([]), {
      port: 1337,
      host: '0.0.0.0',
      mountPath: '/parse',
      role: 'all',
      liveQueryPingInterval: 10,
      liveQueryResumeWindow: 60,
      liveQueryResumeEvents: 100,
      liveQueryHandoffGrace: 0,
      liveQueryMaxSubscriptions: 500,
      liveQueryMaxSubQuerySubscriptions: 10,
      liveQueryMaxFrame: 256 * 1024,
      liveQueryMaxConnectionsPerIp: 1000,
      liveQueryMaxQueue: 4 * 1024 * 1024,
      allowOrigin: ['*'],
      dataDir: '/srv/app/.strata',
      dev: false,
      sqliteReadNice: 10,
      sqliteReadIdle: true,
      cloudTimeout: 30_000,
      webhookTimeout: 10_000,
      idempotency: true,
      idempotencyTtl: 300,
      filesDirectory: '/srv/app/.strata/files',
      maxUploadSize: 20 * 1024 * 1024,
      fileUploadPublic: false,
      fileUploadAnonymous: false,
      fileUploadAuthenticated: true,
      preserveFileName: false,
      dashboard: true,
      dashboardUsersFile: '/srv/app/.strata/dashboard-users.json',
      dashboardSessionTtl: 43_200,
      dashboardImportMaxSize: 256 * 1024 * 1024,
      jobTimeout: 3_600_000,
      jobConcurrency: 4,
      jobLockDuration: 30_000,
      jobStalledInterval: 30_000,
      pushConcurrency: 2,
      pushPageSize: 500,
      pushRateLimit: 10_000,
      pushFcmUrl: 'https://fcm.googleapis.com',
      pushApnsProduction: false,
      drainDelay: 0,
      usageFlushInterval: 60,
      databaseURI: 'sqlite:/srv/app/.strata/strata.db',
      databaseConnectTimeout: 5000,
      allowClientClassCreation: false,
      protectedFields: { _User: { '*': ['email'] } },
      masterKeyIps: ['127.0.0.1', '::1'],
      maintenanceKeyIps: ['127.0.0.1', '::1'],
      trustProxy: [],
      outboundAllowIps: [],
      metricsIps: ['127.0.0.1', '::1'],
      emailAdapter: 'log',
      emailPort: 587,
      emailSecure: false,
      verifyUserEmails: false,
      preventLoginWithUnverifiedEmail: false,
      preventSignupWithUnverifiedEmail: false,
      emailVerifySuccessOnInvalidEmail: true,
      enableAnonymousUsers: true,
      passwordHashCost: 10,
      sessionLength: 31_536_000,
      authRateLimit: 600,
      authRateLimitAccount: 60,
      authRateLimitWindow: 60,
      maxBodySize: 20 * 1024 * 1024,
      keepAliveTimeout: 75_000,
      batchMaxRequests: 1000,
      maxNestingDepth: 64,
      defaultLimit: 100,
      maxFieldsPerClass: 1000,
      queryMaxBranches: 500,
      queryMaxInValues: 10_000,
      queryMaxRegexLength: 1000,
      querySubqueryDepth: 5,
      queryMaxCost: 20_000,
      queryTimeLimit: 5000,
      masterQueryTimeLimit: 60_000,
      allowPublicExplain: false,
      slowQueryMs: 200,
      graphQLPath: '/graphql',
      graphQLPublicIntrospection: false,
      graphQLMaxDepth: 15,
      graphQLMaxAliases: 50,
      graphQLMaxComplexity: 2000,
      graphQLMaxBatch: 10,
      graphQLMaxTokens: 10_000,
      graphQLMaxSubscriptions: 100,
      graphQLPersistedOnly: false,
      logLevel: 'info',
    });
  });

  it('ranks flags over env over the config file over defaults', () => {
    const file = { path: 'strata.json', values: { port: 1000, host: '10.0.0.1', mountPath: '/file', role: 'api' } };
    const env = { STRATA_PORT: '2000', STRATA_HOST: '10.0.0.2', STRATA_ROLE: 'worker' };
    const options = resolveArgs(['--port', '3000', '--role=all'], env, file);
    assert.equal(options.port, 3000);
    assert.equal(options.role, 'all');
    assert.equal(options.host, '10.0.0.2');
    assert.equal(options.mountPath, '/file');
  });

  it('reads PORT only when STRATA_PORT is unset', () => {
    assert.equal(resolveArgs([], { PORT: '8080' }).port, 8080);
    assert.equal(resolveArgs([], { PORT: '8080', STRATA_PORT: '9090' }).port, 9090);
  });

  it('treats an empty env var as unset', () => {
    assert.equal(resolveArgs([], { STRATA_REDIS_URL: '' }).redisURL, undefined);
  });

  it('derives the SQLite path from the data dir and resolves relative paths against cwd', () => {
    const options = resolveArgs(['--data-dir', 'var/data']);
    assert.equal(options.dataDir, '/srv/app/var/data');
    assert.equal(options.databaseURI, 'sqlite:/srv/app/var/data/strata.db');
    assert.equal(resolveArgs(['--database-uri', 'sqlite:db/x.db']).databaseURI, 'sqlite:/srv/app/db/x.db');
    assert.equal(resolveArgs(['--database-uri', 'mongodb://db:27017/app']).databaseURI, 'mongodb://db:27017/app');
  });

  it('resolves a cloud path from the config file against the file, one from a flag against cwd', () => {
    assert.equal(
      resolveArgs([], {}, { path: 'conf/strata.json', values: { cloud: 'main.js' } }).cloud,
      '/srv/app/conf/main.js',
    );
    assert.equal(resolveArgs(['--cloud', 'cloud/main.js']).cloud, '/srv/app/cloud/main.js');
  });

  it('parses sizes, lists, booleans and normalizes the mount path', () => {
    const options = resolveArgs([
      '--max-body-size',
      '512kb',
      '--master-key-ips',
      '10.0.0.0/8, ::1',
      '--allow-client-class-creation',
      '--mount-path',
      'api/',
    ]);
    assert.equal(options.maxBodySize, 512 * 1024);
    assert.deepEqual(options.masterKeyIps, ['10.0.0.0/8', '::1']);
    assert.equal(options.allowClientClassCreation, true);
    assert.equal(options.mountPath, '/api');
    assert.equal(resolveArgs(['--max-body-size', '2048']).maxBodySize, 2048);
    assert.equal(resolveArgs([], { STRATA_ALLOW_CLIENT_CLASS_CREATION: 'yes' }).allowClientClassCreation, true);
    assert.equal(
      resolveArgs(['--no-allow-client-class-creation'], { STRATA_ALLOW_CLIENT_CLASS_CREATION: '1' })
        .allowClientClassCreation,
      false,
    );
  });

  it('accepts JSON types in the config file', () => {
    const file = {
      path: 'c.json',
      values: { maxBodySize: 1000, masterKeyIps: ['1.2.3.4'], allowClientClassCreation: true, maxLimit: null },
    };
    const options = resolveArgs([], {}, file);
    assert.equal(options.maxBodySize, 1000);
    assert.deepEqual(options.masterKeyIps, ['1.2.3.4']);
    assert.equal(options.allowClientClassCreation, true);
    assert.equal(options.maxLimit, undefined);
  });

  it('returns a frozen object', () => {
    assert.equal(Object.isFrozen(resolveArgs([])), true);
  });

  it('names the bad option and its source in the error', () => {
    assert.equal(
      configMessage(() => resolveArgs(['--port', 'abc'])),
      '--port: expected an integer between 0 and 65535, got "abc"',
    );
    assert.equal(
      configMessage(() => resolveArgs([], { STRATA_PORT: '70000' })),
      'STRATA_PORT: expected an integer between 0 and 65535, got "70000"',
    );
    assert.equal(
      configMessage(() => resolveArgs([], {}, { path: 'c.json', values: { role: 'boss' } })),
      'c.json: role: expected one of api, live, worker, all, got "boss"',
    );
    assert.equal(
      configMessage(() => resolveArgs(['--max-body-size', '20 parsecs'])),
      '--max-body-size: expected a size like 512kb, 20mb or a number of bytes, got "20 parsecs"',
    );
    assert.equal(
      configMessage(() => resolveArgs(['--database-uri', 'postgres://x'])),
      '--database-uri: expected a URI starting with sqlite: or mongodb:// or mongodb+srv://, got "postgres://x"',
    );
    assert.equal(
      configMessage(() => resolveArgs(['--master-key-ips', '127.0.0.1,localhost'])),
      '--master-key-ips: expected IP addresses or CIDR ranges, got "localhost"',
    );
    assert.equal(
      configMessage(() => resolveArgs(['--mount-path', '/'])),
      '--mount-path: expected a path like /parse, got "/"',
    );
    assert.equal(
      configMessage(() => resolveArgs([], {}, { path: 'c.json', values: { prot: 1 } })),
      'c.json: unknown option "prot"',
    );
    assert.equal(
      configMessage(() => resolveArgs([], {}, { path: 'c.json', values: [1] })),
      'c.json: expected a JSON object of options',
    );
  });

  it('never echoes a secret in an error message', () => {
    assert.equal(
      configMessage(() => resolveArgs([], {}, { path: 'c.json', values: { masterKey: 12345 } })),
      'c.json: masterKey: expected a non-empty string',
    );
  });
});
