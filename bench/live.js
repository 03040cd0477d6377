// LiveQuery benchmark (issue 14): Strata's `live` server next to parse-server 9.10's LiveQuery, on the same load
// in the same run. Strata runs as production scales out: an api process takes the writes and publishes them
// over Redis, and one live process holds the sockets and matches (`strata start --role api` and `--role live`
// on one SQLite file). parse-server runs as it is deployed by default, its LiveQuery server inside the api
// process (bench/parse-server.js on PostgreSQL; `--parse-topology split` runs its LiveQuery server apart over
// Redis with `--live-only`, which delivered far fewer events here than the one process). The live process is
// the one measured: its CPU from /proc (user + system ticks, which other processes' load does not inflate the
// way it does wall time) and its memory after a forced GC (bench/lib/heap-on-signal.mjs). This process is the
// load generator (WebSocket subscribers and the REST writer); its CPU, the api process's, Redis's and the
// database's are recorded too, since all of them share the machine's cores.
//
//   npm run build && (cd bench && npm ci) && node bench/live.js
//   node bench/live.js --targets strata --sockets 2000 --rate 200 --curve 1000,10000
//   node bench/live.js --targets strata --strata-dir /tmp/other-build   (another built checkout, for before/after)
//   node bench/live.js --targets strata --skip-load --curve 100000 --profile /tmp/p   (V8 profiles of the measured windows)
//   node bench/live.js --live-node-args='--trace-gc'   (extra node flags for the live process)
//
// Two measurements per target, each on fresh processes:
// 1. load: `--sockets` sockets, one subscription each on `Tick` where {channel: "c<k>"} (`--matching` sockets per
//    channel), then `--rate` creates per second for `--duration` s, sent as `/batch` requests of `--batch`
//    creates, each on a random channel, so each write matches `--matching` subscriptions. Reported: event
//    latency p50/p99 from sending the write to the frame arriving here (includes the api process's write) and
//    from the object's `createdAt` (the api's clock, this machine: taken just before the commit), events
//    delivered/expected, writes acknowledged per second, the live process's CPU per write and per event, its
//    heap and RSS per subscription (after GC, minus before subscribing; includes the socket).
// 2. curve: N subscriptions for N in `--curve` (`--subs-per-socket` on each socket) on `Tick` where
//    {score: {$gte: g, $lt: g + 1}}, `--matching` of them per g, then `--curve-rate` creates per second for
//    `--curve-seconds` s, each in one g, so each write matches `--matching` of them and the N - matching others
//    never match. The live process's CPU per write should stay flat as N grows; a point with no
//    subscription is the floor (the change feed alone). Heap per subscription here is nearly all subscription
//    (`--subs-per-socket` share a socket).
// After the writes, events are awaited at most `--drain` s (a server that fell behind is cut there and its
// CPU per event counts the events it delivered); subscribing more than `--subscribe-budget` s skips a point
// (1.5 times that for the load).
// The 1-minute load average is recorded with every number. Results: bench/results/<time>-live.json, and the
// summary tables on stdout (and in `--summary FILE`).
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import WebSocket from 'ws';
import { pidsByCommand } from './lib/cpu.js';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);
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
    'curve-rate': { type: 'string', default: '200' },
    'curve-seconds': { type: 'string', default: '5' },
    drain: { type: 'string', default: '20' },
    'subscribe-budget': { type: 'string', default: '90' },
    'redis-url': { type: 'string', default: process.env.STRATA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'skip-load': { type: 'boolean', default: false },
    'skip-curve': { type: 'boolean', default: false },
    'strata-dir': { type: 'string', default: repoRoot },
    'live-node-args': { type: 'string', default: '' },
    profile: { type: 'string' },
    'parse-topology': { type: 'string', default: 'one' },
    out: { type: 'string' },
    summary: { type: 'string' },
  },
});
const targets = values.targets.split(',');
const SOCKETS = Number(values.sockets);
const RATE = Number(values.rate);
const BATCH = Number(values.batch);
const DURATION = Number(values.duration);
const MATCHING = Number(values.matching);
const CURVE = values.curve === '' ? [] : values.curve.split(',').map(Number);
const SUBS_PER_SOCKET = Number(values['subs-per-socket']);
const CURVE_RATE = Number(values['curve-rate']);
const CURVE_SECONDS = Number(values['curve-seconds']);
const DRAIN_MS = Number(values.drain) * 1000;
const SUBSCRIBE_BUDGET_MS = Number(values['subscribe-budget']) * 1000;
const REDIS_URL = values['redis-url'];
const MASTER = 'bench-live-master';
const CLIENT = 'bench-live-client';
const TICK = 100; // USER_HZ on Linux (clock ticks per second in /proc/<pid>/stat)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const load1 = () => Number(os.loadavg()[0].toFixed(1));
const round = (n, digits = 3) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

