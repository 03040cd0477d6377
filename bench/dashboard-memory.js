#!/usr/bin/env node
// The dashboard's streamed export and import, measured by the memory of the server process (issue 18): a
// strata server (SQLite) with a 1,000,000-row class, a dashboard user signed in over HTTP, then
//   1. GET  /dashboard/api/apps/<app>/export/<class>?format=csv   (the whole class, read to the end)
//   2. GET  .../export/<class>?format=json
//   3. POST .../import/<class>?format=csv                        (--import-rows rows, generated as it uploads)
// The server's RSS is read from /proc/<pid>/status every 100 ms; printed and written to
// bench/results/<time>-dashboard-memory.json. Memory, not speed: the rates are printed for context only.
//
//   node bench/dashboard-memory.js [--rows 1000000] [--import-rows 100000] [--server-heap-mb 64]
//
// --server-heap-mb starts the server with V8's old space capped (--max-old-space-size): if the export kept
// what it streams, the server would die out of memory; finishing proves the bound, whatever RSS V8 settles at.
//
// Needs the built server (npm run build). The rows are written straight into the SQLite file by copying one
// row REST created (through REST they would take minutes); the server is its own process, started and
// stopped by pid.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ROWS = arg('rows', 1_000_000);
const IMPORT_ROWS = arg('import-rows', 100_000);
const HEAP_MB = arg('server-heap-mb', 0);
const APP_ID = 'mem-bench';
const MASTER_KEY = 'mem-bench-master-key';
const CLASS = 'MemBig';
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Samples the server's RSS while `work` runs; returns the work's result with the peak and the samples' range. */
async function sampled(pid, work) {
  const before = rssOf(pid);
  let peak = before;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // exited
    }
  }, 100);
  const started = performance.now();
  try {
    const result = await work();
    return { ...result, seconds: (performance.now() - started) / 1000, rssBeforeMB: mb(before), rssPeakMB: mb(peak) };
  } finally {
    clearInterval(timer);
  }
}

