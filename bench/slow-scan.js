#!/usr/bin/env node
// "A slow query never stalls the others" (issue 17 item 4): one Strata process on SQLite with 1,000,000 rows;
// one client loops an unindexed equality query (a full scan each time) while a load generator (`--client`:
// autocannon in this process, as before, or wrk, a separate C process; bench/lib/load-client.js) measures `get` (by
// id) and `query` (an indexed range, 20 rows) with 32 connections. Each is measured without and with the
// scanning client, with the reads on the main connection (`--sqlite-read-threads 0`, how Strata read before)
// and on the read threads (the default), so the table shows what the scan costs each way. With read threads it
// runs once per `--nice` value (`--sqlite-read-nice`: 0 = the threads at the server's priority, 10 = the default)
// and per `--sched` value (`normal`: `--no-sqlite-read-idle`, the threads only niced; `idle`: the default,
// SCHED_IDLE), and records the CPU of the main thread and of the read threads (/proc/<pid>/task), whose split shows
// the priority at work even on a machine that is not quiet, and how long the loop waited for a CPU.
// `--rounds N` repeats the threaded configurations in alternation (A, B, A, B, ...; the main-connection run only
// once, in the first round) and prints each configuration's changes over the rounds at the end.
//
// `--pin-server <cpu>` puts every thread of the server on that one CPU (taskset), so the event loop and the scan
// thread compete for one core and their split shows the scheduler's weights directly.
//
//   node bench/slow-scan.js [--rows 1000000] [--duration 10] [--threads 0,2] [--nice 10] [--sched normal,idle]
//                           [--rounds 2] [--pin-server <cpu>] [--client autocannon|wrk]
//                           [--out bench/results/<ts>-slow-scan.json]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCpuAccounting } from './lib/cpu.js';
import { CLIENTS, describeClient, runLoad } from './lib/load-client.js';
import { startThreadAccounting } from './lib/thread-cpu.js';
import { freePort, stopProcess } from './lib/processes.js';
import { json } from './lib/http-json.js';
import { reportLoadAverage, writeResults } from './lib/run-output.js';
import { startStrata as startStrataServer } from './lib/strata-server.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
// better-sqlite3 is the server's own dependency: the seed writes the million rows straight into the file.
const Database = createRequire(path.join(repoRoot, 'server/package.json'))('better-sqlite3');

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: `0,${availableParallelism()}` },
    nice: { type: 'string', default: '10' },
    sched: { type: 'string', default: 'normal,idle' },
    rounds: { type: 'string', default: '2' },
    'pin-server': { type: 'string' },
    client: { type: 'string', default: 'autocannon' },
    out: { type: 'string' },
  },
});
const rows = Number(values.rows);
const duration = Number(values.duration);
const connections = Number(values.connections);
const threadCounts = values.threads.split(',').map(Number);
if (!CLIENTS.includes(values.client)) throw new Error(`--client: expected one of ${CLIENTS.join(', ')}`);
const niceValues = values.nice.split(',').map(Number);
const schedValues = values.sched.split(',');
if (schedValues.some((s) => s !== 'normal' && s !== 'idle')) throw new Error('--sched: expected normal and/or idle');
const rounds = Number(values.rounds);
// One run without threads (nice and the policy do not apply), one per nice value and policy for each thread count.
const configs = threadCounts.flatMap((threads) =>
  threads === 0
    ? [{ threads, nice: 0, sched: 'normal' }]
    : niceValues.flatMap((nice) => schedValues.map((sched) => ({ threads, nice, sched }))),
);
const ctx = {
  appId: 'bench',
  masterKey: `mk-${randomBytes(6).toString('hex')}`,
  clientKey: `ck-${randomBytes(6).toString('hex')}`,
};
const client = { 'X-Parse-Application-Id': ctx.appId, 'X-Parse-REST-API-Key': ctx.clientKey };
const master = { 'X-Parse-Application-Id': ctx.appId, 'X-Parse-Master-Key': ctx.masterKey };
const tmpRoot = mkdtempSync(path.join(tmpdir(), 'strata-slow-scan-'));
const dataDir = path.join(tmpRoot, 'data');

