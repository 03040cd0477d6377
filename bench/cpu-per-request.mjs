#!/usr/bin/env node
// CPU time per request, this checkout against a baseline checkout, in one process: both servers are started
// in-process (createApp from each tree's server/src, through tsx) on their own SQLite file, seeded alike, and
// driven by the same sequential keep-alive client; process CPU time (user + system, server and client
// together) is divided by the request count. Unlike req/s under autocannon, CPU time per request barely moves
// when other processes compete for the cores, so a small change can be compared on a busy shared machine.
// Rounds alternate baseline / current and the median is reported.
//
//   node --import tsx bench/cpu-per-request.mjs --baseline /path/to/built-or-source/checkout [--requests 3000] [--rounds 5]
//     [--scenarios get,query,regex,update,create]
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    requests: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '5' },
    rows: { type: 'string', default: '10000' },
    scenarios: { type: 'string', default: 'get,query,regex,update,create' },
  },
});
if (values.baseline === undefined) {
  console.error(
    'usage: node --import tsx bench/cpu-per-request.mjs --baseline DIR [--requests N] [--rounds N] [--rows N] [--scenarios a,b]',
  );
  process.exit(2);
}
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const ROWS = Number(values.rows);
const KEYS = { appId: 'cpu-bench', masterKey: 'cpu-bench-master', clientKey: 'cpu-bench-client' };

async function startServer(root, label) {
  const src = (file) => pathToFileURL(path.join(root, 'server/src', file)).href;
  const { createApp } = await import(src('app.ts'));
  const { createLogger } = await import(src('infra/index.ts'));
  const { resolveOptions } = await import(src('config/index.ts'));
  const dir = mkdtempSync(path.join(tmpdir(), `cpu-bench-${label}-`));
  const config = {
    ...resolveOptions({ cwd: dir, env: {} }),
    port: 0,
    host: '127.0.0.1',
    mountPath: '/parse',
    dataDir: dir,
    databaseURI: `sqlite:${path.join(dir, 'strata.db')}`,
    role: 'all',
    appId: KEYS.appId,
    masterKey: KEYS.masterKey,
    clientKey: KEYS.clientKey,
    restAPIKey: KEYS.clientKey,
    masterKeyIps: ['127.0.0.1', '::1'],
    allowClientClassCreation: true,
    logLevel: 'silent',
  };
  const app = await createApp({ config, logger: createLogger({ level: 'silent' }) });
  const { port } = await app.listen();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method, urlPath, { body, master = false } = {}) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: `/parse${urlPath}`,
          agent,
          headers: {
            'X-Parse-Application-Id': KEYS.appId,
            ...(master ? { 'X-Parse-Master-Key': KEYS.masterKey } : { 'X-Parse-REST-API-Key': KEYS.clientKey }),
            ...(payload === undefined
              ? {}
              : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }),
          );
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  const ids = [];
  for (let start = 0; start < ROWS; start += 50) {
    const requests = [];
    for (let i = start; i < Math.min(start + 50, ROWS); i++) {
      requests.push({
        method: 'POST',
        path: '/parse/classes/BenchItem',
        body: { score: i, name: `item-${i}`, counter: 0, tag: `t${i % 8}` },
      });
    }
    const res = await call('POST', '/batch', { body: { requests }, master: true });
    for (const item of res.body) ids.push(item.success.objectId);
  }
  await call('PUT', '/schemas/BenchItem', { body: { indexes: { score_1: { score: 1 } } }, master: true });
  return {
    label,
    ids,
    call,
    async close() {
      agent.destroy();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SCENARIOS = {
  get: (server, i) => server.call('GET', `/classes/BenchItem/${server.ids[i % server.ids.length]}`),
  query: (server, i) => {
    const low = (i * 7919) % (ROWS - 100);
    const where = encodeURIComponent(JSON.stringify({ score: { $gte: low, $lt: low + 100 } }));
    return server.call('GET', `/classes/BenchItem?where=${where}&order=-score&limit=20`);
  },
  // startsWith + endsWith on an unindexed field: every row goes through the regex engine.
  regex: (server, i) => {
    const where = encodeURIComponent(JSON.stringify({ name: { $regex: `^\\Qitem-${(i * 7919) % ROWS}\\E$` } }));
    return server.call('GET', `/classes/BenchItem?where=${where}&limit=20`);
  },
  // The seeded rows in turn, as the load benchmark's update: each publishes a change with its state before.
  update: (server, i) =>
    server.call('PUT', `/classes/BenchItem/${server.ids[i % server.ids.length]}`, {
      body: { counter: { __op: 'Increment', amount: 1 } },
    }),
  // Last in a round: it adds rows (the same number to both servers).
  create: (server) =>
    server.call('POST', '/classes/BenchItem', { body: { name: 'created', score: -1, counter: 0, tag: 'new' } }),
};
const CHOSEN = values.scenarios.split(',').filter((name) => name !== '');
for (const name of CHOSEN) {
  if (!(name in SCENARIOS)) {
    console.error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    process.exit(2);
  }
}

function cpuMicros() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function measure(server, scenario, count) {
  const run = SCENARIOS[scenario];
  const check = await run(server, 1);
  if (check.status !== 200 && check.status !== 201)
    throw new Error(`${server.label} ${scenario}: ${check.status} ${JSON.stringify(check.body)}`);
  for (let i = 0; i < 100; i++) await run(server, i); // warm-up
  const before = cpuMicros();
  for (let i = 0; i < count; i++) await run(server, i);
  return (cpuMicros() - before) / count;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const servers = [
  await startServer(path.resolve(values.baseline), 'baseline'),
  await startServer(path.resolve(here, '..'), 'current'),
];
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const scenario of CHOSEN) {
    for (const server of servers) {
      const count = scenario === 'regex' ? Math.max(50, Math.floor(REQUESTS / 20)) : REQUESTS;
      (results[`${scenario}/${server.label}`] ??= []).push(await measure(server, scenario, count));
    }
  }
}
for (const server of servers) await server.close();
console.log(
  `CPU µs per request (median of ${ROUNDS} alternating rounds; ${REQUESTS} requests each, regex ${Math.max(50, Math.floor(REQUESTS / 20))}; ${ROWS} rows)`,
);
console.log('scenario   baseline    current   change   (all rounds: baseline | current)');
for (const scenario of CHOSEN) {
  const b = results[`${scenario}/baseline`];
  const c = results[`${scenario}/current`];
  const change = ((median(c) / median(b) - 1) * 100).toFixed(1);
  console.log(
    `${scenario.padEnd(9)} ${median(b).toFixed(0).padStart(9)} ${median(c).toFixed(0).padStart(10)} ${`${change}%`.padStart(8)}   ` +
      `${b.map((x) => x.toFixed(0)).join(' ')} | ${c.map((x) => x.toFixed(0)).join(' ')}`,
  );
}
