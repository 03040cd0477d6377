// Push side by side (issue 16's bench): Strata and parse-server 9.10 + @parse/push-adapter (the adapter
// parse-server ships with) deliver one push to N iOS installations through the same local APNs fake
// (node:http2 over TLS, answering 200 with an apns-id like Apple). Prints per server: time from POST /push to
// the last notification at the fake, notifications per second, the server's CPU seconds (user + system,
// from /proc: less sensitive than wall time to a loaded machine) and its resident memory during delivery.
//
//   npm run build && (cd bench && npm install) && node bench/push-compare.js [--installations 10000]
//     [--targets strata,parse-server] [--badge 1 | --badge Increment]
//
// Why APNs and not FCM: the adapter's FCM sender goes through firebase-admin, whose send host
// (fcm.googleapis.com) and OAuth host are constants in its code, so it cannot be pointed at a local fake
// without intercepting DNS and TLS. Its APNs sender (@parse/node-apn) takes `address`, `port` and `ca`.
// Both servers get the same token-auth key; the fake does not check signatures (this measures the servers).
// parse-server runs on PostgreSQL (as in compare.js), Strata on SQLite (its default), both with
// their in-process push queue.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);
const { values } = parseArgs({
  options: {
    installations: { type: 'string', default: '10000' },
    targets: { type: 'string', default: 'strata,parse-server' },
    // The push's badge: a number (stored on each device) or "Increment" (each device's own + 1).
    badge: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const total = Number(values.installations);
const badge = /^\d+$/.test(values.badge) ? Number(values.badge) : values.badge;
const APP_ID = 'bench-push';
const MASTER = 'bench-push-master';
const CLIENT = 'bench-push-client';
const TOPIC = 'org.strata.bench';

const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-bench-push-compare-'));
const tlsKey = path.join(dir, 'tls-key.pem');
const tlsCert = path.join(dir, 'tls-cert.pem');
execFileSync(
  'openssl',
  [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', tlsKey, '-out', tlsCert, '-days', '1', '-subj', '/CN=127.0.0.1'],
    ...['-addext', 'subjectAltName=IP:127.0.0.1'],
  ],
  { stdio: 'ignore' },
);
const signingKey = path.join(dir, 'apns-key.p8');
writeFileSync(
  signingKey,
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
);

// The APNs fake: every POST /3/device/<token> answered 200 with an apns-id; the first body kept to show
// both servers sent the same notification.
let received = 0;
let lastAt = 0;
let firstBody;
// Apple announces 1000 concurrent streams per connection; Node's default 10 MB of session memory would
// refuse streams from a client that opens thousands at once (parse-server's node-apn does), which Apple does not.
const fake = createSecureServer({
  key: readFileSync(tlsKey),
  cert: readFileSync(tlsCert),
  settings: { maxConcurrentStreams: 1000 },
  maxSessionMemory: 512,
});
fake.on('stream', (stream, headers) => {
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  stream.on('error', () => undefined);
  stream.on('end', () => {
    // A client that gave up on a stream (its own timeout) gets no answer; it is not counted.
    if (stream.destroyed || stream.closed) return;
    if (headers[':method'] === 'POST' && String(headers[':path']).startsWith('/3/device/')) {
      received++;
      lastAt = performance.now();
      firstBody ??= { topic: headers['apns-topic'], body: Buffer.concat(chunks).toString('utf8') };
      stream.respond({ ':status': 200, 'apns-id': `bench-${received}` });
    } else {
      stream.respond({ ':status': 404 });
    }
    stream.end();
  });
});
fake.on('error', () => undefined);
await new Promise((resolve) => fake.listen(0, '127.0.0.1', resolve));
const fakePort = fake.address().port;

const cpuSeconds = (pid) => {
  // utime and stime (fields 14 and 15) in clock ticks; the ticks are 100 per second on Linux.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rssMb = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.replace(/\D+/g, '') ?? 0) / 1024);
};

async function startStrata() {
  const port = await freePort();
  const data = path.join(dir, 'strata-data');
  const server = spawnProcess({
    command: process.execPath,
    args: [path.join(repoRoot, 'server/bin/strata.js'), 'start'],
    cwd: repoRoot,
    name: 'strata',
    env: {
      STRATA_PORT: String(port),
      STRATA_HOST: '127.0.0.1',
      STRATA_DATA_DIR: data,
      STRATA_APP_ID: APP_ID,
      STRATA_MASTER_KEY: MASTER,
      STRATA_CLIENT_KEY: CLIENT,
      STRATA_LOG_LEVEL: 'warn',
      STRATA_DASHBOARD: 'false',
      STRATA_PUSH_APNS_KEY: signingKey,
      STRATA_PUSH_APNS_KEY_ID: 'BENCHKEY01',
      STRATA_PUSH_APNS_TEAM_ID: 'BENCHTEAM1',
      STRATA_PUSH_APNS_TOPIC: TOPIC,
      STRATA_PUSH_APNS_URL: `https://127.0.0.1:${fakePort}`,
      STRATA_PUSH_CA: tlsCert,
    },
  });
  await waitForHttp200(server, `http://127.0.0.1:${port}/health`);
  return { server, base: `http://127.0.0.1:${port}/parse`, pid: server.child.pid };
}

async function startParseServer() {
  if (!existsSync(path.join(benchDir, 'node_modules/parse-server/package.json')))
    throw new Error('parse-server is not installed (cd bench && npm install)');
  const db = `bench_push_${process.pid}`;
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qc', `CREATE DATABASE ${db}`]);
  const pushConfig = path.join(dir, 'parse-push.json');
  writeFileSync(
    pushConfig,
    JSON.stringify({
      ios: [
        {
          token: { key: signingKey, keyId: 'BENCHKEY01', teamId: 'BENCHTEAM1' },
          topic: TOPIC,
          production: false,
          address: '127.0.0.1',
          port: fakePort,
          ca: readFileSync(tlsCert, 'utf8'),
        },
      ],
    }),
  );
  const port = await freePort();
  const server = spawnProcess({
    command: process.execPath,
    args: [
      path.join(benchDir, 'parse-server.js'),
      ...['--port', String(port), '--database-uri', `postgres://postgres@127.0.0.1:5432/${db}`],
      ...['--app-id', APP_ID, '--master-key', MASTER, '--client-key', CLIENT],
      ...['--push-config', pushConfig, '--logs-folder', path.join(dir, 'parse-logs')],
    ],
    cwd: benchDir,
    name: 'parse-server',
    env: {},
  });
  await waitForHttp200(server, `http://127.0.0.1:${port}/parse/health`);
  return {
    server,
    base: `http://127.0.0.1:${port}/parse`,
    pid: server.child.pid,
    drop: () =>
      execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qc', `DROP DATABASE ${db}`]),
  };
}

async function measure(name, start) {
  received = 0;
  lastAt = 0;
  firstBody = undefined;
  const target = await start();
  const headers = {
    'X-Parse-Application-Id': APP_ID,
    'X-Parse-Master-Key': MASTER,
    'Content-Type': 'application/json',
  };
  try {
    const seedStart = performance.now();
    for (let i = 0; i < total; i += 500) {
      const requests = [];
      for (let j = i; j < Math.min(total, i + 500); j++) {
        requests.push({
          method: 'POST',
          path: '/parse/classes/_Installation',
          body: {
            installationId: `bench-${j}`,
            deviceType: 'ios',
            deviceToken: j.toString(16).padStart(64, '0'),
            appIdentifier: TOPIC,
            channels: ['all'],
          },
        });
      }
      const r = await fetch(`${target.base}/batch`, { method: 'POST', headers, body: JSON.stringify({ requests }) });
      const answers = await r.json();
      if (r.status !== 200 || answers.some((a) => a.error))
        throw new Error(`${name}: seeding failed: ${r.status} ${JSON.stringify(answers).slice(0, 300)}`);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const cpuBefore = cpuSeconds(target.pid);
    const rssBefore = rssMb(target.pid);
    const samples = [];
    const sampler = setInterval(() => samples.push(rssMb(target.pid)), 200);
    const started = performance.now();
    const sent = await fetch(`${target.base}/push`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ channels: ['all'], data: { alert: 'Bench', title: 'Push', badge } }),
    });
    if (sent.status !== 200) throw new Error(`${name}: POST /push answered ${sent.status} ${await sent.text()}`);
    const id = sent.headers.get('x-parse-push-status-id');
    let status = {};
    const deadline = Date.now() + 30 * 60_000;
    while (status.status !== 'succeeded' && status.status !== 'failed') {
      if (Date.now() > deadline) throw new Error(`${name}: the push did not finish in 30 min`);
      await new Promise((r) => setTimeout(r, 100));
      status = await (await fetch(`${target.base}/classes/_PushStatus/${id}`, { headers })).json();
    }
    // parse-server marks the status after its sends resolve; wait for stragglers at the fake either way.
    const settle = Date.now() + 10_000;
    while (received < total && Date.now() < settle) await new Promise((r) => setTimeout(r, 100));
    clearInterval(sampler);
    const cpu = cpuSeconds(target.pid) - cpuBefore;
    const handoff = (lastAt - started) / 1000;
    const result = {
      target: name,
      installations: total,
      badge,
      seedSeconds: Number(seedSeconds.toFixed(1)),
      status: status.status,
      numSent: status.numSent,
      numFailed: status.numFailed,
      atFake: received,
      handoffSeconds: Number(handoff.toFixed(2)),
      perSecond: Math.round(received / handoff),
      cpuSeconds: Number(cpu.toFixed(2)),
      cpuMsPer1000: Math.round((cpu * 1000 * 1000) / Math.max(1, received)),
      rssMb: { before: rssBefore, min: Math.min(...samples), max: Math.max(...samples), end: rssMb(target.pid) },
      firstNotification: firstBody,
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await stopProcess(target.server);
    target.drop?.();
  }
}

const results = [];
const load = os.loadavg().map((l) => l.toFixed(1));
try {
  for (const name of values.targets.split(',')) {
    if (name === 'strata') results.push(await measure(name, startStrata));
    else if (name === 'parse-server') results.push(await measure(name, startParseServer));
    else throw new Error(`unknown target ${name}`);
  }
} finally {
  fake.close();
  rmSync(dir, { recursive: true, force: true });
}
const report = {
  at: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    loadAverageAtStart: load,
    loadAverageAtEnd: os.loadavg().map((l) => l.toFixed(1)),
  },
  results,
};
const out =
  values.out ?? path.join(benchDir, 'results', `${report.at.replace(/[:.]/g, '-').slice(0, 19)}-push-compare.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`written ${path.relative(repoRoot, out)}`);