async function startStrata(threads, nice = 0, sched = 'normal') {
  const server = await startStrataServer({
    repoRoot,
    ctx,
    port: await freePort(),
    dataDir,
    args: [
      ...['--no-dashboard', '--sqlite-read-threads', String(threads), '--sqlite-read-nice', String(nice)],
      sched === 'idle' ? '--sqlite-read-idle' : '--no-sqlite-read-idle',
      // The scan is the load here, not something to stop: a budget above its duration.
      ...['--query-time-limit', '60000'],
    ],
  });
  // Read threads start on first use, after this, and inherit the main thread's CPU set.
  if (values['pin-server'] !== undefined)
    execFileSync('taskset', ['-a', '-pc', values['pin-server'], String(server.proc.child.pid)], { stdio: 'ignore' });
  return server;
}

/** The class through the API (so its table has Strata's layout), then `rows` copies of one row in SQL. */
async function seed() {
  const server = await startStrata(0);
  await json(`${server.baseUrl}/schemas/ScanItem`, {
    method: 'POST',
    headers: master,
    body: {
      className: 'ScanItem',
      fields: { score: { type: 'Number' }, name: { type: 'String' }, tag: { type: 'String' } },
      indexes: { score_1: { score: 1 } },
    },
  });
  await json(`${server.baseUrl}/classes/ScanItem`, {
    method: 'POST',
    headers: master,
    body: { score: 0, name: 'item-0', tag: 't0' },
  });
  await stopProcess(server.proc);
  const db = new Database(path.join(dataDir, 'strata.db'));
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ScanItem%'").get().name;
  const columns = db
    .prepare(`SELECT name FROM pragma_table_info(?)`)
    .all(table)
    .map((c) => c.name);
  const expr = {
    objectId: "printf('s%09d', x)",
    score: 'x',
    name: "'item-' || x",
    tag: "'t' || (x % 8)",
  };
  const list = columns.map((c) => `"${c}"`).join(', ');
  const select = columns.map((c) => expr[c] ?? `(SELECT "${c}" FROM "${table}" LIMIT 1)`).join(', ');
  db.exec(`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${rows - 1})
    INSERT INTO "${table}" (${list}) SELECT ${select} FROM n`);
  db.close();
}

/** Loops the unindexed scan on one connection until `stop()`; resolves with how many scans ran and their mean ms. */
function scanLoop(baseUrl) {
  let running = true;
  let scans = 0;
  let totalMs = 0;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      const where = encodeURIComponent(JSON.stringify({ name: `missing-${Math.random()}` }));
      await json(`${baseUrl}/classes/ScanItem?where=${where}&limit=1`, { headers: client });
      totalMs += performance.now() - started;
      scans++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { scans, meanMs: scans === 0 ? 0 : Math.round(totalMs / scans) };
    },
  };
}

/** Random ids and ranges, drawn once: both clients cycle through the same kind of list (wrk embeds it). */
const PATHS = 20_000;

function requests(baseUrl) {
  const mount = new URL(baseUrl).pathname;
  const draw = (make) => Array.from({ length: PATHS }, make);
  return {
    get: {
      method: 'GET',
      headers: client,
      paths: draw(
        () => `${mount}/classes/ScanItem/s${String(1 + Math.floor(Math.random() * (rows - 1))).padStart(9, '0')}`,
      ),
    },
    query: {
      method: 'GET',
      headers: client,
      paths: draw(() => {
        const low = Math.floor(Math.random() * (rows - 100));
        const where = encodeURIComponent(JSON.stringify({ score: { $gte: low, $lt: low + 100 } }));
        return `${mount}/classes/ScanItem?where=${where}&limit=20`;
      }),
    },
  };
}

function load(server, request, seconds) {
  return runLoad({ client: values.client, origin: server.origin, connections, duration: seconds, request });
}

