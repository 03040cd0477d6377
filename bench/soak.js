#!/usr/bin/env node
// The soak (issue 19 item 4): one real `strata start` (SQLite) under a mixed workload, first a short closed-loop
// run to measure its peak, then `--minutes` (10) at `--fraction` (70 %) of that peak, open loop. The mix: gets,
// finds, creates, updates, log-ins, cloud function calls, LiveQuery subscribers that must receive an event for
// every acknowledged create and update, and a cloud job started every second (each must run). Every 10 s it samples
// the server's RSS and heap (/metrics), its open file descriptors (/proc) and its active handles/timers (a
// master-only cloud function). It prints errors (must be 0), p50/p99 per minute, the samples as an ASCII plot,
// and fds/handles before and after (with a GC on both sides), and writes bench/results/<ts>-soak.{json,txt,svg}.
//
//   node bench/soak.js [--minutes 10] [--peak-seconds 20] [--fraction 0.7] [--subscribers 20] [--out-prefix P]
import { readdirSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);
const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'peak-seconds': { type: 'string', default: '20' },
    fraction: { type: 'string', default: '0.7' },
    subscribers: { type: 'string', default: '20' },
    'out-prefix': { type: 'string' },
  },
});
const MINUTES = Number(flags.minutes);
const PEAK_SECONDS = Number(flags['peak-seconds']);
const FRACTION = Number(flags.fraction);
const SUBSCRIBERS = Number(flags.subscribers);
const SAMPLE_MS = 10_000;
const APP_ID = 'soak-app';
const MASTER_KEY = 'soak-master-key';
const CLIENT_KEY = 'soak-client-key';
const USERS = 20;
const SEED_ROWS = 500;
const PEAK_CONCURRENCY = 32;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (list) => list[Math.floor(Math.random() * list.length)];

// ---- the server ----------------------------------------------------------------------------------------------
const port = await freePort();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'strata-soak-'));
const base = `http://127.0.0.1:${port}`;
const server = spawnProcess({
  name: 'strata',
  command: process.execPath,
  // --expose-gc: the probe collects before reading the heap, so before/after compare live objects only.
  args: [
    '--expose-gc',
    path.join(repoRoot, 'server/bin/strata.js'),
    'start',
    ...['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir],
    ...['--app-id', APP_ID, '--master-key', MASTER_KEY, '--client-key', CLIENT_KEY],
    ...['--javascript-key', CLIENT_KEY, '--rest-api-key', CLIENT_KEY, '--allow-client-class-creation'],
    ...['--log-level', 'warn', '--cloud', path.join(benchDir, 'cloud/soak.js')],
  ],
  env: { NODE_ENV: 'production', STRATA_AUTH_RATE_LIMIT: '0', STRATA_AUTH_RATE_LIMIT_ACCOUNT: '0' },
  cwd: repoRoot,
});
await waitForHttp200(server, `${base}/parse/health`);
const serverPid = server.child.pid;

// ---- HTTP --------------------------------------------------------------------------------------------------------
let agent = new Agent({ keepAlive: true, maxSockets: 64 });
const keepAliveRetries = { count: 0 };
function call(method, urlPath, { body, master = false, session, fresh = false, retries = 3 } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = {
      'X-Parse-Application-Id': APP_ID,
      ...(master ? { 'X-Parse-Master-Key': MASTER_KEY } : { 'X-Parse-REST-API-Key': CLIENT_KEY }),
      ...(session === undefined ? {} : { 'X-Parse-Session-Token': session }),
      ...(text === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }),
    };
    // `fresh`: a connection of its own, closed after the answer (the probes must not count the load's sockets).
    const via = fresh ? { agent: false, headers: { ...headers, Connection: 'close' } } : { agent, headers };
    const req = httpRequest({ host: '127.0.0.1', port, method, path: urlPath, ...via }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(raw);
        } catch {
          json = raw;
        }
        resolve({ status: res.statusCode, body: json, headers: res.headers, ms: performance.now() - started });
      });
      res.on('error', (err) => resolve({ status: 0, body: err.message, ms: performance.now() - started }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (err) => {
      // A kept-alive socket the server closed as idle just as this request went out (Node's documented race):
      // HTTP clients retry that (up to 3 times here, only on a reused socket); counted, not hidden.
      if (req.reusedSocket && err.code === 'ECONNRESET' && retries > 0) {
        keepAliveRetries.count += 1;
        call(method, urlPath, { body, master, session, fresh, retries: retries - 1 }).then(resolve);
        return;
      }
      resolve({ status: 0, body: err.message, ms: performance.now() - started });
    });
    if (text !== undefined) req.write(text);
    req.end();
  });
}
async function must(method, urlPath, options) {
  const expected = [200, 201];
  const answer = await call(method, urlPath, options);
  if (!expected.includes(answer.status))
    throw new Error(`${method} ${urlPath}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

// ---- seed --------------------------------------------------------------------------------------------------------
const sessions = [];
const usernames = [];
for (let i = 0; i < USERS; i++) {
  const username = `soak-${i}`;
  const user = await must('POST', '/parse/users', { body: { username, password: `pw-${i}` } });
  usernames.push(username);
  sessions.push(user.sessionToken);
}
const ids = [];
for (let offset = 0; offset < SEED_ROWS; offset += 50) {
  const requests = Array.from({ length: 50 }, (_, i) => ({
    method: 'POST',
    path: '/parse/classes/SoakItem',
    body: { n: offset + i, tag: `t${(offset + i) % 10}`, text: 'seed' },
  }));
  const answers = await must('POST', '/parse/batch', { body: { requests }, master: true });
  for (const a of answers) ids.push(a.success.objectId);
}

// ---- LiveQuery subscribers ---------------------------------------------------------------------------------------
const live = { received: 0, errors: 0, closed: 0 };
const sockets = [];
for (let i = 0; i < SUBSCRIBERS; i++) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/parse`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const subscribed = new Promise((resolve) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString('utf8'));
      if (frame.op === 'subscribed') resolve();
      else if (frame.op === 'create' || frame.op === 'update') live.received += 1;
      else if (frame.op === 'error') live.errors += 1;
    });
  });
  socket.on('close', () => (live.closed += 1));
  socket.send(JSON.stringify({ op: 'connect', applicationId: APP_ID, clientKey: CLIENT_KEY }));
  socket.send(JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'SoakItem', where: {} } }));
  await subscribed;
  sockets.push(socket);
}

