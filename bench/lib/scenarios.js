// The workload: seeding BenchItem rows through /batch and the four REST scenarios (create, get by id,
// range query, increment update) as autocannon request definitions, each with a one-request sanity check
// so a broken server is reported instead of benchmarked. Process handling and reporting live elsewhere.
import autocannon from 'autocannon';

export const SCENARIO_NAMES = ['create', 'get', 'query', 'update'];
/** Execution order: reads and in-place updates first, so rows added by `create` don't change the others. */
export const EXECUTION_ORDER = ['get', 'query', 'update', 'create'];

export const CLASS_NAME = 'BenchItem';
const QUERY_WIDTH = 100;
const QUERY_LIMIT = 20;

/** Headers a plain REST client sends: app id plus the client (REST API) key, or the master key. */
export function authHeaders(ctx, { master }) {
  return master
    ? { 'X-Parse-Application-Id': ctx.appId, 'X-Parse-Master-Key': ctx.masterKey }
    : { 'X-Parse-Application-Id': ctx.appId, 'X-Parse-REST-API-Key': ctx.clientKey };
}

async function requestJson(url, { method = 'GET', headers, body }) {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function fail(what, res) {
  throw new Error(`${what}: HTTP ${res.status} ${res.text.replace(/\s+/g, ' ').slice(0, 300)}`);
}

/**
 * Creates `rows` BenchItem objects (score 0..rows-1) through POST /batch, `batchSize` per request, a few
 * requests in flight. Uses the master key (it creates the class). Returns the objectIds in score order.
 */
export async function seed({ baseUrl, ctx, rows, batchSize = 50, inFlight = 4 }) {
  const headers = authHeaders(ctx, { master: true });
  const ids = new Array(rows);
  const batches = [];
  for (let start = 0; start < rows; start += batchSize) batches.push(start);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const start = batches[next++];
      const end = Math.min(start + batchSize, rows);
      const requests = [];
      for (let i = start; i < end; i++) {
        requests.push({
          method: 'POST',
          path: `${new URL(baseUrl).pathname}/classes/${CLASS_NAME}`,
          body: { score: i, name: `item-${i}`, counter: 0, tag: `t${i % 8}` },
        });
      }
      const res = await requestJson(`${baseUrl}/batch`, { method: 'POST', headers, body: { requests } });
      if (res.status !== 200 || !Array.isArray(res.json) || res.json.length !== requests.length)
        fail('seed batch', res);
      res.json.forEach((item, k) => {
        if (!item?.success?.objectId)
          fail(`seed item ${start + k}`, { status: res.status, text: JSON.stringify(item) });
        ids[start + k] = item.success.objectId;
      });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return ids;
}

/**
 * Adds an index on `score` through the schema API (`PUT /schemas/BenchItem`, master key), as an app that
 * queries by score would. On by default for every target; `--no-index-score` measures unindexed scans.
 */
export async function indexScore({ baseUrl, ctx }) {
  const res = await requestJson(`${baseUrl}/schemas/${CLASS_NAME}`, {
    method: 'PUT',
    headers: authHeaders(ctx, { master: true }),
    body: { className: CLASS_NAME, indexes: { score_1: { score: 1 } } },
  });
  if (res.status !== 200) fail('index on score', res);
}

function queryPath(mount, low) {
  const where = encodeURIComponent(JSON.stringify({ score: { $gte: low, $lt: low + QUERY_WIDTH } }));
  return `${mount}/classes/${CLASS_NAME}?where=${where}&order=-score&limit=${QUERY_LIMIT}`;
}

/**
 * Builds one scenario: `{ check(), request }`, where `request` is an autocannon request definition.
 * `ids` are seeded objectIds; `rows` the seeded row count (query ranges stay inside it).
 */
export function buildScenario(name, { baseUrl, ctx, ids, rows }) {
  const mount = new URL(baseUrl).pathname;
  const headers = authHeaders(ctx, { master: false });
  const origin = new URL(baseUrl).origin;
  let counter = 0;
  const nextId = () => ids[counter++ % ids.length];
  const randomLow = () => Math.floor(Math.random() * (rows - QUERY_WIDTH));

  switch (name) {
    case 'create': {
      const body = JSON.stringify({ name: 'created', score: -1, counter: 0, tag: 'new' });
      return {
        request: {
          method: 'POST',
          path: `${mount}/classes/${CLASS_NAME}`,
          headers: { ...headers, 'Content-Type': 'application/json' },
          body,
        },
        async check() {
          const res = await requestJson(`${baseUrl}/classes/${CLASS_NAME}`, {
            method: 'POST',
            headers,
            body: JSON.parse(body),
          });
          if (res.status !== 201 || typeof res.json?.objectId !== 'string') fail('create check', res);
        },
      };
    }
    case 'get':
      return {
        request: {
          method: 'GET',
          headers,
          setupRequest: (req) => ({ ...req, path: `${mount}/classes/${CLASS_NAME}/${nextId()}` }),
        },
        async check() {
          const res = await requestJson(`${baseUrl}/classes/${CLASS_NAME}/${ids[0]}`, { headers });
          if (res.status !== 200 || res.json?.objectId !== ids[0] || res.json?.score !== 0) fail('get check', res);
        },
      };
    case 'query':
      return {
        request: { method: 'GET', headers, setupRequest: (req) => ({ ...req, path: queryPath(mount, randomLow()) }) },
        async check() {
          const res = await requestJson(`${origin}${queryPath(mount, 1000)}`, { headers });
          const scores = res.json?.results?.map((r) => r.score);
          const expected = Array.from({ length: QUERY_LIMIT }, (_, k) => 1000 + QUERY_WIDTH - 1 - k);
          if (res.status !== 200 || JSON.stringify(scores) !== JSON.stringify(expected)) fail('query check', res);
        },
      };
    case 'update': {
      const body = JSON.stringify({ counter: { __op: 'Increment', amount: 1 } });
      return {
        request: {
          method: 'PUT',
          headers: { ...headers, 'Content-Type': 'application/json' },
          body,
          setupRequest: (req) => ({ ...req, path: `${mount}/classes/${CLASS_NAME}/${nextId()}` }),
        },
        async check() {
          const id = ids[ids.length - 1];
          const res = await requestJson(`${baseUrl}/classes/${CLASS_NAME}/${id}`, {
            method: 'PUT',
            headers,
            body: JSON.parse(body),
          });
          if (res.status !== 200 || typeof res.json?.updatedAt !== 'string') fail('update check', res);
        },
      };
    }
    default:
      throw new Error(`unknown scenario ${name}; known: ${SCENARIO_NAMES.join(', ')}`);
  }
}

/** Runs one autocannon measurement and returns the numbers we keep. */
export async function measure({ baseUrl, request, connections, duration }) {
  const result = await autocannon({
    url: new URL(baseUrl).origin,
    connections,
    duration,
    requests: [request],
  });
  return {
    requestsPerSec: result.requests.average,
    totalRequests: result.requests.total,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      avg: result.latency.average,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts, // already included in errors
    throughputBytesPerSec: result.throughput.average,
  };
}
