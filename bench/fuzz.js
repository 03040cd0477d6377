#!/usr/bin/env node
// Fuzzing through every door, the long run (issue 19 item 1): --total generated requests (default 1,000,000)
// shared among REST (test/adversarial/fuzz.test.ts), GraphQL, LiveQuery frames, files and the dashboard's API
// (fuzz-doors.test.ts) in CI's proportions, plus REST's fixed --mongo (3,000) on FerretDB when
// STRATA_TEST_MONGODB_URI is set. The same tests and oracles as CI, run faster:
// - every door (and each shard of a big door) is its own process with its own server and SQLite file, all at once,
//   so both cores work and no door waits for another; a REST shard is the same file with another seed, a shard of
//   another door starts at another draw (STRATA_FUZZ_FROM), so no two shards send the same requests;
// - within a process, --concurrency requests in flight (REST, files, dashboard), --graphql-concurrency GraphQL
//   operations and --live-lanes LiveQuery sockets; each request still has its own hang timer (--hang-ms) and each
//   answer is judged on its own (5xx, hang, dropped connection, a canary or password hash in a non-master answer);
// - --max-minutes M: every process stops sending at one deadline (about 2 minutes before M, for their final checks)
//   and reports what it sent; anything still running at M is killed and counted by its last progress line. The
//   report says "complete" only when every door sent all it was asked.
// Prints the count, rate and statuses per door and writes bench/results/<timestamp>-fuzz.txt; exits non-zero on
// any failure (or a killed process).
//   node bench/fuzz.js [--total 1000000] [--seed 20261207] [--max-minutes M] [--concurrency 16] [--rest-shards 3]
//     [--graphql-shards 2] [--live-shards 2] [--graphql-concurrency 4] [--live-lanes 8] [--mongo 3000]
//     [--hang-ms 30000] [--only rest,graphql,live,files,dashboard,ferretdb] [--progress 60]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    total: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '20261207' },
    'max-minutes': { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    'graphql-concurrency': { type: 'string', default: '4' },
    'live-lanes': { type: 'string', default: '8' },
    'rest-shards': { type: 'string', default: '3' },
    'graphql-shards': { type: 'string', default: '2' },
    'live-shards': { type: 'string', default: '2' },
    mongo: { type: 'string', default: '3000' },
    // A hang is an answer that never comes; a loaded, niced machine queues answers for seconds.
    'hang-ms': { type: 'string', default: '30000' },
    only: { type: 'string' },
    progress: { type: 'string', default: '60' },
    ci: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
// --ci: CI's run (.ci/run starts it beside typecheck and lint): CI's counts and the tests' own time limit (600 s a
// door) and hang waits, a door cut short fails, fewer shards (their start-up costs CPU), the report to --out.
const ci = values.ci;
if (ci) {
  values.total = values.total === '1000000' ? '102000' : values.total;
  for (const [flag, n] of [
    ['rest-shards', '2'],
    ['graphql-shards', '1'],
    ['live-shards', '1'],
  ])
    if (process.argv.every((a) => !a.startsWith(`--${flag}`))) values[flag] = n;
}
const total = Number(values.total);
const seed = Number(values.seed);
const only = values.only === undefined ? undefined : new Set(values.only.split(','));
const maxMinutes = values['max-minutes'] === undefined ? undefined : Number(values['max-minutes']);
const started = Date.now();
const endAt = maxMinutes === undefined ? undefined : started + maxMinutes * 60_000;
// Each process's final checks (the server still answers every door) and shutdown need time after it stops sending.
const wrapUpMs = maxMinutes === undefined ? 0 : Math.min(120_000, maxMinutes * 60_000 * 0.25);
const deadline = endAt === undefined ? undefined : endAt - wrapUpMs;
const killAt = endAt === undefined ? undefined : endAt - Math.min(15_000, wrapUpMs / 4);

// CI's shares (60,000 / 6,000 / 20,000 / 8,000 / 8,000 of 102,000).
const shares = { rest: 60, graphql: 6, live: 20, files: 8, dashboard: 8 };
const shareSum = Object.values(shares).reduce((a, b) => a + b, 0);
const asked = Object.fromEntries(
  Object.entries(shares).map(([door, share]) => [door, Math.ceil((total * share) / shareSum)]),
);
const shardsOf = {
  rest: Number(values['rest-shards']),
  graphql: Number(values['graphql-shards']),
  live: Number(values['live-shards']),
  files: 1,
  dashboard: 1,
};
const doorEnv = {
  graphql: 'STRATA_FUZZ_GRAPHQL',
  live: 'STRATA_FUZZ_LIVE',
  files: 'STRATA_FUZZ_FILES',
  dashboard: 'STRATA_FUZZ_DASHBOARD',
};

const baseEnv = {
  ...process.env,
  STRATA_FUZZ_CONCURRENCY: values.concurrency,
  STRATA_FUZZ_GRAPHQL_CONCURRENCY: values['graphql-concurrency'],
  STRATA_FUZZ_LIVE_LANES: values['live-lanes'],
  STRATA_FUZZ_PROGRESS: '10',
  ...(ci
    ? {}
    : {
        STRATA_FUZZ_HANG_MS: values['hang-ms'],
        STRATA_FUZZ_PARTIAL: '1',
        // The time limit is the deadline alone (none without --max-minutes).
        STRATA_FUZZ_SECONDS: String(7 * 24 * 3600),
      }),
  ...(deadline === undefined ? {} : { STRATA_FUZZ_DEADLINE: String(Math.round(deadline)) }),
};
delete baseEnv.STRATA_FUZZ_FROM;
// The test files skip themselves in `npm test` when CI runs them here; these processes are the run.
delete baseEnv.STRATA_FUZZ_IN_BACKGROUND;

/** One process: a door (or a shard of one) with its own server. */
const units = [];
const mongoURI = process.env.STRATA_TEST_MONGODB_URI;
for (const door of Object.keys(shares)) {
  if (only !== undefined && !only.has(door)) continue;
  const shards = shardsOf[door];
  const per = Math.ceil(asked[door] / shards);
  for (let shard = 0; shard < shards; shard++) {
    const count = Math.max(0, Math.min(per, asked[door] - shard * per));
    const env = { ...baseEnv };
    let file;
    if (door === 'rest') {
      file = 'test/adversarial/fuzz.test.ts';
      delete env.STRATA_TEST_MONGODB_URI; // FerretDB is its own unit below
      delete env.STRATA_REQUIRE_SERVICES;
      env.STRATA_FUZZ_REQUESTS = String(count);
      env.STRATA_FUZZ_SEED = String(seed + 7919 * shard);
    } else {
      file = 'test/adversarial/fuzz-doors.test.ts';
      for (const [other, name] of Object.entries(doorEnv)) env[name] = other === door ? String(count) : '0';
      env.STRATA_FUZZ_SEED = String(seed);
      env.STRATA_FUZZ_FROM = String(shard * per);
    }
    units.push({ name: shards > 1 ? `${door}#${shard}` : door, door, file, env, asked: count });
  }
}
if (mongoURI !== undefined && Number(values.mongo) > 0 && (only === undefined || only.has('ferretdb'))) {
  const env = { ...baseEnv, STRATA_FUZZ_REQUESTS: '0', STRATA_FUZZ_MONGO_REQUESTS: values.mongo };
  env.STRATA_FUZZ_SEED = String(seed);
  units.push({
    name: 'rest-ferretdb',
    door: 'rest (ferretdb)',
    file: 'test/adversarial/fuzz.test.ts',
    env,
    asked: Number(values.mongo),
  });
}

const hangText = ci ? 'the tests’ 5 s (REST) / 15 s (other doors)' : `${values['hang-ms']} ms`;
const logDir = mkdtempSync(path.join(os.tmpdir(), 'strata-fuzz-'));
const startLoad = os.loadavg();
const niceness = os.getPriority();
const fmt = (n) => n.toLocaleString('en');
const clock = () => {
  const s = Math.round((Date.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
console.log(
  `# fuzz bench: ${fmt(total)} asked ${JSON.stringify(asked)} in ${units.length} processes ` +
    `(${units.map((u) => `${u.name} ${fmt(u.asked)}`).join(', ')}); concurrency ${values.concurrency}, ` +
    `graphql ${values['graphql-concurrency']}, live lanes ${values['live-lanes']}, hang ${hangText}; ` +
    `nice ${niceness}; load ${startLoad.map((l) => l.toFixed(1)).join(' ')}` +
    (endAt === undefined
      ? ''
      : `; stops sending at ${new Date(deadline).toISOString()}, ends by ${new Date(endAt).toISOString()}`),
);
console.log(`# logs: ${logDir}`);

function run(unit) {
  return new Promise((resolve) => {
    const log = createWriteStream(path.join(logDir, `${unit.name}.log`));
    const child = spawn(process.execPath, ['--import', 'tsx', unit.file], {
      cwd: root,
      env: unit.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    unit.child = child;
    unit.output = '';
    unit.progress = 0;
    unit.startedAt = Date.now();
    const take = (chunk) => {
      const text = chunk.toString('utf8');
      log.write(text);
      for (const m of text.matchAll(/^# progress [\w-]+: (\d+) of/gm)) unit.progress = Number(m[1]);
      unit.output += text;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timer;
    if (killAt !== undefined) {
      timer = setTimeout(
        () => {
          unit.killed = true;
          child.kill('SIGKILL');
        },
        Math.max(0, killAt - Date.now()),
      );
    }
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      unit.code = code ?? (signal === null ? 1 : signal);
      unit.seconds = Math.round((Date.now() - unit.startedAt) / 1000);
      log.end();
      console.log(`[${clock()}] ${unit.name} exited ${unit.code}${unit.killed ? ' (killed at --max-minutes)' : ''}`);
      resolve();
    });
  });
}

// Stopped (CI's clean-up, Ctrl-C): the door processes go too, not left running.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const unit of units) if (unit.code === undefined) unit.child?.kill('SIGKILL');
    process.exit(1);
  });
}
const progressTimer = setInterval(
  () => {
    const sent = units.reduce((s, u) => s + (u.code === undefined ? u.progress : sentOf(u)), 0);
    console.log(
      `[${clock()}] ${fmt(sent)} sent; ${units.map((u) => `${u.name} ${fmt(u.code === undefined ? u.progress : sentOf(u))}`).join(', ')}; load ${os.loadavg()[0].toFixed(1)}`,
    );
  },
  Number(values.progress) * 1000,
);

/** What a finished unit sent: its final line, or (killed) its last progress line. */
function sentOf(unit) {
  const line = /^# fuzz (?:door \w+|\((?:sqlite|mongodb)\)): ([\d,]+) requests/gm;
  let sum = 0;
  let found = false;
  for (const m of (unit.output ?? '').matchAll(line)) {
    const n = Number(m[1].replace(/,/g, ''));
    // The REST file prints a line per backend; a unit asks only one of them for requests.
    if (n > 0 || !found) sum += n;
    found = true;
  }
  return found ? sum : unit.progress;
}

await Promise.all(units.map(run));
clearInterval(progressTimer);
const endLoad = os.loadavg();
const elapsed = Math.round((Date.now() - started) / 1000);

const byDoor = new Map();
for (const unit of units) {
  const d = byDoor.get(unit.door) ?? { asked: 0, sent: 0, seconds: 0, stopped: false, killed: false };
  d.asked += unit.asked;
  d.sent += sentOf(unit);
  d.seconds = Math.max(d.seconds, unit.seconds);
  d.stopped ||= /^# fuzz door \S+ stopped at/m.test(unit.output);
  d.killed ||= unit.killed === true;
  byDoor.set(unit.door, d);
}
const sent = [...byDoor.values()].reduce((s, d) => s + d.sent, 0);
const askedAll = [...byDoor.values()].reduce((s, d) => s + d.asked, 0);
const failedUnits = units.filter((u) => u.code !== 0);
const failLines = units.flatMap((u) =>
  u.output
    .split('\n')
    .filter((l) => /^# FAIL|^not ok|^# fail [1-9]/.test(l.trimStart()))
    .map((l) => `${u.name}: ${l.trim().slice(0, 600)}`),
);
// Complete: no process was cut short by the deadline (REST's few requests node's client cannot send, a file
// name it refuses, are not sent and not counted; CI allows 1 %).
const complete = failedUnits.length === 0 && ![...byDoor.values()].some((d) => d.stopped || d.killed);
const detail = units.flatMap((u) => [
  `-- ${u.name} (${u.file.split('/').pop()}; exit ${u.code}${u.killed ? ', killed at --max-minutes' : ''}; ${u.seconds} s)`,
  ...u.output
    .split('\n')
    .filter((l) => /^# (fuzz|FAIL)|^# {3}(by status|by kind|by family|events)/.test(l))
    // The doors a process was not asked for print empty tallies.
    .filter((l) => !/^# fuzz (door \w+|\(\w+\)): 0 requests|: \{\}$/.test(l))
    .filter((l) => u.door === 'live' || !/^# {3}events received/.test(l)),
]);
const report = [
  `Strata fuzz through every door, ${new Date().toISOString()} (${os.cpus().length} cores, node ${process.version}, nice ${niceness})`,
  `load average at start ${startLoad.map((l) => l.toFixed(1)).join(' ')}, at end ${endLoad.map((l) => l.toFixed(1)).join(' ')}`,
  `asked: ${fmt(askedAll)}; SENT: ${fmt(sent)} in ${elapsed} s (${Math.round(sent / Math.max(elapsed, 1))}/s overall), ` +
    `${units.length} processes at once, concurrency ${values.concurrency} (graphql ${values['graphql-concurrency']}, live lanes ${values['live-lanes']}), hang after ${hangText}` +
    (maxMinutes === undefined ? '' : `, --max-minutes ${maxMinutes}`),
  complete
    ? 'result: complete, every process exit 0 (no 5xx, hang, dropped connection, crash or leak)'
    : `result: ${failedUnits.length === 0 ? 'PARTIAL (stopped at --max-minutes; every answer sent was judged and passed)' : `FAILED or killed: ${failedUnits.map((u) => `${u.name} exit ${u.code}${u.killed ? ' killed' : ''}`).join(', ')}`}`,
  '',
  ...[...byDoor.entries()].map(
    ([door, d]) =>
      `${door.padEnd(16)} ${fmt(d.sent).padStart(10)} of ${fmt(d.asked).padStart(10)} in ${String(d.seconds).padStart(5)} s` +
      `${d.killed ? '  (killed: counted to its last progress line)' : d.stopped ? '  (stopped at the deadline)' : ''}`,
  ),
  '',
  ...(failLines.length > 0 ? ['failures:', ...failLines.slice(0, 60), ''] : []),
  ...detail,
].join('\n');
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const out = values.out ?? `bench/results/${new Date().toISOString().slice(0, 16).replace(/:/g, '-')}-fuzz.txt`;
writeFileSync(path.resolve(root, out), `${report}\n`);
console.log(`\n${report}\nresults: ${out}\nlogs: ${logDir}`);
process.exit(failedUnits.length === 0 ? 0 : 1);
