#!/usr/bin/env node
// Strata (1 worker and N workers, SQLite) side by side with PocketBase (Go + SQLite) and parse-server
// (PostgreSQL) in one run: the same four scenarios on each server's own API, 32 connections, each server's
// CPU (its process and, for Strata's workers, every child process) recorded beside the numbers.
//
//   node bench/compare.js [--targets strata-1,strata-n,pocketbase,parse-server] [--duration 10] [--rows 10000]
//                         [--workers N (default: cores)] [--pocketbase <binary>] [--out bench/results/<ts>-compare.json]
//                         [--client wrk|autocannon] [--wrk-threads 1]
//
// The load generator (lib/load-client.js) is wrk by default: a separate C process driven by a Lua script generated
// per scenario (lib/wrk.js), which takes a fraction of the CPU autocannon (JavaScript, in this process, kept as
// `--client autocannon`) takes on the same cores as the servers. The results file names the client; a socket
// error (connect, read, write, timeout) during a measurement fails that target, non-2xx answers are counted.
//
// One command, unattended: it rebuilds Strata's dist when a source is newer (scripts/build-if-stale.js),
// builds PocketBase v0.39.0 from the Go module proxy into ~/.cache/strata-bench when no binary is given
// (`go install github.com/pocketbase/pocketbase/examples/base@v0.39.0`, a few minutes once), and installs
// parse-server into bench/node_modules (`npm ci` in bench/) when it is missing. PostgreSQL must be listening
// on 127.0.0.1:5432 (user postgres) for parse-server.
//
// Scenarios (run in this order, so `increment` and `create` do not change what `get` and `top20` read):
//   get        one record by id, cycling through the seeded ids
//   top20      the 20 highest scores, with an index on score (Parse: order=-score&limit=20; PocketBase:
//              sort=-score&perPage=20&skipTotal=1)
//   increment  score + 1 on a record by id (Parse: {"score":{"__op":"Increment","amount":1}}; PocketBase: {"score+":1})
//   create     one new record
// Every target gets public rules for these operations (Parse: the client key and default CLPs; PocketBase:
// empty-string rules) and a fresh store seeded with `--rows` records {score: i, name, counter: 0, tag}.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { descendantPids, pidsByCommand, startCpuAccounting } from './lib/cpu.js';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';
import { json } from './lib/http-json.js';
import { CLIENTS, describeClient, runLoad } from './lib/load-client.js';
import { reportLoadAverage, writeResults } from './lib/run-output.js';
import { startStrata } from './lib/strata-server.js';