// ---- the mixed workload --------------------------------------------------------------------------------------------
/** Each op: [name, weight, run() → answer, expected statuses]. Creates and updates are what LiveQuery reports. */
const stats = { live: 0 };
const OPS = [
  ['get', 30, () => call('GET', `/parse/classes/SoakItem/${pick(ids)}`), [200]],
  [
    'find',
    15,
    () => {
      const where = encodeURIComponent(JSON.stringify({ tag: `t${Math.floor(Math.random() * 10)}` }));
      return call('GET', `/parse/classes/SoakItem?where=${where}&limit=20&order=-n`);
    },
    [200],
  ],
  [
    'create',
    15,
    async () => {
      const answer = await call('POST', '/parse/classes/SoakItem', { body: { n: -1, tag: 'new', text: 'soak' } });
      if (answer.status === 201) stats.live += 1;
      return answer;
    },
    [201],
  ],
  [
    'update',
    10,
    async () => {
      const answer = await call('PUT', `/parse/classes/SoakItem/${pick(ids)}`, {
        body: { n: { __op: 'Increment', amount: 1 } },
      });
      if (answer.status === 200) stats.live += 1;
      return answer;
    },
    [200],
  ],
  [
    'login',
    5,
    () => {
      const i = Math.floor(Math.random() * USERS);
      return call('POST', '/parse/login', { body: { username: usernames[i], password: `pw-${i}` } });
    },
    [200],
  ],
  ['function', 15, () => call('POST', '/parse/functions/soakEcho', { body: { n: 1 }, session: pick(sessions) }), [200]],
  ['me', 10, () => call('GET', '/parse/users/me', { session: pick(sessions) }), [200]],
];
const totalWeight = OPS.reduce((sum, op) => sum + op[1], 0);
function pickOp() {
  let r = Math.random() * totalWeight;
  for (const op of OPS) {
    r -= op[1];
    if (r < 0) return op;
  }
  return OPS[0];
}

