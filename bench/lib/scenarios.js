// The workload: seeding BenchItem rows through /batch and the four REST scenarios (create, get by id,
// range query, increment update) as autocannon request definitions, each with a one-request sanity check
// so a broken server is reported instead of benchmarked. Process handling and reporting live elsewhere.
import autocannon from 'autocannon';
import { requestJson } from './http-json.js';

export const SCENARIO_NAMES = [
  'create',
  'get',
  'query',
  'include',
  'graphql',
  'regex',
  'update',
  'inQuery',
  'near',
  'authGet',
  'login',
  'function',
];
/**
 * Scenarios outside `npm run bench`'s default set, known to `bench/server-cpu.mjs`: `top20` is
 * `bench/compare.js`'s page (the 20 highest scores, no `where`), so a cut can be judged on compare's own request.
 */
export const EXTRA_SCENARIO_NAMES = ['top20'];
/** Execution order: reads and in-place updates first, so rows added by `create` don't change the others. */
export const EXECUTION_ORDER = [
  'get',
  'function',
  'authGet',
  'query',
  'top20',
  'include',
  'graphql',
  'regex',
  'inQuery',
  'near',
  'update',
  'create',
  'login',
];

export const CLASS_NAME = 'BenchItem';
const QUERY_WIDTH = 100;
const QUERY_LIMIT = 20;
/** `near` scenario: BenchPlace GeoPoints on a 100 × 100 grid (0.9° latitude by 1.8° longitude), 500 km, 20 nearest. */
const NEAR_KM = 500;
export const PLACE_CLASS = 'BenchPlace';

/** The seeded `location` of row `i`: a grid point, so the nearest row to a row's own point is itself. */
export function gridPoint(i) {
  return { __type: 'GeoPoint', latitude: -45 + (i % 100) * 0.9, longitude: -90 + (Math.floor(i / 100) % 100) * 1.8 };
}
/** `$inQuery` scenario: every BenchItem points (`owner`) to one of OWNER_ROWS BenchOwner rows with OWNER_TIERS tiers. */
export const OWNER_CLASS = 'BenchOwner';
const OWNER_ROWS = 100;
const OWNER_TIERS = 4;

/** Headers a plain REST client sends: app id plus the client (REST API) key, or the master key. */
export function authHeaders(ctx, { master }) {
  return master
    ? { 'X-Parse-Application-Id': ctx.appId, 'X-Parse-Master-Key': ctx.masterKey }
    : { 'X-Parse-Application-Id': ctx.appId, 'X-Parse-REST-API-Key': ctx.clientKey };
}

function fail(what, res) {
  throw new Error(`${what}: HTTP ${res.status} ${res.text.replace(/\s+/g, ' ').slice(0, 300)}`);
}

/**
 * Creates `rows` BenchItem objects (score 0..rows-1) and as many BenchPlace objects (score and a grid
 * `location`) through POST /batch, `batchSize` per request, a few requests in flight. Uses the master key (it
 * creates the classes). Locations live in their own class so the geo index they bring (Strata indexes every
 * GeoPoint) does not weigh on the create/get/query/update scenarios. Returns the BenchItem ids in score order.
 */
export async function seed({ baseUrl, ctx, rows, batchSize = 50, inFlight = 4 }) {
  const headers = authHeaders(ctx, { master: true });
  const ownerIds = await seedOwners({ baseUrl, headers });
  const common = { baseUrl, headers, rows, batchSize, inFlight };
  const ids = await seedClass({
    ...common,
    className: CLASS_NAME,
    body: (i) => ({ score: i, name: `item-${i}`, counter: 0, tag: `t${i % 8}`, owner: ownerPointer(ownerIds, i) }),
  });
  await seedClass({ ...common, className: PLACE_CLASS, body: (i) => ({ score: i, location: gridPoint(i) }) });
  return ids;
}

