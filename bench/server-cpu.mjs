#!/usr/bin/env node
// Server CPU time per request, scenario by scenario: a real `strata start` process (one worker, built dist,
// SQLite, the read thread pool on as in production) is seeded with bench/lib/scenarios.js's data, then each
// scenario sends a fixed number of requests with autocannon while the server's CPU ticks (every thread of the
// process, from /proc/<pid>/stat) are counted. CPU time per request barely moves when other processes compete
// for the cores (wall-clock req/s does), so this is how a hot-path change is judged on a busy machine, and how
// GraphQL's cost is put next to REST's (`include` vs `graphql`: the same 20-object page with a nested pointer).
//
//   node bench/server-cpu.mjs [--scenarios include,graphql] [--requests 3000] [--rounds 3] [--connections 4]
//                             [--rows 2000] [--warmup N (requests before each measurement; default requests/10)]
//                             [--baseline DIR (another built checkout, measured alternately)]
//                             [--without-cloud (no --cloud file, as bench/compare.js starts Strata)]
//                             [--profile (a .cpuprofile of the measured requests of each scenario, into
//                              bench/results/tmp; summarize with bench/profile-summary.js)] [--out FILE]
//
// Scenario names are run.js's (bench/lib/scenarios.js): get, query, include, graphql, update, create, ...,
// plus top20 (compare.js's page: order=-score&limit=20, no where).
// The median of the rounds is reported; rounds alternate between baseline and current.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { TICK_US, ticksOfTree } from './lib/cpu.js';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';
import {
  EXECUTION_ORDER,
  EXTRA_SCENARIO_NAMES,
  SCENARIO_NAMES,
  buildScenario,
  indexScore,
  seed,
} from './lib/scenarios.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);
const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'include,graphql' },
    requests: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '4' },
    rows: { type: 'string', default: '2000' },
    warmup: { type: 'string' },
    workers: { type: 'string', default: '1' },
    baseline: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'without-cloud': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const chosen = values.scenarios.split(',').filter((s) => s !== '');
for (const name of chosen) {
  if (!SCENARIO_NAMES.includes(name) && !EXTRA_SCENARIO_NAMES.includes(name)) {
    console.error(`unknown scenario ${name}; known: ${[...SCENARIO_NAMES, ...EXTRA_SCENARIO_NAMES].join(', ')}`);
    process.exit(2);
  }
}
const scenarios = EXECUTION_ORDER.filter((s) => chosen.includes(s));
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const ROWS = Number(values.rows);
const tmpRoot = mkdtempSync(path.join(tmpdir(), 'strata-server-cpu-'));
const profileDir = path.join(benchDir, 'results/tmp');
mkdirSync(profileDir, { recursive: true });
const ctx = {
  appId: 'cpu-bench',
  masterKey: `mk-${randomBytes(8).toString('hex')}`,
  clientKey: `ck-${randomBytes(8).toString('hex')}`,
};

