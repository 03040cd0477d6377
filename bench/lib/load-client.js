// The load generator of compare.js, either client behind one call: `wrk` (a separate C process, the default) or
// `autocannon` (JavaScript in this process). A request is `{ method, headers?, body?, path }`, or `paths` instead
// of `path` for a scenario that cycles through records (get, increment by id). Both answer the same shape:
// `{ requestsPerSec, totalRequests, latencyMs: { p50, p99, max }, non2xx, errors }`.
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { runWrk, wrkVersion } from './wrk.js';

export const CLIENTS = ['wrk', 'autocannon'];

/** autocannon's request object: a fixed path, or a setupRequest that hands out `paths` in turn. */
function autocannonRequest(request) {
  const { paths, ...rest } = request;
  if (paths === undefined) return rest;
  let n = 0;
  return { ...rest, setupRequest: (r) => ({ ...r, path: paths[n++ % paths.length] }) };
}

async function runAutocannon({ origin, connections, duration, request }) {
  const result = await autocannon({ url: origin, connections, duration, requests: [autocannonRequest(request)] });
  return {
    requestsPerSec: result.requests.average,
    totalRequests: result.requests.total,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors, // timeouts included
  };
}

/**
 * What the results file records about the client: its name and version (wrk's own line; autocannon's package
 * version) and, for wrk, its thread count. Fails with a clear message when wrk is asked for and missing.
 */
export async function describeClient({ client, wrkThreads }) {
  if (client === 'wrk') {
    const version = await wrkVersion();
    if (version === undefined)
      throw new Error('--client wrk: no wrk on PATH (apt-get install wrk), or --client autocannon');
    return {
      name: 'wrk',
      version,
      threads: wrkThreads,
      process: 'separate (C)',
      latency:
        'corrected for coordinated omission (wrk 4: a latency above the mean interval between requests on one connection adds synthetic samples), so above littleMean on a busy machine',
    };
  }
  if (client === 'autocannon') {
    const version = createRequire(import.meta.url)('autocannon/package.json').version;
    return {
      name: 'autocannon',
      version,
      process: 'in the benchmark process (JavaScript)',
      latency: 'the requests sent, in whole milliseconds',
    };
  }
  throw new Error(`--client: expected one of ${CLIENTS.join(', ')}, got ${client}`);
}

/**
 * One measurement (or warm-up) of `request` against `origin` with the chosen client. `latencyMs.littleMean` is
 * the mean latency the rate allows (connections / req/s, Little's law, for connections that are never idle):
 * wrk's mean is above it whenever a connection stalled, because wrk 4 corrects its histogram for coordinated
 * omission (bench/README's compare section); autocannon's is at or below it.
 */
export async function runLoad({ client, wrkThreads = 1, origin, connections, duration, request }) {
  const r =
    client === 'wrk'
      ? await runWrk({ origin, connections, duration, threads: wrkThreads, request })
      : await runAutocannon({ origin, connections, duration, request });
  const littleMean = r.requestsPerSec > 0 ? Number(((connections / r.requestsPerSec) * 1000).toFixed(3)) : null;
  return { ...r, latencyMs: { ...r.latencyMs, littleMean } };
}
