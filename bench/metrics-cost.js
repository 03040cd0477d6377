// What the metrics and metering cost per request, measured in process against Strata's built server/dist: the
// work every request's `finish` adds (the Prometheus counter and latency histogram, the Parse-error counter on
// a failed one, the usage meter's hourly bucket) and the client-address resolution, once as a plain request
// and once behind a trusted proxy (X-Forwarded-For parsed). Prints CPU nanoseconds (user + system) per request,
// which other processes on a busy machine do not inflate, and the /metrics rendering time after the run.
//
//   npm run build && node bench/metrics-cost.js [--requests 200000]
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (file) => path.join(repoRoot, 'server/dist', file);
if (!existsSync(dist('infra/metrics.js'))) {
  console.error('server/dist/infra/metrics.js is missing: run `npm run build` first');
  process.exit(1);
}
const { createMetrics } = await import(pathToFileURL(dist('infra/index.js')).href);
const { UsageMeter } = await import(pathToFileURL(dist('core/index.js')).href);
const { ClientAddressResolver } = await import(pathToFileURL(dist('http/client-address.js')).href);

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' } } });
const requests = Number(values.requests);
const ROUTES = ['/classes/:className', '/classes/:className/:objectId', '/functions/:name', '/users/me', 'unmatched'];

function fakeExchange(i, proxied) {
  const res = new EventEmitter();
  res.statusCode = i % 10 === 0 ? 404 : 200;
  const req = {
    method: i % 3 === 0 ? 'POST' : 'GET',
    socket: { remoteAddress: '127.0.0.1' },
    headers: proxied ? { 'x-forwarded-for': `198.51.100.${i % 250}`, 'x-forwarded-proto': 'https' } : {},
  };
  return { req, res };
}

/** The same steps the listener runs per request (http/index.ts `serve` and app.ts `observeRequest`). */
function measure(name, { proxied }) {
  const metrics = createMetrics();
  const meter = new UsageMeter({ storage: {}, schemas: {}, appId: 'bench', now: () => new Date() });
  const addresses = new ClientAddressResolver(proxied ? ['127.0.0.1'] : []);
  const run = (count) => {
    for (let i = 0; i < count; i++) {
      const { req, res } = fakeExchange(i, proxied);
      addresses.resolve(req);
      const route = ROUTES[i % ROUTES.length];
      const started = performance.now();
      res.once('finish', () => {
        const seconds = (performance.now() - started) / 1000;
        metrics.observeRequest({ method: req.method, route, status: res.statusCode, seconds });
        if (res.statusCode >= 400) metrics.countError({ route, code: 101 });
        meter.record({ kind: 'request', name: 'all', ok: res.statusCode < 500, ms: seconds * 1000 });
      });
      res.emit('finish');
    }
  };
  run(20_000); // warm up the JIT
  const before = process.cpuUsage();
  run(requests);
  const used = process.cpuUsage(before);
  const ns = ((used.user + used.system) * 1000) / requests;
  return { name, ns, metrics };
}

const results = [measure('plain request', { proxied: false }), measure('behind a trusted proxy', { proxied: true })];
for (const { name, ns } of results)
  console.log(`${name.padEnd(28)} ${Math.round(ns).toString().padStart(6)} ns CPU per request`);
const started = performance.now();
const { body } = await results[0].metrics.render();
console.log(`GET /metrics rendering        ${(performance.now() - started).toFixed(1)} ms (${body.length} bytes)`);
results.forEach((r) => r.metrics.close());
