// Strata load benchmark, side by side with parse-server 9.10. For each selected target it measures cold
// start (spawn -> first 200 from <mount>/health, median of N fresh starts), then starts a fresh server on
// a fresh store, seeds BenchItem rows through /batch and runs each scenario with autocannon on loopback.
// Prints a table and writes raw numbers to bench/results/<timestamp>.json. See bench/README.md.
//
//   npm run bench -- [--targets strata-sqlite,strata-mongo,parse-server] [--scenarios create,get,query,update,cold]
//                    [--duration 10] [--warmup 2] [--connections 32] [--rows 10000] [--cold-runs 5] [--rounds 1]
//                    [--cpu-prof] [--no-index-score]
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCpuAccounting } from './lib/cpu.js';
import { freePort, stopProcess, waitForHttp200 } from './lib/processes.js';
import { EXTRA_TARGET_NAMES, MOUNT, TARGET_NAMES, createTarget } from './lib/targets.js';
import { EXECUTION_ORDER, SCENARIO_NAMES, buildScenario, indexScore, measure, seed } from './lib/scenarios.js';
import { coldStartRatio, formatTable, throughputRatio } from './lib/report.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);

function intFlag(values, name, { min, max }) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer in [${min}, ${max}], got ${values[name]}`);
  }
  return n;
}

function listFlag(values, name, known) {
  const list = values[name]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = list.filter((s) => !known.includes(s));
  if (unknown.length) throw new Error(`--${name}: unknown ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return known.filter((k) => list.includes(k));
}