const run = promisify(execFile);
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const SCENARIOS = ['get', 'top20', 'increment', 'create'];

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'strata-1,strata-n,pocketbase,parse-server' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rows: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '32' },
    workers: { type: 'string', default: String(availableParallelism()) },
    pocketbase: { type: 'string', default: process.env.POCKETBASE_BIN },
    'cpu-prof': { type: 'boolean', default: false },
    client: { type: 'string', default: 'wrk' },
    'wrk-threads': { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const opts = {
  targets: values.targets.split(','),
  duration: Number(values.duration),
  warmup: Number(values.warmup),
  rows: Number(values.rows),
  connections: Number(values.connections),
  workers: Number(values.workers),
  pocketbase: values.pocketbase,
  cpuProf: values['cpu-prof'],
  client: values.client,
  wrkThreads: Number(values['wrk-threads']),
};
if (!CLIENTS.includes(opts.client)) throw new Error(`--client: expected one of ${CLIENTS.join(', ')}`);
const POCKETBASE_VERSION = 'v0.39.0';

/** Runs `command` with its output shown (builds and installs before the measurement). */
async function step(what, [command, ...args], options = {}) {
  process.stdout.write(`${what}: ${command} ${args.join(' ')}\n`);
  const { stdout, stderr } = await run(command, args, { maxBuffer: 64 * 1024 * 1024, ...options });
  const text = `${stdout}${stderr}`.trim();
  if (text !== '') process.stdout.write(`${text.split('\n').slice(-5).join('\n')}\n`);
}

/** The PocketBase binary: --pocketbase / POCKETBASE_BIN, else built once from the Go module proxy. */
async function pocketbaseBinary() {
  if (opts.pocketbase !== undefined) return opts.pocketbase;
  const dir = path.join(homedir(), '.cache/strata-bench', `pocketbase-${POCKETBASE_VERSION}`);
  const bin = path.join(dir, 'base');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  await step(
    'building PocketBase',
    ['go', 'install', `github.com/pocketbase/pocketbase/examples/base@${POCKETBASE_VERSION}`],
    {
      env: { ...process.env, GOBIN: dir },
      cwd: tmpdir(),
    },
  );
  return bin;
}

async function prepare() {
  await step('Strata build (if stale)', [process.execPath, path.join(repoRoot, 'scripts/build-if-stale.js')], {
    cwd: repoRoot,
  });
  if (
    opts.targets.includes('parse-server') &&
    !existsSync(path.join(benchDir, 'node_modules/parse-server/package.json'))
  )
    await step('installing parse-server', ['npm', 'ci', '--no-audit', '--no-fund'], { cwd: benchDir });
  if (opts.targets.includes('pocketbase')) opts.pocketbase = await pocketbaseBinary();
}

const tmpRoot = mkdtempSync(path.join(tmpdir(), 'strata-compare-'));
const cpuProfDir = path.join(benchDir, 'results/tmp');
const ctx = {
  appId: 'bench',
  masterKey: `mk-${randomBytes(8).toString('hex')}`,
  clientKey: `ck-${randomBytes(8).toString('hex')}`,
};

async function inParallel(count, inFlight, work) {
  let next = 0;
  const out = new Array(count);
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

const row = (i) => ({ score: i, name: `item-${i}`, counter: 0, tag: `t${i % 8}` });

// ---- Parse-protocol targets (Strata, parse-server) ----

function parseApi(baseUrl) {
  const client = { 'X-Parse-Application-Id': ctx.appId, 'X-Parse-REST-API-Key': ctx.clientKey };
  const master = { 'X-Parse-Application-Id': ctx.appId, 'X-Parse-Master-Key': ctx.masterKey };
  const mount = new URL(baseUrl).pathname;
  return {
    async seed(rows) {
      await json(`${baseUrl}/schemas/BenchItem`, {
        method: 'POST',
        headers: master,
        body: {
          className: 'BenchItem',
          fields: {
            score: { type: 'Number' },
            name: { type: 'String' },
            counter: { type: 'Number' },
            tag: { type: 'String' },
          },
          indexes: { score_1: { score: 1 } },
        },
      });
      const batches = Math.ceil(rows / 50);
      const ids = [];
      await inParallel(batches, 4, async (b) => {
        const requests = [];
        for (let i = b * 50; i < Math.min(rows, b * 50 + 50); i++)
          requests.push({ method: 'POST', path: `${mount}/classes/BenchItem`, body: row(i) });
        const answer = await json(`${baseUrl}/batch`, { method: 'POST', headers: master, body: { requests } });
        answer.forEach((item, k) => (ids[b * 50 + k] = item.success.objectId));
      });
      return ids;
    },
    requests(ids) {
      const byId = ids.map((id) => `${mount}/classes/BenchItem/${id}`);
      return {
        get: { method: 'GET', headers: client, paths: byId },
        top20: { method: 'GET', headers: client, path: `${mount}/classes/BenchItem?order=-score&limit=20` },
        increment: {
          method: 'PUT',
          headers: { ...client, 'Content-Type': 'application/json' },
          body: JSON.stringify({ score: { __op: 'Increment', amount: 1 } }),
          paths: byId,
        },
        create: {
          method: 'POST',
          headers: { ...client, 'Content-Type': 'application/json' },
          path: `${mount}/classes/BenchItem`,
          body: JSON.stringify({ name: 'created', score: -1, counter: 0, tag: 'new' }),
        },
      };
    },
    async check(ids) {
      const got = await json(`${baseUrl}/classes/BenchItem/${ids[5]}`, { headers: client });
      if (got.score !== 5) throw new Error(`get check: ${JSON.stringify(got)}`);
      const top = await json(`${baseUrl}/classes/BenchItem?order=-score&limit=20`, { headers: client });
      if (top.results.length !== 20 || top.results[0].score !== opts.rows - 1) throw new Error('top20 check');
    },
  };
}

function strataTarget(workers) {
  return {
    name: workers === 1 ? 'strata-1' : `strata-${workers}`,
    label: `Strata, ${workers} worker${workers === 1 ? '' : 's'} (SQLite)`,
    async start(port) {
      const dataDir = mkdtempSync(path.join(tmpRoot, 'strata-'));
      const { proc, baseUrl } = await startStrata({
        repoRoot,
        ctx,
        port,
        dataDir,
        workers,
        nodeArgs: opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [],
        env: { STRATA_AUTH_RATE_LIMIT: '0', STRATA_AUTH_RATE_LIMIT_ACCOUNT: '0' },
      });
      return {
        proc,
        api: parseApi(baseUrl),
        stop: async () => (await stopProcess(proc), rmSync(dataDir, { recursive: true, force: true })),
      };
    },
  };
}

async function psql(sql) {
  await run('psql', ['-h', '127.0.0.1', '-p', '5432', '-U', 'postgres', '-d', 'postgres', '-qAt', '-c', sql]);
}

const parseServerTarget = {
  name: 'parse-server',
  label: 'parse-server 9.10 (PostgreSQL)',
  async start(port) {
    if (!existsSync(path.join(benchDir, 'node_modules/parse-server/package.json')))
      throw new Error('parse-server is not installed (cd bench && npm install)');
    const db = `parse_cmp_${randomBytes(4).toString('hex')}`;
    await psql(`create database ${db}`);
    const logs = path.join(tmpRoot, 'parse-server-logs');
    const proc = spawnProcess({
      name: 'parse-server',
      command: process.execPath,
      cwd: benchDir,
      env: { NODE_ENV: 'production', PARSE_SERVER_LOGS_FOLDER: logs },
      args: [
        ...(opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []),
        path.join(benchDir, 'parse-server.js'),
        ...['--port', String(port), '--database-uri', `postgres://postgres@127.0.0.1:5432/${db}`],
        ...['--app-id', ctx.appId, '--master-key', ctx.masterKey, '--client-key', ctx.clientKey, '--mount', '/parse'],
        ...['--logs-folder', logs],
      ],
    });
    const baseUrl = `http://127.0.0.1:${port}/parse`;
    await waitForHttp200(proc, `${baseUrl}/health`);
    return {
      proc,
      api: parseApi(baseUrl),
      databasePids: () => pidsByCommand('postgres'),
      stop: async () => (await stopProcess(proc), await psql(`drop database if exists ${db} with (force)`)),
    };
  },
};

// ---- PocketBase ----

const pocketbaseTarget = {
  name: 'pocketbase',
  label: 'PocketBase v0.39.0 (Go, SQLite)',
  async start(port) {
    if (!existsSync(opts.pocketbase)) {
      throw new Error(
        `no PocketBase binary at ${opts.pocketbase}: GOBIN=<dir> go install github.com/pocketbase/pocketbase/examples/base@v0.39.0`,
      );
    }
    const dir = mkdtempSync(path.join(tmpRoot, 'pb-'));
    const email = 'bench@example.com';
    const password = `pw-${randomBytes(8).toString('hex')}`;
    await run(opts.pocketbase, ['superuser', 'upsert', email, password, '--dir', dir]);
    const proc = spawnProcess({
      name: 'pocketbase',
      command: opts.pocketbase,
      cwd: dir,
      env: {},
      args: ['serve', '--http', `127.0.0.1:${port}`, '--dir', dir, '--dev=false'],
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp200(proc, `${base}/api/health`);
    const { token } = await json(`${base}/api/collections/_superusers/auth-with-password`, {
      method: 'POST',
      body: { identity: email, password },
    });
    const admin = { Authorization: token };
    await json(`${base}/api/collections`, {
      method: 'POST',
      headers: admin,
      body: {
        name: 'bench',
        type: 'base',
        fields: [
          { name: 'score', type: 'number' },
          { name: 'name', type: 'text' },
          { name: 'counter', type: 'number' },
          { name: 'tag', type: 'text' },
        ],
        indexes: ['CREATE INDEX idx_bench_score ON bench (score)'],
        // Empty-string rules: anyone may (PocketBase's "public"); null would be superusers only.
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
      },
    });
    const records = `${base}/api/collections/bench/records`;
    const api = {
      async seed(rows) {
        return inParallel(
          rows,
          8,
          async (i) => (await json(records, { method: 'POST', headers: admin, body: row(i) })).id,
        );
      },
      requests(ids) {
        const prefix = '/api/collections/bench/records';
        const byId = ids.map((id) => `${prefix}/${id}`);
        return {
          get: { method: 'GET', paths: byId },
          top20: { method: 'GET', path: `${prefix}?sort=-score&perPage=20&skipTotal=1` },
          increment: {
            method: 'PATCH',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ 'score+': 1 }),
            paths: byId,
          },
          create: {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            path: prefix,
            body: JSON.stringify({ name: 'created', score: -1, counter: 0, tag: 'new' }),
          },
        };
      },
      async check(ids) {
        const got = await json(`${records}/${ids[5]}`);
        if (got.score !== 5) throw new Error(`get check: ${JSON.stringify(got)}`);
        const top = await json(`${records}?sort=-score&perPage=20&skipTotal=1`);
        if (top.items.length !== 20 || top.items[0].score !== opts.rows - 1) throw new Error('top20 check');
      },
    };
    return { proc, api, stop: async () => (await stopProcess(proc), rmSync(dir, { recursive: true, force: true })) };
  },
};

// ---- the run ----

function targetOf(name) {
  if (name === 'strata-1') return strataTarget(1);
  if (name === 'strata-n') return strataTarget(opts.workers);
  if (name === 'pocketbase') return pocketbaseTarget;
  if (name === 'parse-server') return parseServerTarget;
  throw new Error(`unknown target ${name}`);
}

/** One run of the chosen client; socket errors make the measurement worthless, so they fail the target. */
async function load(origin, request, duration) {
  const { client, wrkThreads, connections } = opts;
  const r = await runLoad({ client, wrkThreads, origin, connections, duration, request });
  if (r.errors > 0)
    throw new Error(`${r.errors} socket errors from ${client} (${JSON.stringify(r.socketErrors ?? {})})`);
  return r;
}

async function runTarget(target) {
  const port = await freePort();
  const server = await target.start(port);
  const origin = `http://127.0.0.1:${port}`;
  try {
    process.stdout.write(`${target.label}: seeding ${opts.rows} rows\n`);
    const ids = await server.api.seed(opts.rows);
    await server.api.check(ids);
    const requests = server.api.requests(ids);
    const out = {};
    for (const name of SCENARIOS) {
      if (opts.warmup > 0) await load(origin, requests[name], opts.warmup);
      const pid = server.proc.child.pid;
      const cpu = startCpuAccounting(pid, {
        databasePids: () => [...descendantPids(pid), ...(server.databasePids?.() ?? [])],
      });
      const r = await load(origin, requests[name], opts.duration);
      out[name] = { ...r, cpu: cpu() };
      const c = out[name].cpu;
      process.stdout.write(
        `  ${name.padEnd(9)} ${Math.round(r.requestsPerSec).toString().padStart(6)} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  ` +
          `non2xx ${r.non2xx} errors ${r.errors}  cpu srv ${c?.serverCores ?? '?'} + children/db ${c?.databaseCores ?? '?'} ${opts.client} ${c?.loadGeneratorCores ?? '?'} other ${c?.otherCores ?? '?'}\n`,
      );
    }
    return { label: target.label, scenarios: out };
  } finally {
    await server.stop();
  }
}

const results = {
  startedAt: new Date().toISOString(),
  options: opts,
  // Which load generator ran (and its version): wrk and autocannon numbers are not interchangeable.
  client: await describeClient({ client: opts.client, wrkThreads: opts.wrkThreads }),
  cores: availableParallelism(),
  // The 1/5/15-minute load averages before and after: a run on a busy machine is not a measurement of the servers.
  loadAverage: { before: reportLoadAverage('before') },
  targets: {},
};
let failed = false;
await prepare();
try {
  for (const name of opts.targets) {
    const target = targetOf(name);
    try {
      results.targets[target.name] = await runTarget(target);
    } catch (err) {
      failed = true;
      results.targets[target.name] = { label: target.label, failed: err instanceof Error ? err.message : String(err) };
      process.stdout.write(`${target.label}: FAILED ${results.targets[target.name].failed}\n`);
    }
  }
} finally {
  rmSync(tmpRoot, { recursive: true, force: true });
}

results.loadAverage.after = reportLoadAverage('after');

// Side by side: req/s, p99 and CPU per scenario; Strata's best over the others.
const names = Object.keys(results.targets).filter((n) => results.targets[n].scenarios);
const lines = [
  `| scenario | ${names.map((n) => `${n} req/s (${opts.client === 'wrk' ? 'CO-corrected ' : ''}p99 ms, cores)`).join(' | ')} |`,
  `|---|${names.map(() => '---').join('|')}|`,
];
for (const s of SCENARIOS) {
  const cells = names.map((n) => {
    const m = results.targets[n].scenarios[s];
    const cores = m.cpu ? (m.cpu.serverCores + m.cpu.databaseCores).toFixed(2) : '?';
    return `${Math.round(m.requestsPerSec)} (${m.latencyMs.p99}, ${cores})`;
  });
  lines.push(`| ${s} | ${cells.join(' | ')} |`);
}
const table = lines.join('\n');
results.table = table;
process.stdout.write(`\nload generator: ${results.client.name} ${results.client.version}\n${table}\n`);
writeResults({ results, out: values.out, benchDir, kind: 'compare' });
process.exit(failed ? 1 : 0);
