// What the access log costs per request: the hook every request goes through (timing, a 'close' listener, the
// line built and written), measured in process against Strata's built server/dist, written synchronously to
// /dev/null as it would be to a file. Prints CPU nanoseconds (user + system, so the write system call counts)
// per request for: the hook with the line filtered out (--log-level warn), a JSON line (the default off a
// terminal) and a pretty line. CPU time, not wall time: other processes on a busy machine do not inflate it.
//
//   npm run build && node bench/request-log.js [--requests 200000]
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (file) => path.join(repoRoot, 'server/dist', file);
if (!existsSync(dist('http/request-log.js'))) {
  console.error('server/dist/http/request-log.js is missing: run `npm run build` first');
  process.exit(1);
}
const { createRequestLog } = await import(pathToFileURL(dist('http/request-log.js')).href);
const { createLogger } = await import(pathToFileURL(dist('infra/index.js')).href);
const { pino } = await import('pino');

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' } } });
const requests = Number(values.requests);

/** The parts of a request and response the hook touches. */
function fakeExchange(i) {
  const res = new EventEmitter();
  res.statusCode = i % 10 === 0 ? 404 : 200;
  res.writableFinished = true;
  const req = { method: 'GET', url: `/parse/classes/GameScore/obj${i % 100}?keys=score&include=player`, headers: {} };
  return { req, res };
}

function measure(name, logger) {
  const logRequest = createRequestLog({ logger, mountPath: '/parse' });
  const run = (count) => {
    for (let i = 0; i < count; i++) {
      const { req, res } = fakeExchange(i);
      logRequest({ req, res, requestId: 'c0ffee00-0000-4000-8000-000000000000' });
      res.emit('close');
    }
  };
  run(Math.min(20_000, requests)); // warm-up: let the JIT settle
  const baseline = process.cpuUsage();
  for (let i = 0; i < requests; i++) fakeExchange(i); // what the loop costs without the hook
  const loop = cpuMicros(process.cpuUsage(baseline));
  const started = process.cpuUsage();
  const wallStarted = performance.now();
  run(requests);
  const wallMs = performance.now() - wallStarted;
  const perRequestNs = ((cpuMicros(process.cpuUsage(started)) - loop) * 1e3) / requests;
  const wallNs = (wallMs * 1e6) / requests;
  console.log(
    `${name.padEnd(34)} ${perRequestNs.toFixed(0).padStart(6)} ns CPU per request (${wallNs.toFixed(0)} ns wall)`,
  );
  return perRequestNs;
}

const cpuMicros = (usage) => usage.user + usage.system;
const devNull = () => pino.destination({ dest: '/dev/null', sync: true });
console.log(`access log cost, ${requests.toLocaleString('en-US')} requests each (node ${process.version})`);
measure('hook only (--log-level warn)', createLogger({ level: 'warn', destination: devNull() }));
measure('json line (--log-format json)', createLogger({ level: 'info', destination: devNull() }));
measure('pretty line (--log-format pretty)', createLogger({ level: 'info', format: 'pretty', destination: devNull() }));