async function seedClass({ baseUrl, headers, rows, batchSize, inFlight, className, body }) {
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
        requests.push({ method: 'POST', path: `${new URL(baseUrl).pathname}/classes/${className}`, body: body(i) });
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

/** OWNER_ROWS BenchOwner rows (`tier` = index % OWNER_TIERS) in one batch; returns their objectIds. */
async function seedOwners({ baseUrl, headers }) {
  const requests = Array.from({ length: OWNER_ROWS }, (_, k) => ({
    method: 'POST',
    path: `${new URL(baseUrl).pathname}/classes/${OWNER_CLASS}`,
    body: { name: `owner-${k}`, tier: k % OWNER_TIERS },
  }));
  const res = await requestJson(`${baseUrl}/batch`, { method: 'POST', headers, body: { requests } });
  if (res.status !== 200 || !Array.isArray(res.json) || res.json.some((item) => !item?.success?.objectId))
    fail('seed owners', res);
  return res.json.map((item) => item.success.objectId);
}

function ownerPointer(ownerIds, i) {
  return { __type: 'Pointer', className: OWNER_CLASS, objectId: ownerIds[i % ownerIds.length] };
}

function inQueryPath(mount, tier) {
  const where = { owner: { $inQuery: { className: OWNER_CLASS, where: { tier } } } };
  return `${mount}/classes/${CLASS_NAME}?where=${encodeURIComponent(JSON.stringify(where))}&limit=${QUERY_LIMIT}`;
}

/**
 * `include` and `graphql` scenarios: the same page, 20 BenchItems of a score range with their owner (a nested
 * pointer), through REST (`include=owner`) and through the generated GraphQL API (`benchItems` with
 * `owner { name tier }`). GraphQL answers at the server root, as parse-server's `graphQLPath`.
 */
function includePath(mount, low) {
  const where = encodeURIComponent(JSON.stringify({ score: { $gte: low, $lt: low + QUERY_WIDTH } }));
  return `${mount}/classes/${CLASS_NAME}?where=${where}&order=-score&limit=${QUERY_LIMIT}&include=owner`;
}

const GRAPHQL_QUERY = `query Page($low: Float!, $high: Float!) {
  benchItems(where: { score: { greaterThanOrEqualTo: $low, lessThan: $high } }, order: [score_DESC], first: ${QUERY_LIMIT}) {
    edges { node { objectId score name owner { objectId name tier } } }
  }
}`;

function graphqlBody(low) {
  return JSON.stringify({ query: GRAPHQL_QUERY, variables: { low, high: low + QUERY_WIDTH } });
}

function nearPath(mount, i) {
  const where = { location: { $nearSphere: gridPoint(i), $maxDistanceInKilometers: NEAR_KM } };
  return `${mount}/classes/${PLACE_CLASS}?where=${encodeURIComponent(JSON.stringify(where))}&limit=${QUERY_LIMIT}`;
}

/** Great-circle distance in km between two GeoPoint JSON values (to check the order of `near` results). */
function distanceKm(a, b) {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.latitude - a.latitude) * rad) / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(((b.longitude - a.longitude) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * `regex` scenario: the SDK's `startsWith` + `endsWith` on `name` (`^\Qitem-N\E$`), matching one row. No index
 * serves a regex, so every one of the seeded rows goes through the database's regex engine (SQLite: Strata's
 * `regexp` function, RE2).
 */
function regexPath(mount, n) {
  const where = encodeURIComponent(JSON.stringify({ name: { $regex: `^\\Qitem-${n}\\E$` } }));
  return `${mount}/classes/${CLASS_NAME}?where=${where}&limit=${QUERY_LIMIT}`;
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
    case 'function': {
      // A trivial cloud function (bench/cloud/main.js, loaded by every target) next to the plain get.
      const body = JSON.stringify({ n: 7 });
      return {
        request: {
          method: 'POST',
          path: `${mount}/functions/benchEcho`,
          headers: { ...headers, 'Content-Type': 'application/json' },
          body,
        },
        async check() {
          const res = await requestJson(`${baseUrl}/functions/benchEcho`, { method: 'POST', headers, body: { n: 7 } });
          if (res.status !== 200 || res.json?.result?.echo !== 7) fail('function check', res);
        },
      };
    }
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
    case 'top20':
      return {
        request: { method: 'GET', headers, path: `${mount}/classes/${CLASS_NAME}?order=-score&limit=${QUERY_LIMIT}` },
        async check() {
          const res = await requestJson(`${baseUrl}/classes/${CLASS_NAME}?order=-score&limit=${QUERY_LIMIT}`, {
            headers,
          });
          const scores = res.json?.results?.map((r) => r.score);
          if (res.status !== 200 || scores?.length !== QUERY_LIMIT || scores[0] !== rows - 1) fail('top20 check', res);
        },
      };
    case 'include':
      return {
        request: { method: 'GET', headers, setupRequest: (req) => ({ ...req, path: includePath(mount, randomLow()) }) },
        async check() {
          const res = await requestJson(`${origin}${includePath(mount, 1000)}`, { headers });
          const owners = res.json?.results?.map(
            (r) => r.owner?.__type === 'Object' && typeof r.owner.tier === 'number',
          );
          if (res.status !== 200 || owners?.length !== QUERY_LIMIT || owners.includes(false))
            fail('include check', res);
        },
      };
    case 'graphql': {
      const graphqlHeaders = { ...headers, 'Content-Type': 'application/json' };
      return {
        request: {
          method: 'POST',
          path: '/graphql',
          headers: graphqlHeaders,
          setupRequest: (req) => ({ ...req, body: graphqlBody(randomLow()) }),
        },
        async check() {
          const res = await fetch(`${origin}/graphql`, {
            method: 'POST',
            headers: graphqlHeaders,
            body: graphqlBody(1000),
          });
          const json = await res.json().catch(() => undefined);
          const edges = json?.data?.benchItems?.edges ?? [];
          const scores = edges.map((e) => e.node.score);
          const expected = Array.from({ length: QUERY_LIMIT }, (_, k) => 1000 + QUERY_WIDTH - 1 - k);
          const owned = edges.every((e) => typeof e.node.owner?.tier === 'number');
          if (res.status !== 200 || JSON.stringify(scores) !== JSON.stringify(expected) || !owned) {
            fail('graphql check', { status: res.status, text: JSON.stringify(json) ?? '' });
          }
        },
      };
    }
    case 'regex':
      return {
        request: {
          method: 'GET',
          headers,
          setupRequest: (req) => ({ ...req, path: regexPath(mount, Math.floor(Math.random() * rows)) }),
        },
        async check() {
          const res = await requestJson(`${origin}${regexPath(mount, 123)}`, { headers });
          const names = res.json?.results?.map((r) => r.name);
          if (res.status !== 200 || JSON.stringify(names) !== '["item-123"]') fail('regex check', res);
        },
      };
    case 'inQuery':
      return {
        request: {
          method: 'GET',
          headers,
          setupRequest: (req) => ({ ...req, path: inQueryPath(mount, Math.floor(Math.random() * OWNER_TIERS)) }),
        },
        async check() {
          const res = await requestJson(`${origin}${inQueryPath(mount, 1)}&keys=owner&include=owner`, { headers });
          const tiers = res.json?.results?.map((r) => r.owner?.tier);
          if (res.status !== 200 || tiers?.length !== QUERY_LIMIT || tiers.some((tier) => tier !== 1))
            fail('inQuery check', res);
        },
      };
    case 'near':
      return {
        request: {
          method: 'GET',
          headers,
          setupRequest: (req) => ({ ...req, path: nearPath(mount, Math.floor(Math.random() * Math.min(rows, 10000))) }),
        },
        async check() {
          const row = Math.min(rows, 10000) >> 1;
          const res = await requestJson(`${origin}${nearPath(mount, row)}`, { headers });
          const results = res.json?.results ?? [];
          const km = results.map((r) => distanceKm(gridPoint(row), r.location ?? {}));
          const ordered = km.every((d, k) => k === 0 || d >= km[k - 1]);
          if (res.status !== 200 || results.length !== QUERY_LIMIT || results[0]?.score !== row || !ordered)
            fail('near check', res);
          if (km[km.length - 1] > NEAR_KM) fail('near check (radius)', res);
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
    case 'authGet':
    case 'login':
      return userScenario(name, { baseUrl, ids, mount, headers });
    default:
      throw new Error(`unknown scenario ${name}; known: ${SCENARIO_NAMES.join(', ')}`);
  }
}

/** The user the `login` and `authGet` scenarios log in as (signed up by their check, once). */
const BENCH_USER = { username: 'bench-user', password: 'bench-password' };

async function benchSession({ baseUrl, headers }) {
  const signUp = await requestJson(`${baseUrl}/users`, { method: 'POST', headers, body: BENCH_USER });
  // 202: signed up by an earlier scenario or round.
  if (signUp.status !== 201 && signUp.json?.code !== 202) fail('sign-up', signUp);
  const res = await requestJson(`${baseUrl}/login`, { method: 'POST', headers, body: BENCH_USER });
  if (res.status !== 200 || typeof res.json?.sessionToken !== 'string') fail('login check', res);
  return res.json.sessionToken;
}

/**
 * `login`: POST /login with a password (bcrypt verification and a new session per request).
 * `authGet`: the `get` scenario with a session token, so its p99 next to `get` shows the cost of
 * resolving the session and checking permissions on each request.
 */
function userScenario(name, { baseUrl, ids, mount, headers }) {
  if (name === 'login') {
    return {
      request: {
        method: 'POST',
        path: `${mount}/login`,
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(BENCH_USER),
      },
      async check() {
        await benchSession({ baseUrl, headers });
      },
    };
  }
  let counter = 0;
  const sessionHeaders = { ...headers };
  return {
    request: {
      method: 'GET',
      // Filled in by check(): autocannon reads the headers when the measurement starts.
      headers: sessionHeaders,
      setupRequest: (req) => ({ ...req, path: `${mount}/classes/${CLASS_NAME}/${ids[counter++ % ids.length]}` }),
    },
    async check() {
      sessionHeaders['X-Parse-Session-Token'] = await benchSession({ baseUrl, headers });
      const res = await requestJson(`${baseUrl}/classes/${CLASS_NAME}/${ids[0]}`, { headers: sessionHeaders });
      if (res.status !== 200 || res.json?.objectId !== ids[0]) fail('authGet check', res);
    },
  };
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
