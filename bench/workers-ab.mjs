#!/usr/bin/env node
// Builds side by side with wrk, for `--workers N` writes: each variant (a label, a built checkout, a worker count) is
// a real `strata start` seeded with 2,000 BenchItem rows; then, round after round and variant after variant, each
// scenario runs for `--duration` seconds with 32 connections (compare.js's), and its req/s and the server's CPU per
// request (the whole process tree, from /proc: the primary and every worker) are printed, then the medians.
// Alternating variants within a round spreads the machine's load over all of them, so medians compare on a busy
// machine where single runs do not. Scenarios: `create` (POST {score, name}), `update` (PUT an Increment of
// `score` on the seeded rows, in turn) and `get` (GET by id of the seeded rows, in turn: compare.js's read).
//
//   node bench/workers-ab.mjs --variant w1:.:1 --variant w2:.:2 [--variant base2:/path/to/old/checkout:2]
//                             [--scenarios update,create] [--duration 5] [--rounds 3] [--connections 32]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from './lib/load-client.js';
import { TICK_US, ticksOfTree } from './lib/cpu.js';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';
import { indexScore, seed } from './lib/scenarios.js';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', multiple: true, default: ['w1:.:1', 'w2:.:2'] },
    scenarios: { type: 'string', default: 'update,create' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
  },
});
const ROWS = 2000;
const scenarios = values.scenarios.split(',').filter((s) => s !== '');
for (const name of scenarios) {
  if (!['create', 'update', 'get'].includes(name)) throw new Error(`unknown scenario ${name}: create, update or get`);
}
const ctx = {
  appId: 'workers-ab',
  masterKey: `mk-${randomBytes(8).toString('hex')}`,
  clientKey: `ck-${randomBytes(8).toString('hex')}`,
};

function request(name, ids) {
  const headers = {
    'X-Parse-Application-Id': ctx.appId,
    'X-Parse-REST-API-Key': ctx.clientKey,
    'Content-Type': 'application/json',
  };
  if (name === 'get') return { method: 'GET', paths: ids.map((id) => `/parse/classes/BenchItem/${id}`), headers };
  if (name === 'create') {
    return { method: 'POST', path: '/parse/classes/BenchItem', headers, body: JSON.stringify({ score: 1, name: 'x' }) };
  }
  return {
    method: 'PUT',
    paths: ids.map((id) => `/parse/classes/BenchItem/${id}`),
    headers,
    body: JSON.stringify({ score: { __op: 'Increment', amount: 1 } }),
  };
}

async function start(spec) {
  const [label, rootArg, workers] = spec.split(':');
  const root = path.resolve(rootArg);
  const dataDir = mkdtempSync(path.join(tmpdir(), `strata-workers-ab-${label}-`));
  const port = await freePort();
  const proc = spawnProcess({
    name: label,
    command: process.execPath,
    cwd: root,
    env: { NODE_ENV: 'production', STRATA_AUTH_RATE_LIMIT: '0', STRATA_AUTH_RATE_LIMIT_ACCOUNT: '0' },
    args: [
      path.join(root, 'server/bin/strata.js'),
      'start',
      ...['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--workers', workers],
      ...['--app-id', ctx.appId, '--master-key', ctx.masterKey, '--client-key', ctx.clientKey],
      ...['--rest-api-key', ctx.clientKey, '--allow-client-class-creation', '--log-level', 'warn'],
    ],
  });
  const baseUrl = `http://127.0.0.1:${port}/parse`;
  await waitForHttp200(proc, `${baseUrl}/health`);
  const ids = await seed({ baseUrl, ctx, rows: ROWS });
  await indexScore({ baseUrl, ctx });
  return { label, proc, origin: `http://127.0.0.1:${port}`, ids, dataDir, samples: {} };
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const variants = [];
try {
  for (const spec of values.variant) variants.push(await start(spec));
  console.log(`load average at start: ${load()}`);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const name of scenarios) {
      for (const v of variants) {
        const common = {
          client: 'wrk',
          origin: v.origin,
          connections: Number(values.connections),
          request: request(name, v.ids),
        };
        // Warm-up: each worker compiles its own code, so a short first run would charge that to the measurement.
        if (round === 0) await runLoad({ ...common, duration: 2 });
        const before = ticksOfTree(v.proc.child.pid);
        const r = await runLoad({ ...common, duration: Number(values.duration) });
        const ticks = ticksOfTree(v.proc.child.pid) - before;
        const ok = r.totalRequests - r.non2xx - r.errors;
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`${v.label} ${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        const sample = { requestsPerSec: r.requestsPerSec, cpuUsPerRequest: (ticks * TICK_US) / ok };
        (v.samples[name] ??= []).push(sample);
        console.log(
          `round ${round + 1} ${name.padEnd(7)} ${v.label.padEnd(10)} ${Math.round(sample.requestsPerSec)} req/s  ` +
            `${sample.cpuUsPerRequest.toFixed(0)} µs CPU/request  load ${load()}`,
        );
      }
    }
  }
} finally {
  for (const v of variants) {
    await stopProcess(v.proc);
    rmSync(v.dataDir, { recursive: true, force: true });
  }
}
console.log(
  `\nmedians of ${values.rounds} rounds of ${values.duration} s, ${values.connections} connections (load ${load()})`,
);
for (const name of scenarios) {
  for (const v of variants) {
    const s = v.samples[name] ?? [];
    console.log(
      `${name.padEnd(7)} ${v.label.padEnd(10)} ${Math.round(median(s.map((x) => x.requestsPerSec)))} req/s  ` +
        `${Math.round(median(s.map((x) => x.cpuUsPerRequest)))} µs CPU/request`,
    );
  }
}
