// LiveQuery benchmark (issue 14): Strata's `live` hub next to parse-server 9.10's LiveQuery, on the same load in
// the same run. This process is the load generator (WebSocket subscribers and the REST writer); each server runs
// in a process of its own (Strata: `strata start`, role all, SQLite; parse-server: bench/parse-server.js on
// PostgreSQL, its LiveQuery server in the same process), so the server's CPU is read from /proc apart from ours.
//
//   npm run build && (cd bench && npm ci) && node bench/live.js
//   node bench/live.js --targets strata --sockets 2000 --rate 200 --curve 1000,10000
//
// Two measurements per target:
// 1. load: `--sockets` sockets, one subscription each on `Tick` where {channel: "c<k>"} (`--matching` sockets per
//    channel), then `--rate` creates per second for `--duration` s, each on a random channel, so each write
//    matches `--matching` subscriptions. Reported: event-to-client latency p50/p99 from sending the write to
//    the event frame arriving here (includes the write's own queueing when the server cannot keep up with the
//    rate) and from the object's `createdAt` (the server's clock, this machine: the time after the write), events delivered/expected, writes acknowledged per second, server CPU per
//    write and per delivered event, server memory per subscription (RSS after subscribing minus before).
// 2. curve: N subscriptions for N in `--curve` (`--subs-per-socket` on each socket) on `Tick` where
//    {score: {$gte: g, $lt: g + 1}}, `--matching` of them per g, then `--curve-writes` creates one after the
//    other (the next once the previous one's events all arrived, or after 30 s): the server CPU per write
//    minus that of the same writes with no subscription is the LiveQuery cost of one event, which should stay
//    flat as the N - matching subscriptions that do not match grow. parse-server stops a point after
//    `--curve-budget` s.
// The machine is shared: the 1-minute load average is recorded with every number. Results: bench/results/.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import WebSocket from 'ws';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'strata,parse-server' },
    sockets: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    matching: { type: 'string', default: '10' },
    curve: { type: 'string', default: '1000,10000,100000' },
    'subs-per-socket': { type: 'string', default: '500' },
    'curve-writes': { type: 'string', default: '100' },
    'curve-budget': { type: 'string', default: '60' },
    'skip-load': { type: 'boolean', default: false },
    'skip-curve': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const targets = values.targets.split(',');
const SOCKETS = Number(values.sockets);
const RATE = Number(values.rate);
const BATCH = Number(values.batch);
const DURATION = Number(values.duration);
const MATCHING = Number(values.matching);
const CURVE = values.curve.split(',').map(Number);
const SUBS_PER_SOCKET = Number(values['subs-per-socket']);
const CURVE_WRITES = Number(values['curve-writes']);
const CURVE_BUDGET_MS = Number(values['curve-budget']) * 1000;
const APP_ID = 'bench-live';
const MASTER = 'bench-live-master';
const CLIENT = 'bench-live-client';
const TICK = 100; // USER_HZ on Linux (clock ticks per second in /proc/<pid>/stat)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const load1 = () => Number(os.loadavg()[0].toFixed(1));

/** The process and its descendants (a server that forks is measured whole). */
function treeOf(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${pids[i]}/task`)) {
        const children = readFileSync(`/proc/${pids[i]}/task/${task}/children`, 'utf8').trim();
        if (children !== '') pids.push(...children.split(' ').map(Number));
      }
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of treeOf(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / TICK;
}
function rssMb(pid) {
  let kb = 0;
  for (const p of treeOf(pid)) {
    try {
      const line = readFileSync(`/proc/${p}/status`, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('VmRSS:'));
      kb += Number(line?.replace(/\D+/g, '') ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kb / 1024;
}
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1));
}

// ---- servers ----

async function startStrata() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-bench-live-'));
  const proc = spawnProcess({
    command: process.execPath,
    args: [
      path.join(repoRoot, 'server/bin/strata.js'),
      'start',
      ...['--host', '127.0.0.1', '--port', String(port), '--data-dir', dir, '--app-id', APP_ID],
      ...['--master-key', MASTER, '--client-key', CLIENT, '--rest-api-key', CLIENT, '--allow-client-class-creation'],
      ...['--log-level', 'warn', '--workers', '1', '--live-query-max-connections-per-ip', '1000000'],
      ...['--live-query-max-subscriptions', '100000', '--live-query-max-queue', '64mb'],
    ],
    cwd: repoRoot,
    name: 'strata',
    env: { NODE_ENV: 'production', STRATA_DASHBOARD: 'false' },
  });
  await waitForHttp200(proc, `http://127.0.0.1:${port}/parse/health`);
  return { name: 'strata', proc, port, stop: async () => (await stopProcess(proc), rmSync(dir, { recursive: true })) };
}