// ---- /proc ----

function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / TICK;
}
function machineBusyTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return user + nice + system + irq + softirq + steal;
}
/** CPU seconds of the live process, the api process, Redis, the database, this process and the machine since `start`. */
function cpuWindow(server) {
  const pids = {
    live: [server.live.child.pid],
    api: [server.api.child.pid],
    redis: pidsByCommand('redis-server'),
    database: server.databasePids(),
  };
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
  const self = process.cpuUsage();
  const machine = machineBusyTicks();
  const at = performance.now();
  // --profile: the live process's V8 profile of this window only (bench/lib/profile-on-signal.mjs).
  if (values.profile !== undefined) server.live.child.kill('SIGUSR2');
  return () => {
    if (values.profile !== undefined) server.live.child.kill('SIGUSR2');
    const seconds = (performance.now() - at) / 1000;
    const out = { seconds: round(seconds, 2) };
    for (const [k, p] of Object.entries(pids)) out[k] = round(cpuSeconds(p) - before[k], 2);
    const used = process.cpuUsage(self);
    out.generator = round((used.user + used.system) / 1e6, 2);
    out.machineBusyCores = round((machineBusyTicks() - machine) / TICK / seconds, 2);
    return out;
  };
}
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))], 1);
}

// ---- servers ----

/** Node with the heap probe preloaded: `heap()` forces a GC in the process and reads its memory. */
function probed(args, heapFile) {
  return {
    command: process.execPath,
    args: [
      ...values['live-node-args'].split(' ').filter((arg) => arg !== ''),
      ...['--expose-gc', '--import', path.join(benchDir, 'lib/heap-on-signal.mjs')],
      ...(values.profile === undefined ? [] : ['--import', path.join(benchDir, 'lib/profile-on-signal.mjs')]),
      ...args,
    ],
    env: {
      STRATA_BENCH_HEAP_FILE: heapFile,
      ...(values.profile === undefined ? {} : { STRATA_BENCH_PROFILE_DIR: values.profile }),
    },
  };
}
async function readHeap(proc, heapFile) {
  const before = existsSync(heapFile) ? statSync(heapFile).mtimeMs : 0;
  proc.child.kill('SIGWINCH');
  const until = performance.now() + 60_000;
  while (performance.now() < until) {
    await sleep(50);
    if (existsSync(heapFile) && statSync(heapFile).mtimeMs !== before) {
      const usage = JSON.parse(readFileSync(heapFile, 'utf8'));
      return { heapUsedMb: usage.heapUsed / 2 ** 20, rssMb: usage.rss / 2 ** 20, gc: usage.gc, gcAfter: usage.gcAfter };
    }
  }
  throw new Error('the live process did not answer the heap probe');
}

const uniqueAppId = () => `bench-live-${Math.random().toString(36).slice(2, 10)}`;