async function measure(server, request) {
  const cpu = startCpuAccounting(server.proc.child.pid);
  const threads = startThreadAccounting(server.proc.child.pid);
  const r = await load(server, request, duration);
  const perThread = threads();
  return {
    requestsPerSec: Math.round(r.requestsPerSec),
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    cpu: cpu(),
    threads: perThread,
    // The event loop's CPU per answered request: what a get or query costs the loop, with or without the scan.
    mainThreadMsPerRequest:
      perThread === null || r.totalRequests === 0
        ? null
        : Number(((perThread.mainCores * duration * 1000) / r.totalRequests).toFixed(4)),
  };
}

const results = {
  startedAt: new Date().toISOString(),
  rows,
  duration,
  connections,
  cores: availableParallelism(),
  nice: niceValues,
  pinServer: values['pin-server'] ?? null,
  client: await describeClient({ client: values.client, wrkThreads: 1 }),
  loadAverage: { before: reportLoadAverage('before') },
  runs: {},
};
try {
  process.stdout.write(`seeding ${rows} rows\n`);
  await seed();
  const plan = Array.from({ length: rounds }, (_, i) => i + 1).flatMap((round) =>
    configs.filter((c) => round === 1 || c.threads > 0).map((c) => ({ round, ...c })),
  );
  for (const { round, threads, nice, sched } of plan) {
    const server = await startStrata(threads, nice, sched);
    const label = `round ${round}: ${threads === 0 ? 'reads on the main connection (threads 0)' : `read threads ${threads}, nice ${nice}, ${sched}`}`;
    const run = {};
    try {
      const reqs = requests(server.baseUrl);
      await load(server, reqs.get, 2);
      for (const name of ['get', 'query']) {
        const alone = await measure(server, reqs[name]);
        const loop = scanLoop(server.baseUrl);
        const withScan = await measure(server, reqs[name]);
        const scan = await loop.stop();
        const change = Math.round((withScan.requestsPerSec / alone.requestsPerSec - 1) * 100);
        run[name] = { alone, withScan, scan, changePercent: change };
        const t = withScan.threads;
        const split =
          t === null
            ? ''
            : `; with the scan: loop ${t.mainCores} cores (waited ${t.mainWaitMsPerSec} ms/s for a CPU; alone ${alone.threads?.mainWaitMsPerSec}), read threads ${t.readThreadCores} (nice ${t.readThreadNice.join('/')}, idle ${t.readThreadIdle.join('/')}), scan share ${t.scanShare}`;
        process.stdout.write(
          `${label}: ${name} alone ${alone.requestsPerSec} req/s (p99 ${alone.p99} ms); with the scan looping ${withScan.requestsPerSec} req/s (p99 ${withScan.p99} ms), ${change}%; ${scan.scans} scans, ${scan.meanMs} ms each${split}\n`,
        );
      }
    } finally {
      await stopProcess(server.proc);
    }
    const key = threads === 0 ? '0' : `${threads}:nice${nice}:${sched}`;
    (results.runs[key] ??= []).push({ round, threads, nice, sched, ...run });
  }
} finally {
  rmSync(tmpRoot, { recursive: true, force: true });
}
process.stdout.write('summary (change with the scan looping, per round):\n');
for (const [key, list] of Object.entries(results.runs)) {
  const changes = (name) => list.map((r) => `${r[name].changePercent}%`).join(' ');
  // Beside the gets: the loop's cores and its wait for a CPU (ms/s), alone -> with the scan, and the scan's share.
  const loop = list
    .map(({ get: { alone, withScan } }) =>
      alone.threads === null || withScan.threads === null
        ? '-'
        : `${alone.threads.mainCores}->${withScan.threads.mainCores} cores, waited ${alone.threads.mainWaitMsPerSec}->${withScan.threads.mainWaitMsPerSec} ms/s, share ${withScan.threads.scanShare}`,
    )
    .join(' | ');
  process.stdout.write(`  ${key}: get ${changes('get')}; query ${changes('query')}; loop beside get: ${loop}\n`);
}
results.loadAverage.after = reportLoadAverage('after');
writeResults({ results, out: values.out, benchDir, kind: 'slow-scan' });