async function startServer(root, label) {
  const dataDir = mkdtempSync(path.join(tmpRoot, `${label}-`));
  const port = await freePort();
  const preload = values.profile ? ['--import', path.join(benchDir, 'lib/profile-on-signal.mjs')] : [];
  const proc = spawnProcess({
    name: label,
    command: process.execPath,
    cwd: root,
    env: {
      NODE_ENV: 'production',
      STRATA_AUTH_RATE_LIMIT: '0',
      STRATA_AUTH_RATE_LIMIT_ACCOUNT: '0',
      STRATA_BENCH_PROFILE_DIR: profileDir,
    },
    args: [
      ...preload,
      path.join(root, 'server/bin/strata.js'),
      'start',
      ...['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--workers', values.workers],
      ...['--app-id', ctx.appId, '--master-key', ctx.masterKey, '--client-key', ctx.clientKey],
      ...['--rest-api-key', ctx.clientKey, '--allow-client-class-creation', '--log-level', 'warn'],
      ...(values['without-cloud'] ? [] : ['--cloud', path.join(benchDir, 'cloud/main.js')]),
    ],
  });
  const baseUrl = `http://127.0.0.1:${port}/parse`;
  await waitForHttp200(proc, `${baseUrl}/health`);
  const ids = await seed({ baseUrl, ctx, rows: ROWS });
  await indexScore({ baseUrl, ctx });
  return {
    label,
    proc,
    baseUrl,
    ids,
    profiles: 0,
    stop: async () => (await stopProcess(proc), rmSync(dataDir, { recursive: true, force: true })),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(server, name, round) {
  const scenario = buildScenario(name, { baseUrl: server.baseUrl, ctx, ids: server.ids, rows: ROWS });
  await scenario.check();
  const origin = new URL(server.baseUrl).origin;
  const run = (amount) =>
    autocannon({ url: origin, connections: CONNECTIONS, amount, requests: [scenario.request], timeout: 60 });
  await run(values.warmup === undefined ? Math.max(200, REQUESTS / 10) : Number(values.warmup)); // warm-up: JIT, caches
  const pid = server.proc.child.pid;
  const profiling = values.profile && round === 0;
  if (profiling) {
    process.kill(pid, 'SIGUSR2');
    await sleep(200);
  }
  const before = ticksOfTree(pid);
  const result = await run(REQUESTS);
  const ticks = ticksOfTree(pid) - before;
  if (profiling) {
    process.kill(pid, 'SIGUSR2');
    await sleep(1500);
    server.profiles += 1;
    renameSync(
      path.join(profileDir, `${pid}-${server.profiles}.cpuprofile`),
      path.join(profileDir, `server-cpu-${server.label}-${name}.cpuprofile`),
    );
  }
  const ok = result.requests.total - result.non2xx - result.errors;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${server.label} ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { cpuUsPerRequest: (ticks * TICK_US) / ok, requestsPerSec: result.requests.average, p99: result.latency.p99 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const trees = [
  ...(values.baseline === undefined ? [] : [{ root: path.resolve(values.baseline), label: 'baseline' }]),
  { root: repoRoot, label: 'current' },
];
const servers = [];
const samples = {};
try {
  for (const tree of trees) servers.push(await startServer(tree.root, tree.label));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of scenarios) {
      for (const server of servers) {
        const m = await measure(server, name, round);
        (samples[`${name}/${server.label}`] ??= []).push(m);
        console.log(
          `round ${round + 1} ${name.padEnd(8)} ${server.label.padEnd(8)} ${m.cpuUsPerRequest.toFixed(0).padStart(6)} µs CPU/request  ` +
            `${Math.round(m.requestsPerSec)} req/s  p99 ${m.p99} ms`,
        );
      }
    }
  }
} finally {
  for (const server of servers) await server.stop();
  rmSync(tmpRoot, { recursive: true, force: true });
}

const summary = {};
console.log(
  `\nserver CPU µs per request (median of ${ROUNDS} rounds of ${REQUESTS} requests, ${CONNECTIONS} connections)`,
);
console.log(`scenario  ${trees.map((t) => t.label.padStart(9)).join(' ')}`);
for (const name of scenarios) {
  const row = {};
  for (const tree of trees)
    row[tree.label] = Math.round(median(samples[`${name}/${tree.label}`].map((m) => m.cpuUsPerRequest)));
  summary[name] = row;
  console.log(`${name.padEnd(9)} ${trees.map((t) => String(row[t.label]).padStart(9)).join(' ')}`);
}
if (summary.include && summary.graphql) {
  for (const tree of trees)
    console.log(
      `graphql / include (${tree.label}): ${(summary.graphql[tree.label] / summary.include[tree.label]).toFixed(2)}×`,
    );
}
if (values.profile) console.log(`profiles: ${path.relative(process.cwd(), profileDir)}/server-cpu-*.cpuprofile`);
const out =
  values.out ??
  path.join(benchDir, 'results', `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-server-cpu.json`);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ startedAt: new Date().toISOString(), options: values, summary, samples }, null, 2)}\n`,
);
console.log(`results: ${path.relative(process.cwd(), out)}`);