// Sessions die when a log-in rotates nothing here (log-in creates a new session), so they stay valid all run.
function newWindow() {
  return { ops: 0, errors: 0, latencies: [], byOp: {} };
}
const errorSamples = [];
async function runOne(window) {
  const [name, , run, expected] = pickOp();
  const answer = await run();
  window.ops += 1;
  window.byOp[name] = (window.byOp[name] ?? 0) + 1;
  window.latencies.push(answer.ms);
  if (!expected.includes(answer.status)) {
    window.errors += 1;
    if (errorSamples.length < 20) errorSamples.push({ op: name, status: answer.status, body: answer.body });
  }
}
const percentile = (sorted, p) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// ---- samples -------------------------------------------------------------------------------------------------------
async function probe() {
  // The load's keep-alive sockets are closed first: only what the server itself holds on to is counted.
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 64 });
  await sleep(2000);
  const answer = await must('POST', '/parse/functions/soakProcess', { body: {}, master: true, fresh: true });
  return { ...answer.result, fds: readdirSync(`/proc/${serverPid}/fd`).length };
}
async function sampleMetrics() {
  const answer = await call('GET', '/metrics');
  const read = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(String(answer.body))?.[1] ?? NaN);
  return {
    rss: read('process_resident_memory_bytes'),
    heapUsed: read('nodejs_heap_size_used_bytes'),
    fds: readdirSync(`/proc/${serverPid}/fd`).length,
  };
}

// ---- 1. the peak, closed loop --------------------------------------------------------------------------------------
console.log(
  `# soak: strata pid ${serverPid} on ${base}, ${SUBSCRIBERS} LiveQuery subscribers, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
async function closedLoop(seconds) {
  const window = newWindow();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: PEAK_CONCURRENCY }, async () => {
      while (performance.now() < until) await runOne(window);
    }),
  );
  return window;
}
await closedLoop(3); // warm-up
const peakWindow = await closedLoop(PEAK_SECONDS);
const peak = peakWindow.ops / PEAK_SECONDS;
const rate = peak * FRACTION;
console.log(
  `# peak: ${peak.toFixed(0)} ops/s over ${PEAK_SECONDS} s (${PEAK_CONCURRENCY} in flight), ${peakWindow.errors} errors; soak at ${rate.toFixed(0)} ops/s`,
);
await sleep(3000);

// ---- 2. the soak, open loop at `rate` ------------------------------------------------------------------------------
const liveBefore = { received: live.received, expected: stats.live };
const before = await probe();
const startLoad = os.loadavg();
const minutes = [];
const samples = [];
const jobs = { started: 0, failed: 0 };
let inFlight = 0;
let maxInFlight = 0;
let window = newWindow();
const soakStart = performance.now();
const soakEnd = soakStart + MINUTES * 60_000;
let nextMinute = soakStart + 60_000;
let nextSample = soakStart;
let nextJob = soakStart;
let owed = 0;
let last = soakStart;
const pending = new Set();
while (performance.now() < soakEnd) {
  const now = performance.now();
  owed += ((now - last) / 1000) * rate;
  last = now;
  while (owed >= 1) {
    owed -= 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const w = window;
    const p = runOne(w).finally(() => {
      inFlight -= 1;
      pending.delete(p);
    });
    pending.add(p);
  }
  if (now >= nextJob) {
    nextJob += 1000;
    jobs.started += 1;
    const n = jobs.started;
    const p = call('POST', '/parse/jobs/soakJob', { body: { n }, master: true }).then((a) => {
      if (a.status !== 200) jobs.failed += 1;
      pending.delete(p);
    });
    pending.add(p);
  }
  if (now >= nextSample) {
    nextSample += SAMPLE_MS;
    const t = Math.round((now - soakStart) / 1000);
    sampleMetrics().then((s) => samples.push({ t, ...s }));
  }
  if (now >= nextMinute) {
    nextMinute += 60_000;
    closeMinute();
  }
  await sleep(5);
}
function closeMinute() {
  const sorted = window.latencies.sort((a, b) => a - b);
  const row = {
    minute: minutes.length + 1,
    ops: window.ops,
    opsPerSecond: Math.round(window.ops / 60),
    errors: window.errors,
    p50: +percentile(sorted, 50).toFixed(1),
    p99: +percentile(sorted, 99).toFixed(1),
    max: +(sorted.at(-1) ?? 0).toFixed(1),
    load1: +os.loadavg()[0].toFixed(1),
  };
  minutes.push(row);
  console.log(
    `# minute ${row.minute}: ${row.opsPerSecond} ops/s, ${row.errors} errors, p50 ${row.p50} ms, p99 ${row.p99} ms, max ${row.max} ms, load ${row.load1}`,
  );
  window = newWindow();
}
await Promise.all(pending);
// The last minute's requests still in flight at the end are in its window.
if (window.ops > 0) closeMinute();
const closedDuringRun = live.closed;
const endLoad = os.loadavg();

