// The servers the benchmark compares. Each target knows how to check it can run here, make a fresh empty
// store (SQLite data dir, FerretDB database, PostgreSQL database), spawn its server on a loopback port, and
// clean up. Load generation and reporting live elsewhere.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { pidsByCommand } from './cpu.js';
import { freePort, spawnProcess, stopProcess, waitForTcp } from './processes.js';

const run = promisify(execFile);

export const TARGET_NAMES = ['strata-sqlite', 'strata-mongo', 'parse-server'];
/**
 * Targets run only when named: `strata-sqlite-logged` is strata-sqlite with the access log on (`--log-level
 * info`, one JSON line per request written to a file), to measure what the log costs next to strata-sqlite;
 * `strata-sqlite-baseline` is strata-sqlite from the built checkout `--baseline` names, to measure a change
 * against the code before it in the same run.
 */
export const EXTRA_TARGET_NAMES = ['strata-sqlite-logged', 'strata-sqlite-baseline'];
export const MOUNT = '/parse';

// The login scenario logs in as one user from one IP far beyond any sane per-account or per-IP budget,
// so the log-in rate limits are off for the benchmark (parse-server has none by default).
const STRATA_ENV = { NODE_ENV: 'production', STRATA_AUTH_RATE_LIMIT: '0', STRATA_AUTH_RATE_LIMIT_ACCOUNT: '0' };

const randomSuffix = () => randomBytes(4).toString('hex');

function strataArgs(ctx, { port, dataDir, databaseURI, cpuProf, logLevel = 'warn', root = ctx.repoRoot }) {
  const args = [];
  if (cpuProf) args.push('--cpu-prof', '--cpu-prof-dir', ctx.cpuProfDir);
  args.push(
    path.join(root, 'server/bin/strata.js'),
    'start',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    '--app-id',
    ctx.appId,
    '--master-key',
    ctx.masterKey,
    '--client-key',
    ctx.clientKey,
    '--rest-api-key',
    ctx.clientKey,
    '--allow-client-class-creation',
    // One process, as parse-server runs here (NODE_ENV=production would start one worker per core, and the
    // CPU accounting follows the server's own pid); bench/compare.js measures 1 against N workers.
    '--workers',
    '1',
    '--log-level',
    logLevel,
    '--cloud',
    path.join(ctx.benchDir, 'cloud/main.js'),
  );
  if (databaseURI) args.push('--database-uri', databaseURI);
  return args;
}

function strataMissing(ctx, root = ctx.repoRoot) {
  const bin = path.join(root, 'server/bin/strata.js');
  return existsSync(bin) ? null : `${bin} does not exist yet (run \`npm run build\` once Strata's CLI lands)`;
}