const run = promisify(execFile);
async function psql(sql) {
  await run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-c', sql]);
}
async function startParseServer() {
  const port = await freePort();
  const db = `parse_bench_live_${Math.random().toString(36).slice(2, 8)}`;
  await psql(`create database ${db}`);
  const proc = spawnProcess({
    command: process.execPath,
    args: [
      path.join(repoRoot, 'bench/parse-server.js'),
      ...['--port', String(port), '--database-uri', `postgres://postgres@127.0.0.1:5432/${db}`],
      ...['--app-id', APP_ID, '--master-key', MASTER, '--client-key', CLIENT, '--live-classes', 'Tick'],
      ...['--logs-folder', mkdtempSync(path.join(os.tmpdir(), 'parse-bench-live-logs-'))],
    ],
    cwd: path.join(repoRoot, 'bench'),
    name: 'parse-server',
    env: { NODE_ENV: 'production' },
  });
  await waitForHttp200(proc, `http://127.0.0.1:${port}/parse/health`);
  return {
    name: 'parse-server',
    proc,
    port,
    stop: async () => (await stopProcess(proc), await psql(`drop database if exists ${db} with (force)`)),
  };
}

// ---- clients ----

const writeHeaders = {
  'X-Parse-Application-Id': APP_ID,
  'X-Parse-REST-API-Key': CLIENT,
  'Content-Type': 'application/json',
};
/** `POST /batch` of creates (one request carries `bodies.length` writes, each its own event). */
async function createTicks(server, bodies) {
  const requests = bodies.map((body) => ({ method: 'POST', path: '/parse/classes/Tick', body }));
  const r = await fetch(`http://127.0.0.1:${server.port}/parse/batch`, {
    method: 'POST',
    headers: writeHeaders,
    body: JSON.stringify({ requests }),
  });
  const answers = await r.json();
  if (r.status !== 200 || !Array.isArray(answers)) throw new Error(`batch: ${r.status} ${JSON.stringify(answers)}`);
  return answers.filter((answer) => answer.success !== undefined).length;
}