function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string', default: TARGET_NAMES.join(',') },
      baseline: { type: 'string' },
      scenarios: { type: 'string', default: [...SCENARIO_NAMES, 'cold'].join(',') },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '32' },
      rows: { type: 'string', default: '10000' },
      'cold-runs': { type: 'string', default: '5' },
      rounds: { type: 'string', default: '1' },
      'cpu-prof': { type: 'boolean', default: false },
      'no-index-score': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench -- [--targets ${TARGET_NAMES.join(',')} (also: ${EXTRA_TARGET_NAMES.join(',')})] [--scenarios ${[...SCENARIO_NAMES, 'cold'].join(',')}]
       [--duration SECONDS (10)] [--warmup SECONDS (2, unrecorded, before each scenario)] [--connections N (32)] [--rows N (10000)] [--cold-runs N (5)]
       [--rounds N (1; repeat all targets N times, keep each scenario's best round)]
       [--cpu-prof (profile each load server into bench/results/tmp)]
       [--no-index-score (skip the index on score both servers get through /schemas after seeding)] [--out FILE]
       [--baseline DIR (a built checkout to compare with: target strata-sqlite-baseline runs DIR/server/bin/strata.js)]`);
    process.exit(0);
  }
  return {
    targets: listFlag(values, 'targets', [...TARGET_NAMES, ...EXTRA_TARGET_NAMES]),
    scenarios: listFlag(values, 'scenarios', [...SCENARIO_NAMES, 'cold']),
    duration: intFlag(values, 'duration', { min: 1, max: 120 }),
    warmup: intFlag(values, 'warmup', { min: 0, max: 30 }),
    connections: intFlag(values, 'connections', { min: 1, max: 256 }),
    rows: intFlag(values, 'rows', { min: 200, max: 100_000 }),
    coldRuns: intFlag(values, 'cold-runs', { min: 1, max: 20 }),
    rounds: intFlag(values, 'rounds', { min: 1, max: 5 }),
    cpuProf: values['cpu-prof'],
    // Both servers get the same index on the queried field, as any app querying by score would have.
    indexScore: !values['no-index-score'],
    out: values.out,
    baseline: values.baseline === undefined ? undefined : path.resolve(values.baseline),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Starts a server on a fresh store; resolves once `<mount>/health` answers 200. */
async function startServer(target, { cpuProf = false, store: given } = {}) {
  const store = given ?? (await target.createStore());
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}${MOUNT}`;
  const proc = target.spawn({ port, store, cpuProf });
  try {
    const readyAt = await waitForHttp200(proc, `${baseUrl}/health`);
    return { store, proc, baseUrl, startMs: readyAt - proc.startedAt };
  } catch (err) {
    await stopProcess(proc);
    if (!given) await store.drop();
    throw err;
  }
}

async function stopServer(server, { keepStore = false } = {}) {
  await stopProcess(server.proc);
  if (!keepStore) await server.store.drop();
}

/**
 * Cold start as an autoscaler sees it: a new process against an existing store. One untimed priming start
 * creates the store's schema and warms the OS file cache (reported as `firstStartMs`), then `runs` timed
 * starts on the same store.
 */
async function measureColdStart(target, runs) {
  const store = await target.createStore();
  try {
    const first = await startServer(target, { store });
    await stopServer(first, { keepStore: true });
    const runsMs = [];
    for (let i = 0; i < runs; i++) {
      const server = await startServer(target, { store });
      runsMs.push(Math.round(server.startMs));
      await stopServer(server, { keepStore: true });
    }
    return { firstStartMs: Math.round(first.startMs), runsMs, medianMs: median(runsMs) };
  } finally {
    await store.drop();
  }
}

async function measureLoad(target, { ctx, opts, log }) {
  const out = { scenarios: {} };
  const server = await startServer(target, { cpuProf: opts.cpuProf });
  try {
    const seedStart = performance.now();
    const ids = await seed({ baseUrl: server.baseUrl, ctx, rows: opts.rows });
    out.seed = { rows: opts.rows, ms: Math.round(performance.now() - seedStart) };
    log(`  seeded ${opts.rows} rows in ${out.seed.ms} ms`);
    if (opts.indexScore) {
      await indexScore({ baseUrl: server.baseUrl, ctx });
      log('  added an index on score');
    }
    for (const name of EXECUTION_ORDER.filter((s) => opts.scenarios.includes(s))) {
      const scenario = buildScenario(name, { baseUrl: server.baseUrl, ctx, ids, rows: opts.rows });
      try {
        await scenario.check();
      } catch (err) {
        // A server that cannot run one scenario (parse-server on PostgreSQL without PostGIS, FerretDB without
        // geo operators) is reported for that scenario and still measured on the others.
        out.scenarios[name] = { failed: err instanceof Error ? err.message : String(err) };
        log(`  ${name.padEnd(6)} not measured: ${out.scenarios[name].failed}`);
        continue;
      }
      if (opts.warmup > 0) {
        await measure({
          baseUrl: server.baseUrl,
          request: scenario.request,
          connections: opts.connections,
          duration: opts.warmup,
        });
      }
      const stopAccounting = startCpuAccounting(server.proc.child.pid, { databasePids: target.databasePids });
      const r = await measure({
        baseUrl: server.baseUrl,
        request: scenario.request,
        connections: opts.connections,
        duration: opts.duration,
      });
      const cpu = stopAccounting();
      out.scenarios[name] = { ...r, cpu };
      const cpuText = cpu
        ? `  cores: server ${cpu.serverCores}, database ${cpu.databaseCores}, autocannon ${cpu.loadGeneratorCores}, other ${cpu.otherCores}`
        : '';
      log(
        `  ${name.padEnd(6)} ${Math.round(r.requestsPerSec)} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  non2xx ${r.non2xx}  errors ${r.errors}${cpuText}`,
      );
    }
  } finally {
    await stopServer(server);
  }
  return out;
}

async function runTarget(name, { ctx, opts, log }) {
  const target = createTarget(name, ctx);
  const ready = await target.setup();
  if (!ready.ok) {
    log(`${name}: skipped: ${ready.reason}`);
    return { status: 'skipped', reason: ready.reason };
  }
  const result = { status: 'ok' };
  try {
    if (opts.scenarios.includes('cold')) {
      result.coldStart = await measureColdStart(target, opts.coldRuns);
      const c = result.coldStart;
      log(
        `${name}: cold start median ${c.medianMs} ms (${c.runsMs.join(', ')}; first start on an empty store ${c.firstStartMs} ms)`,
      );
    }
    if (opts.scenarios.some((s) => s !== 'cold')) {
      log(`${name}: load (${opts.connections} connections, ${opts.duration} s per scenario)`);
      Object.assign(result, await measureLoad(target, { ctx, opts, log }));
    }
    return result;
  } catch (err) {
    log(`${name}: failed: ${err.message}`);
    return { ...result, status: 'failed', reason: err.message };
  } finally {
    await target.teardown();
  }
}

/**
 * Combines rounds of one target: per scenario the round with the highest req/s, and the round with the
 * lowest cold start median. Interference from other processes only ever slows a round down, so the best
 * round is the least disturbed one. Every round is kept under `rounds` when there are several.
 */
function bestOf(rounds) {
  if (rounds.length === 1) return rounds[0];
  const ok = rounds.filter((r) => r.status === 'ok');
  const best = ok.length ? { status: 'ok', scenarios: {} } : { ...rounds[0] };
  for (const r of ok) {
    for (const [name, m] of Object.entries(r.scenarios ?? {})) {
      if (!best.scenarios[name] || m.requestsPerSec > best.scenarios[name].requestsPerSec) best.scenarios[name] = m;
    }
    if (r.coldStart && (!best.coldStart || r.coldStart.medianMs < best.coldStart.medianMs))
      best.coldStart = r.coldStart;
    if (r.seed && (!best.seed || r.seed.ms < best.seed.ms)) best.seed = r.seed;
  }
  return { ...best, rounds };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    totalMemMB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    note: 'load generator (autocannon) runs on the same cores as the server under test',
  };
}

