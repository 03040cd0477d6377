#!/usr/bin/env node
// Cold start of the two ways to run Strata (issue 17 item 5: under 300 ms): `strata start`, and an express 5
// app that mounts `createStrata(options).handler` at /parse (what a parse-server user writes). Each run is a
// fresh `node` process on one SQLite data directory (the first, unrecorded in the median, creates it): the
// time from spawn to the first 200 from /parse/health, polled every 5 ms. Built code (server/dist).
// Usage: node bench/cold-start.js [--runs 7]. Prints the median and each run; quote it with the load average.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './lib/processes.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
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
      if (ok) return performance.now() - started;
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
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `${kind}: median ${median.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')}; first start on an empty directory ${first.toFixed(0)} ms)`,
    );
  }
} finally {
  rmSync(expressApp, { force: true });
  rmSync(scratch, { recursive: true, force: true });
}