async function createTick(server, body) {
  const r = await fetch(`http://127.0.0.1:${server.port}/parse/classes/Tick`, {
    method: 'POST',
    headers: writeHeaders,
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status !== 201) throw new Error(`create Tick: ${r.status} ${text}`);
}

/** Opens a socket, connects, subscribes each `where`; resolves once every `subscribed` arrived. */
function openSubscriber(server, wheres, onEvent) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/parse`, { perMessageDeflate: false });
    let pending = wheres.length;
    const timer = setTimeout(() => reject(new Error('subscribe timed out')), 120_000);
    ws.on('error', (err) => (clearTimeout(timer), reject(err)));
    ws.on('open', () => ws.send(JSON.stringify({ op: 'connect', applicationId: APP_ID, clientKey: CLIENT })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.op === 'connected') {
        wheres.forEach((where, i) => {
          ws.send(JSON.stringify({ op: 'subscribe', requestId: i + 1, query: { className: 'Tick', where } }));
        });
      } else if (frame.op === 'subscribed') {
        if (--pending === 0) {
          clearTimeout(timer);
          resolve(ws);
        }
      } else if (frame.op === 'create') onEvent(frame.object);
      else if (frame.op === 'error') {
        clearTimeout(timer);
        reject(new Error(`LiveQuery error ${JSON.stringify(frame)}`));
      }
    });
  });
}

async function openAll(server, plans, onEvent) {
  const sockets = [];
  for (let i = 0; i < plans.length; i += 100) {
    sockets.push(
      ...(await Promise.all(plans.slice(i, i + 100).map((wheres) => openSubscriber(server, wheres, onEvent)))),
    );
  }
  return sockets;
}

async function closeAll(sockets) {
  for (const ws of sockets) ws.terminate();
  await sleep(500);
}

// ---- 1. load ----

async function measureLoad(server) {
  const pid = server.proc.child.pid;
  await createTick(server, { channel: 'warmup', n: -1, score: -1 });
  const channels = Math.max(1, Math.floor(SOCKETS / MATCHING));
  const sent = new Map();
  const latencies = [];
  const fromCommit = [];
  let received = 0;
  const onEvent = (object) => {
    const at = sent.get(object.n);
    if (at === undefined) return;
    received++;
    latencies.push(performance.now() - at);
    fromCommit.push(Date.now() - Date.parse(object.createdAt));
  };
  const rssBefore = rssMb(pid);
  const subscribeStart = performance.now();
  const plans = Array.from({ length: SOCKETS }, (_, i) => [{ channel: `c${i % channels}` }]);
  const sockets = await openAll(server, plans, onEvent);
  const subscribeSeconds = (performance.now() - subscribeStart) / 1000;
  await sleep(1000);
  const rssAfter = rssMb(pid);
  const loadStart = load1();
  const cpuStart = cpuSeconds(pid);
  const selfStart = process.cpuUsage();
  const total = RATE * DURATION;
  let acked = 0;
  let failed = 0;
  const started = performance.now();
  const writes = [];
  // 10 ms ticks: each sends the writes due by then, so the rate holds even when a tick runs late.
  for (let n = 0; n < total;) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (n < due) {
      const bodies = [];
      for (; n < due && bodies.length < BATCH; n++) {
        sent.set(n, performance.now());
        bodies.push({ channel: `c${Math.floor(Math.random() * channels)}`, n, score: n });
      }
      writes.push(
        createTicks(server, bodies).then(
          (ok) => ((acked += ok), (failed += bodies.length - ok)),
          () => (failed += bodies.length),
        ),
      );
    }
    await sleep(10);
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(writes);
  const ackSeconds = (performance.now() - started) / 1000;
  const expected = total * MATCHING;
  const waitUntil = performance.now() + 30_000;
  while (received < expected && performance.now() < waitUntil) await sleep(100);
  const cpu = cpuSeconds(pid) - cpuStart;
  const self = process.cpuUsage(selfStart);
  const drainSeconds = (performance.now() - started) / 1000;
  await closeAll(sockets);
  latencies.sort((a, b) => a - b);
  fromCommit.sort((a, b) => a - b);
  return {
    sockets: SOCKETS,
    subscriptions: SOCKETS,
    targetWritesPerSecond: RATE,
    seconds: DURATION,
    writes: total,
    writesAcked: acked,
    writesFailed: failed,
    writesAckedPerSecond: Math.round(acked / ackSeconds),
    sendSeconds: Number(sendSeconds.toFixed(1)),
    eventsExpected: expected,
    eventsDelivered: received,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
    latencyFromCreatedAtMs: { p50: percentile(fromCommit, 50), p99: percentile(fromCommit, 99) },
    secondsUntilLastEvent: Number(drainSeconds.toFixed(1)),
    subscribeSeconds: Number(subscribeSeconds.toFixed(1)),
    serverCpuSeconds: Number(cpu.toFixed(2)),
    serverCpuMsPerWrite: Number(((cpu * 1000) / Math.max(1, acked)).toFixed(3)),
    serverCpuMsPerEvent: Number(((cpu * 1000) / Math.max(1, received)).toFixed(3)),
    serverRssMb: { beforeSubscribing: Math.round(rssBefore), afterSubscribing: Math.round(rssAfter) },
    serverKbPerSubscription: Number((((rssAfter - rssBefore) * 1024) / SOCKETS).toFixed(2)),
    generatorCpuSeconds: Number(((self.user + self.system) / 1e6).toFixed(2)),
    loadAverage: { start: loadStart, end: load1() },
  };
}

// ---- 2. curve ----

async function curvePoint(server, subscriptions, score0) {
  const pid = server.proc.child.pid;
  const groups = Math.max(1, Math.floor(subscriptions / MATCHING));
  let received = 0;
  let waiting;
  const latencies = [];
  let sentAt = 0;
  let current = -1;
  const onEvent = (object) => {
    if (object.n !== current) return;
    received++;
    latencies.push(performance.now() - sentAt);
    if (received === MATCHING) waiting?.();
  };
  const plans = [];
  for (let i = 0; i < subscriptions; i += SUBS_PER_SOCKET) {
    const wheres = [];
    for (let j = i; j < Math.min(subscriptions, i + SUBS_PER_SOCKET); j++) {
      const g = score0 + (j % groups);
      wheres.push({ score: { $gte: g, $lt: g + 1 } });
    }
    plans.push(wheres);
  }
  const rssBefore = rssMb(pid);
  const sockets = subscriptions === 0 ? [] : await openAll(server, plans, onEvent);
  await sleep(1000);
  const rssAfter = rssMb(pid);
  const loadStart = load1();
  const cpuStart = cpuSeconds(pid);
  const started = performance.now();
  let writes = 0;
  let missing = 0;
  for (let n = 0; n < CURVE_WRITES; n++) {
    if (performance.now() - started > CURVE_BUDGET_MS) break;
    received = 0;
    current = score0 * 1e6 + n;
    const done = subscriptions === 0 ? Promise.resolve() : new Promise((resolve) => (waiting = resolve));
    sentAt = performance.now();
    await createTick(server, { channel: 'curve', n: current, score: score0 + (n % groups) + 0.5 });
    await Promise.race([done, sleep(30_000)]);
    if (subscriptions > 0 && received < MATCHING) missing += MATCHING - received;
    writes++;
  }
  const cpu = cpuSeconds(pid) - cpuStart;
  await closeAll(sockets);
  latencies.sort((a, b) => a - b);
  return {
    subscriptions,
    matchingPerWrite: subscriptions === 0 ? 0 : MATCHING,
    writes,
    eventsMissing: missing,
    serverCpuMsPerWrite: Number(((cpu * 1000) / Math.max(1, writes)).toFixed(3)),
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    serverKbPerSubscription:
      subscriptions === 0 ? null : Number((((rssAfter - rssBefore) * 1024) / subscriptions).toFixed(2)),
    loadAverage: { start: loadStart, end: load1() },
  };
}

async function measureCurve(server) {
  await createTick(server, { channel: 'warmup', n: -1, score: -1 });
  // Warm the write path (JIT, statement caches) before the baseline.
  for (let i = 0; i < 50; i++) await createTick(server, { channel: 'warmup', n: -2, score: -2 });
  const points = [await curvePoint(server, 0, 0)];
  let score0 = 1;
  for (const n of CURVE) {
    points.push(await curvePoint(server, n, score0));
    score0 += n;
  }
  const base = points[0].serverCpuMsPerWrite;
  for (const point of points) {
    if (point.subscriptions > 0) point.liveCpuMsPerEvent = Number((point.serverCpuMsPerWrite - base).toFixed(3));
  }
  return points;
}

// ---- run ----

const result = {
  startedAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  loadAverageNote: 'shared machine: other engineers were building and testing; see loadAverage of each number',
  options: {
    SOCKETS,
    RATE,
    BATCH,
    DURATION,
    MATCHING,
    CURVE,
    SUBS_PER_SOCKET,
    CURVE_WRITES,
    curveBudgetS: CURVE_BUDGET_MS / 1000,
  },
  targets: {},
};
let failures = 0;
for (const name of targets) {
  const start = name === 'strata' ? startStrata : name === 'parse-server' ? startParseServer : undefined;
  if (start === undefined) throw new Error(`unknown target ${name}`);
  const entry = (result.targets[name] = {});
  for (const phase of ['load', 'curve']) {
    if (values[`skip-${phase}`]) continue;
    let server;
    try {
      server = await start();
      console.log(`${name} ${phase}: measuring (load average ${load1()})`);
      entry[phase] = phase === 'load' ? await measureLoad(server) : await measureCurve(server);
      console.log(JSON.stringify(entry[phase]));
    } catch (err) {
      failures++;
      entry[phase] = { error: String(err?.stack ?? err) };
      console.error(`${name} ${phase} failed: ${err?.stack ?? err}\n${server?.proc.tail() ?? ''}`);
    } finally {
      await server?.stop().catch(() => {});
    }
  }
}

// The summary table.
console.log('\nload: one server, sockets with one subscription each, writes/s on random channels');
console.log(
  'target        | subs   | writes/s asked→acked | events delivered | p50 ms | p99 ms | p50/p99 from createdAt | CPU ms/event | KB/sub | load',
);
for (const [name, { load }] of Object.entries(result.targets)) {
  if (!load || load.error) continue;
  console.log(
    `${name.padEnd(13)} | ${String(load.subscriptions).padEnd(6)} | ${load.targetWritesPerSecond}→${load.writesAckedPerSecond} | ${load.eventsDelivered}/${load.eventsExpected} | ${load.latencyMs.p50} | ${load.latencyMs.p99} | ${load.latencyFromCreatedAtMs.p50}/${load.latencyFromCreatedAtMs.p99} | ${load.serverCpuMsPerEvent} | ${load.serverKbPerSubscription} | ${load.loadAverage.start}-${load.loadAverage.end}`,
  );
}
console.log(`\ncurve: ${MATCHING} matching subscriptions per write, the rest not matching; CPU ms per write`);
console.log('target        | subs   | CPU ms/write | LiveQuery CPU ms/event | p50 ms | p99 ms | writes | load');
for (const [name, { curve }] of Object.entries(result.targets)) {
  if (!Array.isArray(curve)) continue;
  for (const p of curve) {
    console.log(
      `${name.padEnd(13)} | ${String(p.subscriptions).padEnd(6)} | ${p.serverCpuMsPerWrite} | ${p.liveCpuMsPerEvent ?? '-'} | ${p.latencyMs.p50 ?? '-'} | ${p.latencyMs.p99 ?? '-'} | ${p.writes} | ${p.loadAverage.start}-${p.loadAverage.end}`,
    );
  }
}
const out =
  values.out ??
  path.join(repoRoot, 'bench/results', `${result.startedAt.replace(/[:.]/g, '-').slice(0, 19)}-live.json`);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nraw results: ${path.relative(repoRoot, out)}`);
process.exit(failures > 0 ? 1 : 0);