async function startStrata() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-bench-live-'));
  const appId = uniqueAppId();
  const heapFile = path.join(dir, 'heap.json');
  const common = [
    path.join(values['strata-dir'], 'server/bin/strata.js'),
    'start',
    ...['--host', '127.0.0.1', '--data-dir', dir, '--redis-url', REDIS_URL, '--app-id', appId],
    ...['--master-key', MASTER, '--client-key', CLIENT, '--rest-api-key', CLIENT, '--allow-client-class-creation'],
    ...['--log-level', 'warn', '--workers', '1'],
  ];
  const env = { NODE_ENV: 'production', STRATA_DASHBOARD: 'false' };
  const [apiPort, livePort] = [await freePort(), await freePort()];
  const api = spawnProcess({
    command: process.execPath,
    args: [...common, '--role', 'api', '--port', String(apiPort)],
    cwd: repoRoot,
    name: 'strata-api',
    env,
  });
  const launch = probed(
    [
      ...common,
      ...['--role', 'live', '--port', String(livePort), '--live-query-max-connections-per-ip', '1000000'],
      ...['--live-query-max-subscriptions', '100000', '--live-query-max-queue', '64mb'],
      // Resume stays on (its kept events are part of the cost), but the subscriptions of the sockets one
      // measurement closes must not outlive it into the next one for the default 60 s.
      ...['--live-query-resume-window', '2'],
    ],
    heapFile,
  );
  const live = spawnProcess({ ...launch, cwd: repoRoot, name: 'strata-live', env: { ...env, ...launch.env } });
  await Promise.all([
    waitForHttp200(api, `http://127.0.0.1:${apiPort}/parse/health`),
    waitForHttp200(live, `http://127.0.0.1:${livePort}/parse/health`),
  ]);
  return {
    name: 'strata',
    topology: 'api process + live process over Redis',
    appId,
    api,
    live,
    apiPort,
    livePort,
    databasePids: () => [],
    heap: () => readHeap(live, heapFile),
    stop: async () => {
      await Promise.all([stopProcess(live), stopProcess(api)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const run = promisify(execFile);
async function psql(sql) {
  await run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-c', sql]);
}
async function startParseServer() {
  const db = `parse_bench_live_${Math.random().toString(36).slice(2, 8)}`;
  const appId = uniqueAppId();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parse-bench-live-'));
  const heapFile = path.join(dir, 'heap.json');
  // parse-server logs (its deprecation warnings come before any option is read) go to the temp dir, not ./logs.
  const parseEnv = { NODE_ENV: 'production', PARSE_SERVER_LOGS_FOLDER: path.join(dir, 'logs') };
  await psql(`create database ${db}`);
  const [apiPort, livePort] = [await freePort(), await freePort()];
  if (values['parse-topology'] === 'one') {
    // --parse-topology one: parse-server's default deployment, its LiveQuery server inside the api process
    // (no Redis); the live process's CPU then includes the writes (see the 0-subscription curve point).
    const launch = probed(
      [
        path.join(benchDir, 'parse-server.js'),
        ...['--port', String(apiPort), '--database-uri', `postgres://postgres@127.0.0.1:5432/${db}`],
        ...['--app-id', appId, '--master-key', MASTER, '--client-key', CLIENT],
        ...['--live-classes', 'Tick', '--logs-folder', path.join(dir, 'logs')],
      ],
      heapFile,
    );
    const one = spawnProcess({
      ...launch,
      cwd: benchDir,
      name: 'parse',
      env: { ...parseEnv, ...launch.env },
    });
    await waitForHttp200(one, `http://127.0.0.1:${apiPort}/parse/health`);
    return {
      name: 'parse-server',
      topology: 'one process (api + LiveQuery); its live CPU includes the writes',
      appId,
      api: one,
      live: one,
      apiPort,
      livePort: apiPort,
      databasePids: () => pidsByCommand('postgres'),
      heap: () => readHeap(one, heapFile),
      stop: async () => {
        await stopProcess(one);
        await psql(`drop database if exists ${db} with (force)`).catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const keys = ['--app-id', appId, '--master-key', MASTER, '--client-key', CLIENT, '--redis-url', REDIS_URL];
  const api = spawnProcess({
    command: process.execPath,
    args: [
      path.join(benchDir, 'parse-server.js'),
      ...['--port', String(apiPort), '--database-uri', `postgres://postgres@127.0.0.1:5432/${db}`],
      ...keys,
      ...['--live-classes', 'Tick', '--logs-folder', path.join(dir, 'logs')],
    ],
    cwd: benchDir,
    name: 'parse-api',
    env: parseEnv,
  });
  const launch = probed(
    [
      path.join(benchDir, 'parse-server.js'),
      ...['--port', String(livePort), '--live-only', '--server-url', `http://127.0.0.1:${apiPort}/parse`],
      ...['--database-uri', `postgres://postgres@127.0.0.1:5432/${db}`, '--logs-folder', path.join(dir, 'logs')],
      ...keys,
    ],
    heapFile,
  );
  const live = spawnProcess({
    ...launch,
    cwd: benchDir,
    name: 'parse-live',
    env: { ...parseEnv, ...launch.env },
  });
  await Promise.all([
    waitForHttp200(api, `http://127.0.0.1:${apiPort}/parse/health`),
    waitForHttp200(live, `http://127.0.0.1:${livePort}/parse/health`),
  ]);
  return {
    name: 'parse-server',
    topology: 'api process + LiveQuery process over Redis',
    appId,
    api,
    live,
    apiPort,
    livePort,
    databasePids: () => pidsByCommand('postgres'),
    heap: () => readHeap(live, heapFile),
    stop: async () => {
      await Promise.all([stopProcess(live), stopProcess(api)]);
      await psql(`drop database if exists ${db} with (force)`).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- writes ----

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
/** One JSON request to the api process (node:http: lighter on this process's CPU than fetch). */
function post(server, urlPath, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.apiPort,
        path: urlPath,
        method: 'POST',
        agent,
        headers: {
          'X-Parse-Application-Id': server.appId,
          'X-Parse-REST-API-Key': CLIENT,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
/** `POST /batch` of creates (one request carries `bodies.length` writes, each its own event); resolves with the ones acknowledged. */
async function createTicks(server, bodies) {
  const requests = bodies.map((body) => ({ method: 'POST', path: '/parse/classes/Tick', body }));
  const { status, body } = await post(server, '/parse/batch', { requests });
  if (status !== 200 || !Array.isArray(body)) throw new Error(`batch: ${status} ${JSON.stringify(body)}`);
  return body.filter((answer) => answer.success !== undefined).length;
}
async function createTick(server, body) {
  const { status, body: answer } = await post(server, '/parse/classes/Tick', body);
  if (status !== 201) throw new Error(`create Tick: ${status} ${JSON.stringify(answer)}`);
}

/**
 * `rate` creates per second for `seconds`, in `/batch` requests of up to `batch`, on a 5 ms clock that sends
 * whatever is due (the rate holds when a tick runs late; a server slower than the rate queues requests).
 * `body(n)` makes write n; `sentAt[n]` gets the time its request left. Resolves once all are sent, with
 * `state` (acknowledged and failed so far, the time of the last answer) still counting the answers to come.
 */
async function pacedWrites(server, { rate, seconds, body, sentAt }) {
  const total = Math.round(rate * seconds);
  const state = { acked: 0, failed: 0, answered: 0, lastAnswerAt: 0 };
  const started = performance.now();
  const answered = (ok, of) => {
    state.acked += ok;
    state.failed += of - ok;
    state.answered += of;
    state.lastAnswerAt = performance.now();
  };
  for (let n = 0; n < total;) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (n < due) {
      const bodies = [];
      const now = performance.now();
      for (; n < due && bodies.length < BATCH; n++) {
        sentAt[n] = now;
        bodies.push(body(n));
      }
      createTicks(server, bodies).then(
        (ok) => answered(ok, bodies.length),
        () => answered(0, bodies.length),
      );
    }
    await sleep(5);
  }
  return { total, started, sendSeconds: (performance.now() - started) / 1000, state };
}

/**
 * After the writes were sent: waits until every write is answered and `delivered()` reaches the events the
 * acknowledged ones make (`perWrite` each), or `DRAIN_MS` passed (a server that fell behind is cut there).
 * Resolves with the seconds from the first write.
 */
async function drain(writes, { delivered, perWrite }) {
  const until = performance.now() + DRAIN_MS;
  const done = () => writes.state.answered === writes.total && delivered() >= writes.state.acked * perWrite;
  while (!done() && performance.now() < until) await sleep(20);
  return (performance.now() - writes.started) / 1000;
}

/** What the run says of the writes (answers still coming count as neither acknowledged nor failed). */
function writeCounts(writes) {
  const { acked, failed, lastAnswerAt } = writes.state;
  const answerSeconds = (lastAnswerAt - writes.started) / 1000;
  return {
    writes: writes.total,
    writesAcked: acked,
    writesFailed: failed,
    writesUnanswered: writes.total - writes.state.answered,
    writesAckedPerSecond: answerSeconds > 0 ? Math.round(acked / answerSeconds) : 0,
    sendSeconds: round(writes.sendSeconds, 1),
  };
}

// ---- sockets ----

/** Opens a socket, connects, subscribes each `where`; resolves once every `subscribed` arrived. */
function openSubscriber(server, wheres, onEvent) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.livePort}/parse`, { perMessageDeflate: false });
    let pending = wheres.length;
    const timer = setTimeout(() => reject(new Error('subscribe timed out')), 120_000);
    ws.on('error', (err) => (clearTimeout(timer), reject(err)));
    ws.on('open', () => ws.send(JSON.stringify({ op: 'connect', applicationId: server.appId, clientKey: CLIENT })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.op === 'create') onEvent(frame.object);
      else if (frame.op === 'connected') {
        wheres.forEach((where, i) => {
          ws.send(JSON.stringify({ op: 'subscribe', requestId: i + 1, query: { className: 'Tick', where } }));
        });
      } else if (frame.op === 'subscribed') {
        if (--pending === 0) {
          clearTimeout(timer);
          resolve(ws);
        }
      } else if (frame.op === 'error') {
        clearTimeout(timer);
        reject(new Error(`LiveQuery error ${JSON.stringify(frame)}`));
      }
    });
  });
}

/** Opens every plan's socket, 100 at a time; gives up past `budgetMs` (closing what it opened). */
async function openAll(server, plans, { onEvent, budgetMs = SUBSCRIBE_BUDGET_MS }) {
  const sockets = [];
  const started = performance.now();
  for (let i = 0; i < plans.length; i += 100) {
    if (performance.now() - started > budgetMs) {
      await closeAll(sockets);
      throw new Error(`subscribing took more than ${budgetMs / 1000} s (${i} of ${plans.length} sockets)`);
    }
    sockets.push(
      ...(await Promise.all(plans.slice(i, i + 100).map((wheres) => openSubscriber(server, wheres, onEvent)))),
    );
  }
  return { sockets, seconds: (performance.now() - started) / 1000 };
}

async function closeAll(sockets) {
  for (const ws of sockets) ws.terminate();
  // Past Strata's resume window (2 s here), when the dropped subscriptions end.
  await sleep(sockets.length === 0 ? 0 : 3000);
}

/** Heap and RSS of the live process per subscription (after GC), from two probes. */
function perSubscription(before, after, subscriptions) {
  if (subscriptions === 0) return null;
  return {
    heapKb: round(((after.heapUsedMb - before.heapUsedMb) * 1024) / subscriptions, 2),
    rssKb: round(((after.rssMb - before.rssMb) * 1024) / subscriptions, 2),
  };
}
const mb = (probe) => ({ heapUsedMb: round(probe.heapUsedMb, 1), rssMb: round(probe.rssMb, 1) });
/** The live process's time in garbage collection between two probes (not counting their forced collections). */
function gcBetween(start, end) {
  if (start?.gcAfter === undefined || end?.gc === undefined) return null;
  return {
    minorMs: round(end.gc.minorMs - start.gcAfter.minorMs, 1),
    majorMs: round(end.gc.majorMs - start.gcAfter.majorMs, 1),
    collections: end.gc.collections - start.gcAfter.collections,
  };
}

// ---- 1. load ----

async function measureLoad(server) {
  // The class exists and both processes are warm before anything is measured.
  for (let i = 0; i < 20; i++) await createTick(server, { channel: 'warmup', n: -1, score: -1 });
  const channels = Math.max(1, Math.floor(SOCKETS / MATCHING));
  const total = Math.round(RATE * DURATION);
  const sentAt = new Float64Array(total);
  const latencies = [];
  const fromCreatedAt = [];
  let received = 0;
  const onEvent = (object) => {
    const n = object.n;
    if (!(n >= 0 && n < total)) return;
    received++;
    latencies.push(performance.now() - sentAt[n]);
    fromCreatedAt.push(Date.now() - Date.parse(object.createdAt));
  };
  const heapBefore = await server.heap();
  const plans = Array.from({ length: SOCKETS }, (_, i) => [{ channel: `c${i % channels}` }]);
  // The load is the Done-when measurement: its sockets get half again the curve points' budget.
  const { sockets, seconds: subscribeSeconds } = await openAll(server, plans, {
    onEvent,
    budgetMs: SUBSCRIBE_BUDGET_MS * 1.5,
  });
  await sleep(500);
  const heapAfter = await server.heap();
  const loadStart = load1();
  const window = cpuWindow(server);
  const writes = await pacedWrites(server, {
    rate: RATE,
    seconds: DURATION,
    sentAt,
    body: (n) => ({ channel: `c${Math.floor(Math.random() * channels)}`, n, score: -1 }),
  });
  const untilLastEvent = await drain(writes, { delivered: () => received, perWrite: MATCHING });
  const cpu = window();
  const counts = writeCounts(writes);
  const gc = gcBetween(heapAfter, await server.heap());
  await closeAll(sockets);
  latencies.sort((a, b) => a - b);
  fromCreatedAt.sort((a, b) => a - b);
  return {
    sockets: SOCKETS,
    subscriptions: SOCKETS,
    targetWritesPerSecond: RATE,
    seconds: DURATION,
    ...counts,
    eventsExpected: writes.total * MATCHING,
    eventsOfAckedWrites: counts.writesAcked * MATCHING,
    eventsDelivered: received,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
    latencyFromCreatedAtMs: { p50: percentile(fromCreatedAt, 50), p99: percentile(fromCreatedAt, 99) },
    secondsUntilLastEvent: round(untilLastEvent, 1),
    subscribeSeconds: round(subscribeSeconds, 1),
    cpuSeconds: cpu,
    liveCpuMsPerWrite: round((cpu.live * 1000) / Math.max(1, received / MATCHING)),
    liveCpuMsPerEvent: round((cpu.live * 1000) / Math.max(1, received)),
    liveCores: round(cpu.live / cpu.seconds, 2),
    liveGc: gc,
    apiCpuMsPerWrite: server.api === server.live ? null : round((cpu.api * 1000) / Math.max(1, counts.writesAcked)),
    liveMemory: { beforeSubscribing: mb(heapBefore), afterSubscribing: mb(heapAfter) },
    perSubscription: perSubscription(heapBefore, heapAfter, SOCKETS),
    loadAverage: { start: loadStart, end: load1() },
  };
}

// ---- 2. curve ----

async function curvePoint(server, subscriptions, score0) {
  const groups = Math.max(1, Math.floor(subscriptions / MATCHING));
  const total = Math.round(CURVE_RATE * CURVE_SECONDS);
  const sentAt = new Float64Array(total);
  const base = score0 * 1e6;
  const latencies = [];
  let received = 0;
  const onEvent = (object) => {
    const n = object.n - base;
    if (!(n >= 0 && n < total)) return;
    received++;
    latencies.push(performance.now() - sentAt[n]);
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
  const heapBefore = await server.heap();
  const { sockets, seconds: subscribeSeconds } =
    subscriptions === 0 ? { sockets: [], seconds: 0 } : await openAll(server, plans, { onEvent });
  await sleep(500);
  const heapAfter = await server.heap();
  const loadStart = load1();
  const window = cpuWindow(server);
  const writes = await pacedWrites(server, {
    rate: CURVE_RATE,
    seconds: CURVE_SECONDS,
    sentAt,
    body: (n) => ({ channel: 'curve', n: base + n, score: score0 + Math.floor(Math.random() * groups) + 0.5 }),
  });
  const perWrite = subscriptions === 0 ? 0 : MATCHING;
  const untilLastEvent = await drain(writes, { delivered: () => received, perWrite });
  // No subscription: nothing to wait for but the last changes reaching the live process.
  if (subscriptions === 0) await sleep(500);
  const cpu = window();
  const counts = writeCounts(writes);
  const gc = gcBetween(heapAfter, await server.heap());
  await closeAll(sockets);
  latencies.sort((a, b) => a - b);
  // Writes the live process got through: all of them, or (cut by the drain) those its delivered events account for.
  const handled = subscriptions === 0 ? counts.writesAcked : Math.min(counts.writesAcked, received / MATCHING);
  return {
    subscriptions,
    matchingPerWrite: perWrite,
    ...counts,
    eventsExpected: writes.total * perWrite,
    eventsDelivered: received,
    subscribeSeconds: round(subscribeSeconds, 1),
    secondsUntilLastEvent: round(untilLastEvent, 1),
    cpuSeconds: cpu,
    liveCpuMsPerWrite: round((cpu.live * 1000) / Math.max(1, handled)),
    liveGc: gc,
    liveGcMsPerWrite: gc === null ? null : round((gc.minorMs + gc.majorMs) / Math.max(1, handled)),
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    liveMemory: { beforeSubscribing: mb(heapBefore), afterSubscribing: mb(heapAfter) },
    perSubscription: perSubscription(heapBefore, heapAfter, subscriptions),
    loadAverage: { start: loadStart, end: load1() },
  };
}

async function measureCurve(server) {
  for (let i = 0; i < 50; i++) await createTick(server, { channel: 'warmup', n: -1, score: -1 });
  const points = [];
  let score0 = 1;
  for (const n of [0, ...CURVE]) {
    try {
      points.push(await curvePoint(server, n, score0));
    } catch (err) {
      points.push({ subscriptions: n, error: String(err?.message ?? err) });
      console.error(`${server.name} curve ${n}: ${err?.stack ?? err}`);
    }
    console.log(JSON.stringify(points.at(-1)));
    score0 += Math.max(1, n);
  }
  const floor = points[0].liveCpuMsPerWrite;
  for (const point of points) {
    if (point.subscriptions > 0 && point.liveCpuMsPerWrite !== undefined && floor !== undefined) {
      point.liveQueryCpuMsPerWrite = round(point.liveCpuMsPerWrite - floor);
    }
  }
  return points;
}

// ---- run ----

const result = {
  startedAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  topology:
    'per target: an api process (writes, publishes the change over Redis) and one live process (sockets, matching), both measured from /proc; this process generates the load',
  options: {
    SOCKETS,
    RATE,
    BATCH,
    DURATION,
    MATCHING,
    CURVE,
    SUBS_PER_SOCKET,
    CURVE_RATE,
    CURVE_SECONDS,
    drainS: DRAIN_MS / 1000,
    subscribeBudgetS: SUBSCRIBE_BUDGET_MS / 1000,
  },
  targets: {},
};
const out =
  values.out ??
  path.join(repoRoot, 'bench/results', `${result.startedAt.replace(/[:.]/g, '-').slice(0, 19)}-live.json`);
// Written after every phase, so a run cut short still leaves what it measured.
const save = () => writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
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
      entry.topology = server.topology;
      console.log(`${name} ${phase}: measuring (load average ${load1()}, ${new Date().toISOString()})`);
      entry[phase] = phase === 'load' ? await measureLoad(server) : await measureCurve(server);
      if (phase === 'load') console.log(JSON.stringify(entry[phase]));
    } catch (err) {
      failures++;
      entry[phase] = { error: String(err?.stack ?? err) };
      console.error(
        `${name} ${phase} failed: ${err?.stack ?? err}\n${server?.api.tail() ?? ''}\n${server?.live.tail() ?? ''}`,
      );
    } finally {
      await server?.stop().catch(() => {});
    }
    save();
  }
}

// The summary tables.
const lines = [];
lines.push(`LiveQuery bench ${result.startedAt} (${path.relative(repoRoot, out)})`);
for (const [name, { topology }] of Object.entries(result.targets)) lines.push(`${name}: ${topology}`);
lines.push(
  `\nload: ${SOCKETS} sockets with one subscription each, ${RATE} writes/s for ${DURATION} s (/batch of ${BATCH}), ${MATCHING} subscriptions match each write`,
);
lines.push(
  'target       | writes/s asked→acked | events delivered | p50/p99 ms from send | p50/p99 ms from createdAt | live CPU ms/event | live cores | live GC ms | heap/RSS KB per sub | CPU s live/api/gen/redis/db | load',
);
for (const [name, { load }] of Object.entries(result.targets)) {
  if (!load || load.error) continue;
  const c = load.cpuSeconds;
  lines.push(
    `${name.padEnd(12)} | ${load.targetWritesPerSecond}→${load.writesAckedPerSecond} | ${load.eventsDelivered}/${load.eventsExpected} | ${load.latencyMs.p50}/${load.latencyMs.p99} | ${load.latencyFromCreatedAtMs.p50}/${load.latencyFromCreatedAtMs.p99} | ${load.liveCpuMsPerEvent} | ${load.liveCores} | ${load.liveGc === null ? '-' : round(load.liveGc.minorMs + load.liveGc.majorMs, 0)} | ${load.perSubscription?.heapKb}/${load.perSubscription?.rssKb} | ${c.live}/${c.api}/${c.generator}/${c.redis}/${c.database} | ${load.loadAverage.start}-${load.loadAverage.end}`,
  );
}
lines.push(
  `\ncurve: ${MATCHING} subscriptions match each write, the others never; ${CURVE_RATE} writes/s for ${CURVE_SECONDS} s; live CPU per write (0 subscriptions: the change feed alone)`,
);
lines.push(
  'target       | subs   | live CPU ms/write | LiveQuery ms/write | GC ms/write | events | p50/p99 ms | heap/RSS KB per sub | subscribe s | load',
);
for (const [name, { curve }] of Object.entries(result.targets)) {
  if (!Array.isArray(curve)) continue;
  for (const p of curve) {
    if (p.error) {
      lines.push(`${name.padEnd(12)} | ${String(p.subscriptions).padEnd(6)} | ${p.error}`);
      continue;
    }
    lines.push(
      `${name.padEnd(12)} | ${String(p.subscriptions).padEnd(6)} | ${p.liveCpuMsPerWrite} | ${p.liveQueryCpuMsPerWrite ?? '-'} | ${p.liveGcMsPerWrite ?? '-'} | ${p.eventsDelivered}/${p.eventsExpected} | ${p.latencyMs.p50 ?? '-'}/${p.latencyMs.p99 ?? '-'} | ${p.perSubscription?.heapKb ?? '-'}/${p.perSubscription?.rssKb ?? '-'} | ${p.subscribeSeconds} | ${p.loadAverage.start}-${p.loadAverage.end}`,
    );
  }
}
const summary = lines.join('\n');
console.log(`\n${summary}`);
save();
if (values.summary) appendFileSync(values.summary, `${summary}\n`);
agent.destroy();
process.exit(failures > 0 ? 1 : 0);