// ---- 3. afterwards: every job ran, every event arrived, nothing leaked ----------------------------------------------
let jobsRun = 0;
for (let i = 0; i < 60; i++) {
  const count = await must('GET', `/parse/classes/SoakJobMark?count=1&limit=0`, { master: true });
  jobsRun = count.count;
  const expectedLive = (stats.live - liveBefore.expected) * SUBSCRIBERS;
  if (jobsRun >= jobs.started - jobs.failed && live.received - liveBefore.received >= expectedLive) break;
  await sleep(1000);
}
const liveExpected = (stats.live - liveBefore.expected) * SUBSCRIBERS;
const liveReceived = live.received - liveBefore.received;
await sleep(3000);
const after = await probe();
for (const socket of sockets) socket.close();
agent.destroy();
await stopProcess(server);
rmSync(dataDir, { recursive: true, force: true });

// ---- report ----------------------------------------------------------------------------------------------------------
const totalErrors = minutes.reduce((s, m) => s + m.errors, 0) + jobs.failed;
const mb = (bytes) => bytes / 1024 / 1024;
function asciiPlot(title, series, unit) {
  const height = 12;
  const values = series.map((s) => s.v);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const rows = [];
  for (let r = height - 1; r >= 0; r--) {
    const level = lo + (span * r) / (height - 1);
    let line = `${level.toFixed(1).padStart(8)} ${unit} |`;
    for (const v of values) line += Math.round(((v - lo) / span) * (height - 1)) === r ? '*' : ' ';
    rows.push(line);
  }
  rows.push(`${' '.repeat(12)}+${'-'.repeat(values.length)}`);
  rows.push(
    `${' '.repeat(13)}0 s${' '.repeat(Math.max(1, values.length - 8))}${series.at(-1)?.t ?? 0} s  (one column per ${SAMPLE_MS / 1000} s)`,
  );
  return `${title}\n${rows.join('\n')}`;
}
function svgPlot(series) {
  const w = 800;
  const h = 300;
  const pad = 40;
  const tMax = Math.max(1, ...series.map((s) => s.t));
  const vMax = Math.max(1, ...series.flatMap((s) => [mb(s.rss), mb(s.heapUsed)])) * 1.1;
  const line = (key, color) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${series
      .map(
        (s) =>
          `${(pad + ((w - 2 * pad) * s.t) / tMax).toFixed(1)},${(h - pad - ((h - 2 * pad) * mb(s[key])) / vMax).toFixed(1)}`,
      )
      .join(' ')}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="black"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="black"/>
<text x="${pad}" y="${pad - 10}">Strata soak: RSS (blue) and V8 heap used (red), MB, every ${SAMPLE_MS / 1000} s; max ${vMax.toFixed(0)} MB</text>
<text x="${w - pad - 60}" y="${h - pad + 20}">${tMax} s</text><text x="${pad - 30}" y="${h - pad + 4}">0</text>
${line('rss', 'steelblue')}
${line('heapUsed', 'firebrick')}
</svg>
`;
}
const rssSeries = samples.map((s) => ({ t: s.t, v: mb(s.rss) }));
const heapSeries = samples.map((s) => ({ t: s.t, v: mb(s.heapUsed) }));
const fdSeries = samples.map((s) => ({ t: s.t, v: s.fds }));
const p99s = minutes.map((m) => m.p99);
/** Least-squares slope of a series, in units per minute (memory flat: near 0 against the level). */
function slopePerMinute(series) {
  if (series.length < 2) return 0;
  const n = series.length;
  const mt = series.reduce((a, p) => a + p.t, 0) / n;
  const mv = series.reduce((a, p) => a + p.v, 0) / n;
  const cov = series.reduce((a, p) => a + (p.t - mt) * (p.v - mv), 0);
  const varT = series.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return varT === 0 ? 0 : (cov / varT) * 60;
}
// p99 of the minutes after the first (the first holds the warm-up), and its spread against the median minute.
const steadyP99 = p99s.slice(1).sort((a, b) => a - b);
const medianP99 = steadyP99[Math.floor(steadyP99.length / 2)] ?? 0;
const resourceKinds = [...new Set([...Object.keys(before.resources), ...Object.keys(after.resources)])].sort();
const report = [
  `Strata soak, ${new Date().toISOString()} (${os.cpus().length} cores, node ${process.version})`,
  `load average at start ${startLoad.map((l) => l.toFixed(1)).join(' ')}, at end ${endLoad.map((l) => l.toFixed(1)).join(' ')}`,
  `peak (closed loop, ${PEAK_CONCURRENCY} in flight, ${PEAK_SECONDS} s): ${peak.toFixed(0)} ops/s; soak at ${(FRACTION * 100).toFixed(0)} % = ${rate.toFixed(0)} ops/s for ${MINUTES} min (open loop; at most ${maxInFlight} in flight)`,
  `mix (weights): ${OPS.map((o) => `${o[0]} ${o[1]}`).join(', ')}; + ${SUBSCRIBERS} LiveQuery subscribers; + a cloud job every second`,
  '',
  `ERRORS: ${totalErrors} (requests ${totalErrors - jobs.failed}, job starts ${jobs.failed})`,
  `requests retried after the server closed an idle kept-alive socket as they were sent (ECONNRESET on a reused socket): ${keepAliveRetries.count}`,
  `jobs: ${jobs.started} started, ${jobsRun} ran (a SoakJobMark each)`,
  `LiveQuery: ${liveReceived} of ${liveExpected} expected events received (${SUBSCRIBERS} subscribers x acked creates/updates); ${live.errors} error frames, ${closedDuringRun} sockets closed by the server before the end`,
  '',
  'minute  ops/s  errors  p50 ms  p99 ms  max ms  load1',
  ...minutes.map(
    (m) =>
      `${String(m.minute).padStart(6)} ${String(m.opsPerSecond).padStart(6)} ${String(m.errors).padStart(7)} ${String(m.p50).padStart(7)} ${String(m.p99).padStart(7)} ${String(m.max).padStart(7)} ${String(m.load1).padStart(6)}`,
  ),
  `p99 spread: min ${Math.min(...p99s)} ms, max ${Math.max(...p99s)} ms; ${steadyP99.length === 0 ? 'one minute only' : `minutes 2..${p99s.length}: median ${medianP99} ms, max/median ${(Math.max(...steadyP99) / Math.max(medianP99, 0.001)).toFixed(2)}`}`,
  `memory trend (least squares over the samples): RSS ${slopePerMinute(rssSeries).toFixed(2)} MB/min, heap used ${slopePerMinute(heapSeries).toFixed(2)} MB/min`,
  '',
  asciiPlot('RSS (MB)', rssSeries, 'MB'),
  '',
  asciiPlot('V8 heap used (MB)', heapSeries, 'MB'),
  '',
  asciiPlot('open file descriptors', fdSeries, '  '),
  '',
  `before / after the soak (each after a forced GC, ${SUBSCRIBERS} subscribers still connected):`,
  `  rss ${mb(before.rss).toFixed(1)} → ${mb(after.rss).toFixed(1)} MB; heap used ${mb(before.heapUsed).toFixed(1)} → ${mb(after.heapUsed).toFixed(1)} MB; open fds ${before.fds} → ${after.fds}`,
  ...resourceKinds.map((k) => `  active ${k}: ${before.resources[k] ?? 0} → ${after.resources[k] ?? 0}`),
  ...(errorSamples.length === 0
    ? []
    : [
        '',
        'first errors:',
        ...errorSamples.map((e) => `  ${e.op} ${e.status} ${JSON.stringify(e.body).slice(0, 200)}`),
      ]),
].join('\n');
console.log(`\n${report}`);
const outDir = path.join(benchDir, 'results');
mkdirSync(outDir, { recursive: true });
const prefix =
  flags['out-prefix'] ?? path.join(outDir, `${new Date().toISOString().slice(0, 16).replace(/:/g, '-')}-soak`);
writeFileSync(`${prefix}.txt`, `${report}\n`);
writeFileSync(`${prefix}.svg`, svgPlot(samples));
writeFileSync(
  `${prefix}.json`,
  `${JSON.stringify({ peak, rate, minutes, samples, before, after, jobs: { ...jobs, ran: jobsRun }, live: { received: liveReceived, expected: liveExpected, errors: live.errors, closed: closedDuringRun }, errors: totalErrors, keepAliveRetries: keepAliveRetries.count, errorSamples, load: { start: startLoad, end: endLoad }, trend: { rssMBPerMinute: slopePerMinute(rssSeries), heapMBPerMinute: slopePerMinute(heapSeries), p99MedianMs: medianP99 } }, null, 2)}\n`,
);
console.log(`results: ${prefix}.{txt,json,svg}`);
process.exit(
  totalErrors === 0 && closedDuringRun === 0 && liveReceived >= liveExpected && jobsRun >= jobs.started ? 0 : 1,
);
