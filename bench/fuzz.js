#!/usr/bin/env node
// Fuzzing through every door, the long run (issue 19 item 1): --total generated requests (default 1,000,000)
// shared among REST (fuzz.test.ts; plus its fixed 3,000 on FerretDB when STRATA_TEST_MONGODB_URI is set),
// GraphQL, LiveQuery frames, files and the dashboard's API (fuzz-doors.test.ts) in CI's proportions. Prints the
// count, rate and statuses per door and writes bench/results/<timestamp>-fuzz.txt; exits non-zero on any failure.
// Usage: node bench/fuzz.js [--total 1000000] [--seed 20261207]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { total: { type: 'string', default: '1000000' }, seed: { type: 'string' } } });
const total = Number(values.total);
// CI's shares (60,000 / 6,000 / 20,000 / 8,000 / 8,000 of 102,000).
const shares = { rest: 60, graphql: 6, live: 20, files: 8, dashboard: 8 };
const sum = Object.values(shares).reduce((a, b) => a + b, 0);
const counts = Object.fromEntries(
  Object.entries(shares).map(([door, share]) => [door, Math.ceil((total * share) / sum)]),
);
const env = {
  ...process.env,
  STRATA_FUZZ_REQUESTS: String(counts.rest),
  STRATA_FUZZ_GRAPHQL: String(counts.graphql),
  STRATA_FUZZ_LIVE: String(counts.live),
  STRATA_FUZZ_FILES: String(counts.files),
  STRATA_FUZZ_DASHBOARD: String(counts.dashboard),
  // No time cap: the run is as long as it takes.
  STRATA_FUZZ_SECONDS: String(7 * 24 * 3600),
  ...(values.seed === undefined ? {} : { STRATA_FUZZ_SEED: values.seed }),
};
const startLoad = os.loadavg();
const started = Date.now();
console.log(`# fuzz bench: ${JSON.stringify(counts)}; load ${startLoad.map((l) => l.toFixed(1)).join(' ')}`);
const child = spawn(
  process.execPath,
  ['scripts/test.js', 'test/adversarial/fuzz.test.ts', 'test/adversarial/fuzz-doors.test.ts'],
  { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] },
);
let output = '';
child.stdout.on('data', (chunk) => {
  output += chunk;
  process.stdout.write(chunk);
});
const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
const endLoad = os.loadavg();
const lines = output.split('\n').filter((line) => /^# (fuzz|FAIL)|^# {3}(by status|events)/.test(line));
const perDoor = [...output.matchAll(/^# fuzz (?:door )?\(?(\w+)\)?: ([\d,]+) requests in (\d+) s/gm)].map((m) => ({
  door: m[1] === 'sqlite' ? 'rest (sqlite)' : m[1] === 'mongodb' ? 'rest (ferretdb)' : m[1],
  requests: Number(m[2].replace(/,/g, '')),
  seconds: Number(m[3]),
}));
const sent = perDoor.reduce((s, d) => s + d.requests, 0);
const report = [
  `Strata fuzz through every door, ${new Date().toISOString()} (${os.cpus().length} cores, node ${process.version})`,
  `load average at start ${startLoad.map((l) => l.toFixed(1)).join(' ')}, at end ${endLoad.map((l) => l.toFixed(1)).join(' ')}`,
  `asked: ${total.toLocaleString('en')} (${JSON.stringify(counts)}); sent: ${sent.toLocaleString('en')} in ${Math.round((Date.now() - started) / 1000)} s; tests exit code ${code} (0: no 5xx, hang, crash or leak)`,
  '',
  ...perDoor.map(
    (d) => `${d.door.padEnd(16)} ${d.requests.toLocaleString('en').padStart(10)} requests in ${d.seconds} s`,
  ),
  '',
  ...lines,
].join('\n');
mkdirSync(`${root}/bench/results`, { recursive: true });
const out = `bench/results/${new Date().toISOString().slice(0, 16).replace(/:/g, '-')}-fuzz.txt`;
writeFileSync(`${root}/${out}`, `${report}\n`);
console.log(`\n${report}\nresults: ${out}`);
process.exit(code);