function strataSqlite(ctx, { logged = false, baseline = false } = {}) {
  const name = logged ? 'strata-sqlite-logged' : baseline ? 'strata-sqlite-baseline' : 'strata-sqlite';
  const root = baseline ? ctx.baselineRoot : ctx.repoRoot;
  return {
    name,
    databasePids: () => [],
    async setup() {
      if (root === undefined) return { ok: false, reason: 'needs --baseline <a built checkout to compare with>' };
      const reason = strataMissing(ctx, root);
      return reason ? { ok: false, reason } : { ok: true };
    },
    async createStore() {
      const dataDir = mkdtempSync(path.join(ctx.tmpRoot, 'strata-sqlite-'));
      return { label: dataDir, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
    spawn({ port, store, cpuProf }) {
      return spawnProcess({
        name,
        command: process.execPath,
        cwd: root,
        env: STRATA_ENV,
        args: strataArgs(ctx, { port, dataDir: store.dataDir, cpuProf, root, ...(logged ? { logLevel: 'info' } : {}) }),
        // A real deployment writes its log to a file or a collector, not back into the load generator.
        ...(logged ? { stdoutPath: path.join(store.dataDir, 'access.log') } : {}),
      });
    },
    async teardown() {},
  };
}

function strataMongo(ctx) {
  let ferret = null;
  let ferretPort = 0;
  let ferretDir = '';
  return {
    name: 'strata-mongo',
    databasePids: () => (ferret?.child.pid ? [ferret.child.pid] : []),
    async setup() {
      const reason = strataMissing(ctx);
      if (reason) return { ok: false, reason };
      if (!existsSync(ctx.ferretdbBin)) {
        return { ok: false, reason: `FerretDB binary not found at ${ctx.ferretdbBin} (set FERRETDB_BIN)` };
      }
      ferretDir = mkdtempSync(path.join(ctx.tmpRoot, 'ferretdb-'));
      ferretPort = await freePort();
      const debugPort = await freePort();
      ferret = spawnProcess({
        name: 'ferretdb',
        command: ctx.ferretdbBin,
        cwd: ferretDir,
        env: {},
        args: [
          '--handler=sqlite',
          `--sqlite-url=file:${ferretDir}/`,
          '--telemetry=disable',
          `--listen-addr=127.0.0.1:${ferretPort}`,
          `--debug-addr=127.0.0.1:${debugPort}`,
          `--state-dir=${ferretDir}`,
          '--log-level=WARN',
        ],
      });
      try {
        await waitForTcp(ferret, ferretPort);
      } catch (err) {
        await this.teardown();
        return { ok: false, reason: `FerretDB did not start: ${err.message}` };
      }
      return { ok: true };
    },
    async createStore() {
      const dataDir = mkdtempSync(path.join(ctx.tmpRoot, 'strata-mongo-'));
      const databaseURI = `mongodb://127.0.0.1:${ferretPort}/bench_${randomSuffix()}`;
      // The whole FerretDB directory is deleted in teardown, so the database itself needs no drop.
      return {
        label: databaseURI,
        dataDir,
        databaseURI,
        drop: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    },
    spawn({ port, store, cpuProf }) {
      return spawnProcess({
        name: 'strata-mongo',
        command: process.execPath,
        cwd: ctx.repoRoot,
        env: STRATA_ENV,
        args: strataArgs(ctx, { port, dataDir: store.dataDir, databaseURI: store.databaseURI, cpuProf }),
      });
    },
    async teardown() {
      if (ferret) await stopProcess(ferret);
      ferret = null;
      if (ferretDir) rmSync(ferretDir, { recursive: true, force: true });
    },
  };
}

async function psql(ctx, sql) {
  await run('psql', [
    '-h',
    ctx.pgHost,
    '-p',
    String(ctx.pgPort),
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-qAt',
    '-c',
    sql,
  ]);
}

function parseServer(ctx) {
  return {
    name: 'parse-server',
    // Every postgres process on the machine: other engineers' test databases would be counted too.
    databasePids: () => pidsByCommand('postgres'),
    async setup() {
      if (!existsSync(path.join(ctx.benchDir, 'node_modules/parse-server/package.json'))) {
        return { ok: false, reason: 'parse-server is not installed (run `cd bench && npm install`)' };
      }
      try {
        await psql(ctx, 'select 1');
      } catch (err) {
        return { ok: false, reason: `PostgreSQL not reachable at ${ctx.pgHost}:${ctx.pgPort}: ${err.message.trim()}` };
      }
      return { ok: true };
    },
    async createStore() {
      const db = `parse_bench_${randomSuffix()}`;
      await psql(ctx, `create database ${db}`);
      return {
        label: db,
        databaseURI: `postgres://postgres@${ctx.pgHost}:${ctx.pgPort}/${db}`,
        drop: () => psql(ctx, `drop database if exists ${db} with (force)`),
      };
    },
    spawn({ port, store, cpuProf }) {
      const args = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', ctx.cpuProfDir] : [];
      args.push(
        path.join(ctx.benchDir, 'parse-server.js'),
        '--port',
        String(port),
        '--database-uri',
        store.databaseURI,
        '--app-id',
        ctx.appId,
        '--master-key',
        ctx.masterKey,
        '--client-key',
        ctx.clientKey,
        '--mount',
        MOUNT,
        '--logs-folder',
        path.join(ctx.tmpRoot, 'parse-server-logs'),
        '--cloud',
        path.join(ctx.benchDir, 'cloud/main.js'),
      );
      // parse-server's default logger is set up at import time from this env var, before any option applies.
      const env = { NODE_ENV: 'production', PARSE_SERVER_LOGS_FOLDER: path.join(ctx.tmpRoot, 'parse-server-logs') };
      return spawnProcess({ name: 'parse-server', command: process.execPath, cwd: ctx.benchDir, env, args });
    },
    async teardown() {},
  };
}

const FACTORIES = {
  'strata-sqlite': strataSqlite,
  'strata-sqlite-logged': (ctx) => strataSqlite(ctx, { logged: true }),
  'strata-sqlite-baseline': (ctx) => strataSqlite(ctx, { baseline: true }),
  'strata-mongo': strataMongo,
  'parse-server': parseServer,
};

/** `ctx`: { repoRoot, baselineRoot?, benchDir, tmpRoot, cpuProfDir, appId, masterKey, clientKey, ferretdbBin, pgHost, pgPort }. */
export function createTarget(name, ctx) {
  const factory = FACTORIES[name];
  if (!factory)
    throw new Error(`unknown target ${name}; known: ${[...TARGET_NAMES, ...EXTRA_TARGET_NAMES].join(', ')}`);
  return factory(ctx);
}