async function main() {
  let opts;
  try {
    opts = readOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${err.message} (see --help)`);
    process.exit(2);
  }
  const resultsDir = path.join(benchDir, 'results');
  const scratch = path.join(resultsDir, 'tmp');
  mkdirSync(scratch, { recursive: true });
  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'strata-bench-'));
  const ctx = {
    repoRoot,
    baselineRoot: opts.baseline,
    benchDir,
    tmpRoot,
    cpuProfDir: scratch,
    appId: 'bench',
    masterKey: 'bench-master-key',
    clientKey: 'bench-client-key',
    ferretdbBin: process.env.FERRETDB_BIN || '/tmp/fb/ferretdb',
    pgHost: '127.0.0.1',
    pgPort: 5432,
  };
  const log = (line) => console.log(line);
  const profilesBefore = new Set(readdirSync(scratch));

  const results = { startedAt: new Date().toISOString(), machine: machine(), options: opts, targets: {} };
  try {
    const rounds = Object.fromEntries(opts.targets.map((name) => [name, []]));
    for (let round = 1; round <= opts.rounds; round++) {
      if (opts.rounds > 1) log(`round ${round} of ${opts.rounds}`);
      for (const name of opts.targets) rounds[name].push(await runTarget(name, { ctx, opts, log }));
    }
    for (const name of opts.targets) results.targets[name] = bestOf(rounds[name]);
  } finally {
    rmSync(tmpRoot, { recursive: true, force: true });
  }

  results.ratios = {};
  for (const name of opts.targets.filter((t) => t !== 'parse-server')) {
    const r = {};
    for (const s of SCENARIO_NAMES) r[s] = throughputRatio(results, name, s);
    r.coldStartSpeedup = coldStartRatio(results, name);
    results.ratios[name] = r;
  }
  const file = opts.out ?? path.join(resultsDir, `${results.startedAt.replace(/:/g, '-').replace(/\..*$/, '')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

  console.log(`\n${formatTable(results, opts)}\n\nraw results: ${path.relative(process.cwd(), file)}`);
  const profiles = readdirSync(scratch).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f));
  if (profiles.length) {
    console.log(`cpu profiles: ${profiles.map((f) => path.join('bench/results/tmp', f)).join(', ')}`);
    console.log('summarize with: node bench/profile-summary.js <file>');
  }
  // Other processes competing for the 2 cores make numbers pessimistic and ratios unreliable.
  const noisy = Object.entries(results.targets).flatMap(([name, t]) =>
    Object.entries(t.scenarios ?? {})
      .filter(([, r]) => (r.cpu?.otherCores ?? 0) > 0.25)
      .map(([s]) => `${name} ${s}`),
  );
  if (noisy.length) {
    console.log(`warning: other processes used > 0.25 core during: ${noisy.join(', ')}; those numbers are pessimistic`);
  }
  const failed = Object.values(results.targets).some((t) => t.status === 'failed');
  process.exitCode = failed ? 1 : 0;
}

await main();
