#!/usr/bin/env node
// Cold start of the two ways to run Strata (issue 17 item 5: under 300 ms): `strata start`, and an express 5
// app that mounts `createStrata(options).handler` at /parse (what a parse-server user writes). Each run is a
// fresh `node` process on one SQLite data directory (the first, unrecorded in the median, creates it): the
// time from spawn to the first 200 from /parse/health, polled every 5 ms, and the CPU time its main thread had
// used by then (user + system, from /proc: less disturbed by other processes than the wall time on a shared
// machine). Built code (server/dist).
// GraphQL, LiveQuery and the metrics registry load on their first use, not at start: with --doors, each
// `strata start` run also times, right after the first 200, the first GraphQL query, LiveQuery connection
// and /metrics scrape, each followed by a second one (the difference is what the lazy load costs).
// Usage: node bench/cold-start.js [--runs 7] [--doors]. Prints the medians and each run; quote it with the load
// average.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { freePort } from './lib/processes.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, doors: { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));

const scratch = mkdtempSync(join(tmpdir(), 'strata-cold-'));
// The express app, as a user would write it (bench/ is not a workspace: @strata/server resolves from the root).
const expressApp = join(ROOT, 'bench', `.cold-start-express-${process.pid}.mjs`);
writeFileSync(
  expressApp,
  `import express from 'express';
import { createStrata } from '@strata/server';
const strata = await createStrata({
  appId: 'cold', masterKey: 'cold-master', dataDir: process.env.DATA_DIR, logLevel: 'warn', dashboard: false,
});
const app = express();
app.use('/parse', strata.handler);
app.listen(Number(process.env.PORT), '127.0.0.1');
`,
);

const kinds = {
  'strata start': (port, dataDir) => [
    join(ROOT, 'server/bin/strata.js'),
    'start',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--data-dir',
    dataDir,
    '--app-id',
    'cold',
    '--master-key',
    'cold-master',
    '--log-level',
    'warn',
  ],
  'express + createStrata().handler': () => [expressApp],
};

/**
 * User + system CPU time (ms) of a running process's main thread, from /proc/<pid>/task/<pid>/stat (the SQLite
 * read threads and V8's helpers run beside it on other cores); undefined off Linux.
 */
function cpuMsOf(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** Linux's USER_HZ: /proc reports CPU time in hundredths of a second. */
const CLOCK_TICKS = 100;

/** Milliseconds `action` takes. */
async function timed(action) {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/** The first and second use of each lazily loaded door, in ms: GraphQL query, LiveQuery connect, /metrics. */
async function doors(port) {
  const base = `http://127.0.0.1:${port}`;
  const graphql = () =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Parse-Application-Id': 'cold',
        'X-Parse-Master-Key': 'cold-master',
      },
      body: '{"query":"{ health }"}',
    }).then(async (r) => {
      if (r.status !== 200) throw new Error(`GraphQL answered ${r.status}: ${await r.text()}`);
    });
  const live = () =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/parse`);
      ws.once('open', () =>
        ws.send(JSON.stringify({ op: 'connect', applicationId: 'cold', masterKey: 'cold-master' })),
      );
      ws.once('message', (data) => {
        ws.close();
        if (JSON.parse(String(data)).op === 'connected') resolve();
        else reject(new Error(`LiveQuery answered ${String(data)}`));
      });
      ws.once('error', reject);
    });
  const metrics = () =>
    fetch(`${base}/metrics`).then(async (r) => {
      if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
      await r.text();
    });
  const result = {};
  for (const [name, action] of Object.entries({ graphql, live, metrics }))
    result[name] = [await timed(action), await timed(action)];
  return result;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function once(kind, dataDir) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, kinds[kind](port, dataDir), {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${kind} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/parse/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) {
        const result = { ms: performance.now() - started, cpuMs: cpuMsOf(child.pid) };
        return values.doors && kind === 'strata start' ? { ...result, doors: await doors(port) } : result;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

try {
  console.log(
    `load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}; ${runs} runs each`,
  );
  for (const kind of Object.keys(kinds)) {
    const dataDir = join(scratch, kind.replace(/\W+/g, '-'));
    const first = await once(kind, dataDir);
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await once(kind, dataDir));
    const cpu = times.map((t) => t.cpuMs).filter((ms) => ms !== undefined);
    console.log(
      `${kind}: median ${median(times.map((t) => t.ms)).toFixed(0)} ms (${times.map((t) => t.ms.toFixed(0)).join(', ')}; first start on an empty directory ${first.ms.toFixed(0)} ms)` +
        (cpu.length === 0
          ? ''
          : `; main-thread CPU median ${median(cpu).toFixed(0)} ms (${cpu.map((ms) => ms.toFixed(0)).join(', ')})`),
    );
    for (const door of Object.keys(times[0].doors ?? {})) {
      const first = times.map((t) => t.doors[door][0]);
      const second = times.map((t) => t.doors[door][1]);
      console.log(
        `  first ${door}: median ${median(first).toFixed(0)} ms (${first.map((ms) => ms.toFixed(0)).join(', ')}); the second: median ${median(second).toFixed(1)} ms`,
      );
    }
  }
} finally {
  rmSync(expressApp, { force: true });
  rmSync(scratch, { recursive: true, force: true });
}