function seed(file) {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 30000');
    const table = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?`)
      .get(`%${CLASS}%`).name;
    const columns = db
      .prepare(`SELECT name FROM pragma_table_info(?)`)
      .all(table)
      .map((c) => c.name);
    const quoted = (name) => `"${name.replace(/"/g, '""')}"`;
    const values = columns.map((c) =>
      c === 'objectId'
        ? `printf('m%09d', x)`
        : c === 'n'
          ? 'x'
          : c === 'label'
            ? `'row ' || x || ', with a comma'`
            : `t.${quoted(c)}`,
    );
    db.exec(
      `WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < ${ROWS - 1}) ` +
        `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) ` +
        `SELECT ${values.join(', ')} FROM cnt, (SELECT * FROM ${quoted(table)} LIMIT 1) AS t`,
    );
    return db.prepare(`SELECT count(*) AS n FROM ${quoted(table)}`).get().n;
  } finally {
    db.close();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'strata-dash-mem-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const usersFile = join(dir, 'dashboard-users.json');
  writeFileSync(
    usersFile,
    JSON.stringify({ users: [{ username: 'bench', passwordHash: bcrypt.hashSync('bench-pw', 4) }] }),
  );
  const server = spawnProcess({
    name: 'strata',
    command: process.execPath,
    args: [
      ...(HEAP_MB > 0 ? [`--max-old-space-size=${HEAP_MB}`] : []),
      join(ROOT, 'server/bin/strata.js'),
      'start',
      '--port',
      String(port),
      '--data-dir',
      dir,
      '--app-id',
      APP_ID,
      '--master-key',
      MASTER_KEY,
      '--dashboard-users-file',
      usersFile,
      '--log-level',
      'warn',
    ],
    cwd: ROOT,
  });
  const load = [];
  try {
    await waitForHttp200(server, `${base}/health`);
    const rest = (path, init = {}) =>
      fetch(`${base}/parse${path}`, {
        ...init,
        headers: {
          'X-Parse-Application-Id': APP_ID,
          'X-Parse-Master-Key': MASTER_KEY,
          'Content-Type': 'application/json',
        },
      });
    const made = await rest(`/classes/${CLASS}`, { method: 'POST', body: JSON.stringify({ n: 0, label: 'template' }) });
    if (made.status !== 201) throw new Error(`create answered ${made.status}: ${await made.text()}`);
    let started = performance.now();
    const seeded = seed(join(dir, 'strata.db'));
    console.log(`seeded ${seeded.toLocaleString()} rows in ${Math.round(performance.now() - started)} ms`);

    const signIn = await fetch(`${base}/dashboard/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'bench-pw' }),
    });
    if (signIn.status !== 200) throw new Error(`dashboard sign-in answered ${signIn.status}`);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    const { csrfToken } = await signIn.json();
    const pid = server.child.pid;
    const idle = mb(rssOf(pid));
    console.log(
      `server pid ${pid}, RSS before the exports: ${idle} MB; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );

    const runs = [];
    for (const format of ['csv', 'json']) {
      load.push(loadavg()[0]);
      const run = await sampled(pid, async () => {
        const answer = await fetch(`${base}/dashboard/api/apps/${APP_ID}/export/${CLASS}?format=${format}`, {
          headers: { Cookie: cookie },
        });
        if (answer.status !== 200) throw new Error(`export answered ${answer.status}`);
        let bytes = 0;
        let newlines = 0;
        for await (const chunk of answer.body) {
          bytes += chunk.length;
          for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) newlines++;
        }
        return { what: `export ${format}`, rows: ROWS, bytesMB: mb(bytes), lines: newlines };
      });
      runs.push(run);
      console.log(
        `export ${format}: ${run.bytesMB} MB (${run.lines.toLocaleString()} lines) in ${run.seconds.toFixed(1)} s; ` +
          `server RSS ${run.rssBeforeMB} -> peak ${run.rssPeakMB} MB`,
      );
    }

    load.push(loadavg()[0]);
    const run = await sampled(pid, async () => {
      const rows = (function* () {
        yield 'n,label\r\n';
        for (let i = 0; i < IMPORT_ROWS; i += 1000) {
          let chunk = '';
          for (let j = i; j < Math.min(i + 1000, IMPORT_ROWS); j++) chunk += `${j},"imported ${j}, with a comma"\r\n`;
          yield chunk;
        }
      })();
      const answer = await fetch(`${base}/dashboard/api/apps/${APP_ID}/import/${CLASS}?format=csv`, {
        method: 'POST',
        headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken, 'Content-Type': 'text/csv' },
        body: Readable.toWeb(Readable.from(rows)),
        duplex: 'half',
      });
      const lines = (await answer.text()).trim().split('\n');
      const summary = JSON.parse(lines.at(-1));
      if (summary.type !== 'summary' || summary.created !== IMPORT_ROWS) {
        throw new Error(`import ended with ${lines.at(-1)}`);
      }
      return { what: 'import csv', rows: IMPORT_ROWS, created: summary.created, failed: summary.failed };
    });
    runs.push(run);
    console.log(
      `import csv: ${run.created.toLocaleString()} rows created in ${run.seconds.toFixed(1)} s; ` +
        `server RSS ${run.rssBeforeMB} -> peak ${run.rssPeakMB} MB`,
    );
    load.push(loadavg()[0]);

    const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
    const out = join(ROOT, 'bench/results', `${stamp}-dashboard-memory${HEAP_MB > 0 ? `-heap${HEAP_MB}` : ''}.json`);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    const result = {
      bench: 'dashboard-memory',
      at: new Date().toISOString(),
      node: process.version,
      classRows: ROWS,
      serverHeapLimitMB: HEAP_MB > 0 ? HEAP_MB : null,
      serverIdleRssMB: idle,
      loadAverage1m: load.map((l) => Math.round(l * 10) / 10),
      runs,
    };
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written ${out}`);
  } finally {
    await stopProcess(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
