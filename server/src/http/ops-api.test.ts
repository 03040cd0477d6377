import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../app.js';
import type { StrataApp } from '../app.js';
import { createCloudAPI } from '../cloud/index.js';
import type { CloudRegistry } from '../cloud/index.js';
import type { Config } from '../config/index.js';
import { createLogger } from '../infra/index.js';
import { testConfig } from '../testing/test-config.test-util.js';

/**
 * The operations endpoints (`/health`, `/ready`, `/metrics`), `--trust-proxy` and metering (`GET /usage`),
 * through a real app on a loopback port. SQLite: these paths do not depend on the backend; the topology test
 * (test/topology/) runs them on FerretDB and Redis across processes.
 */
const APP_ID = 'ops-app';
const MASTER_KEY = 'ops-master';
const CLIENT_KEY = 'ops-client';

interface Running {
  readonly app: StrataApp;
  readonly url: string;
  readonly dir: string;
}

function registerCloud(registry: CloudRegistry): void {
  const cloud = createCloudAPI(registry);
  cloud.defineFunction<{ fail?: boolean }>('hello', ({ params }) => {
    if (params.fail === true) throw new Error('asked to fail');
    return 'hi';
  });
  cloud.beforeSave('Score', () => undefined);
}

async function start(options: { dir?: string; config?: Partial<Config>; now?: () => Date } = {}): Promise<Running> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'strata-ops-'));
  const config: Config = {
    ...testConfig({ dir, databaseURI: `sqlite:${join(dir, 'strata.db')}`, appId: APP_ID, masterKey: MASTER_KEY }),
    clientKey: CLIENT_KEY,
    allowClientClassCreation: true,
    ...options.config,
  };
  const app = await createApp({
    config,
    logger: createLogger({ level: 'silent' }),
    cloudSetup: registerCloud,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const { port } = await app.listen();
  return { app, url: `http://127.0.0.1:${port}`, dir };
}

function parse(url: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }) {
  return fetch(`${url}/parse${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'X-Parse-Application-Id': APP_ID,
      'Content-Type': 'application/json',
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

const master = { 'X-Parse-Master-Key': MASTER_KEY };
const client = { 'X-Parse-Client-Key': CLIENT_KEY };

describe('/health and /ready', () => {
  let server: Running;
  before(async () => {
    server = await start();
  });
  after(async () => {
    await server.app.close();
    rmSync(server.dir, { recursive: true, force: true });
  });

  it('answers liveness at the root and under the mount, without credentials', async () => {
    for (const path of ['/health', '/parse/health']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.deepEqual(await response.json(), { status: 'ok' });
    }
  });

  it('is ready when the database and the queue answer, and says which it checked', async () => {
    const response = await fetch(`${server.url}/ready`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready', checks: { database: 'ok', queue: 'ok' } });
  });

  it('refuses other methods on the ops paths with 405, never running anything', async () => {
    const response = await fetch(`${server.url}/ready`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
  });

  it('answers 503 "draining" once the server is stopping, while the API is still served', async () => {
    server.app.drain();
    const ready = await fetch(`${server.url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { status: string }).status, 'draining');
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200, 'liveness stays up while draining');
    const api = await parse(server.url, '/classes/Anything', { headers: client });
    assert.equal(api.status, 200);
  });
});

describe('/ready when the database is gone', () => {
  it('answers 503 with the database unavailable and no internal detail', async () => {
    const server = await start();
    try {
      // Closing only the storage would need a seam; a closed app's port is gone too. So close the app and
      // read /ready through the express-style handler, which still runs the checks on the closed storage.
      await server.app.close();
      const { createServer } = await import('node:http');
      const probe = createServer((req, res) => server.app.handler(req, res));
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/ready`);
      assert.equal(response.status, 503);
      const body = (await response.json()) as { status: string; checks: Record<string, string> };
      assert.equal(body.checks['database'], 'unavailable');
      assert.equal(JSON.stringify(body).includes('closed'), false, 'the cause stays in the log');
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    } finally {
      rmSync(server.dir, { recursive: true, force: true });
    }
  });
});

describe('/metrics', () => {
  let open: Running;
  let guarded: Running;
  before(async () => {
    open = await start();
    guarded = await start({ config: { metricsIps: [], metricsKey: 'scrape-secret' } });
  });
  after(async () => {
    await open.app.close();
    await guarded.app.close();
    rmSync(open.dir, { recursive: true, force: true });
    rmSync(guarded.dir, { recursive: true, force: true });
  });

  it('serves Prometheus text to the metrics IPs (loopback by default)', async () => {
    await parse(open.url, '/classes/Thing', { headers: client });
    const response = await fetch(`${open.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(text, /strata_http_requests_total\{method="GET",route="\/classes\/:className",status="200"\} 1/);
    assert.match(text, /strata_http_request_duration_seconds_count\{method="GET",route="\/classes\/:className"\} 1/);
    for (const name of [
      'nodejs_eventloop_lag_p99_seconds',
      'process_cpu_seconds_total',
      'strata_db_pool_connections{state="size"} 1',
      'strata_queue_jobs{queue="jobs",state="waiting"} 0',
      'strata_livequery_connections 0',
    ]) {
      assert.ok(text.includes(name), `${name} in /metrics`);
    }
  });

  it('labels by route pattern, never by raw URL, and counts Parse errors by code', async () => {
    await parse(open.url, '/classes/Private_x1/nope', { headers: client });
    await parse(open.url, '/no/such/route', { headers: client });
    const text = await (await fetch(`${open.url}/metrics`)).text();
    assert.equal(text.includes('Private_x1'), false, 'no class name or id in labels');
    assert.match(text, /strata_http_errors_total\{route="\/classes\/:className\/:objectId",code="101"\} 1/);
    assert.match(text, /strata_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
  });

  it('refuses a caller outside the metrics IPs without the key, whatever Parse keys it carries', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { 'X-Parse-Application-Id': APP_ID, 'X-Parse-Client-Key': CLIENT_KEY },
      { 'X-Parse-Application-Id': APP_ID, 'X-Parse-Master-Key': MASTER_KEY },
      { Authorization: 'Bearer wrong-secret' },
      { Authorization: 'Basic c2NyYXBlLXNlY3JldA==' },
      { Authorization: 'Bearer scrape-secre' },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${guarded.url}/metrics`, { headers });
      assert.equal(response.status, 403, JSON.stringify(headers));
      assert.deepEqual(await response.json(), { error: 'unauthorized' });
    }
  });

  it('serves the metrics key holder from any address', async () => {
    const response = await fetch(`${guarded.url}/metrics`, { headers: { Authorization: 'Bearer scrape-secret' } });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /# TYPE strata_http_requests_total counter/);
  });

  it('counts every cloud function and trigger run: invocations, errors and a duration histogram', async () => {
    await parse(open.url, '/functions/hello', { method: 'POST', headers: client, body: {} });
    await parse(open.url, '/functions/hello', { method: 'POST', headers: client, body: {} });
    const failed = await parse(open.url, '/functions/hello', { method: 'POST', headers: client, body: { fail: true } });
    assert.equal(failed.status, 400);
    await parse(open.url, '/classes/Score', { method: 'POST', headers: client, body: { points: 1 } });
    const text = await (await fetch(`${open.url}/metrics`)).text();
    assert.match(text, /strata_cloud_function_invocations_total\{function="hello"\} 3/);
    assert.match(text, /strata_cloud_function_errors_total\{function="hello"\} 1/);
    assert.match(text, /strata_cloud_function_duration_seconds_count\{function="hello"\} 3/);
    assert.match(text, /strata_cloud_trigger_invocations_total\{trigger="beforeSave",className="Score"\} 1/);
    assert.match(
      text,
      /strata_cloud_trigger_duration_seconds_bucket\{le="\+Inf",trigger="beforeSave",className="Score"\} 1/,
    );
  });

  it('exposes the LiveQuery reporting point through the app', async () => {
    open.app.metrics.liveQuery.sample(() => ({ connections: 3, subscriptions: { Score: 2, Chat: 1 } }));
    open.app.metrics.liveQuery.eventSent({ className: 'Score', event: 'create' });
    const text = await (await fetch(`${open.url}/metrics`)).text();
    assert.match(text, /strata_livequery_connections 3/);
    assert.match(text, /strata_livequery_subscriptions\{className="Score"\} 2/);
    assert.match(text, /strata_livequery_events_total\{className="Score",event="create"\} 1/);
  });
});

describe('--trust-proxy', () => {
  let direct: Running;
  let proxied: Running;
  before(async () => {
    direct = await start();
    proxied = await start({
      config: { trustProxy: ['127.0.0.1', '::1'], masterKeyIps: ['127.0.0.1', '::1', '203.0.113.7'] },
    });
  });
  after(async () => {
    await direct.app.close();
    await proxied.app.close();
    rmSync(direct.dir, { recursive: true, force: true });
    rmSync(proxied.dir, { recursive: true, force: true });
  });

  const schemas = (server: Running, forwardedFor?: string) =>
    parse(server.url, '/schemas', {
      headers: { ...master, ...(forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor }) },
    });

  it('ignores X-Forwarded-For from an untrusted peer: a client cannot pick its address', async () => {
    // Not a proxy: the header is the client's own claim, so the loopback peer is what counts.
    assert.equal((await schemas(direct, '198.51.100.1')).status, 200);
  });

  it('takes the client address from a trusted proxy, so the master key is refused to a remote client', async () => {
    const response = await schemas(proxied, '198.51.100.1');
    assert.equal(response.status, 403);
    assert.deepEqual(await response.json(), { error: 'unauthorized' });
  });

  it('reads X-Forwarded-For from the right: an address the client put on the left is not believed', async () => {
    // The client claims 127.0.0.1; the proxy appended the real address.
    assert.equal((await schemas(proxied, '127.0.0.1, 198.51.100.1')).status, 403);
    // An allowed real client behind the proxy is accepted.
    assert.equal((await schemas(proxied, '198.51.100.9, 203.0.113.7')).status, 200);
  });

  it('names no client when the proxy wrote a malformed entry: neither the proxy nor an address left of it', async () => {
    assert.equal((await schemas(proxied, '203.0.113.7, not-an-ip')).status, 403);
  });

  it('falls back to X-Real-IP, and to the peer when the proxy sent nothing', async () => {
    const viaRealIp = await parse(proxied.url, '/schemas', { headers: { ...master, 'X-Real-IP': '198.51.100.1' } });
    assert.equal(viaRealIp.status, 403);
    assert.equal((await schemas(proxied)).status, 200);
  });

  it('rate-limits log-ins by the real client address behind the proxy', async () => {
    // A fixed clock: the limiter's windows are fixed minutes, and a slow run must not straddle two.
    const limited = await start({
      config: { trustProxy: ['127.0.0.1', '::1'], authRateLimit: 2 },
      now: () => new Date('2026-01-01T00:00:30Z'),
    });
    try {
      const logIn = (ip: string) =>
        parse(limited.url, '/login', {
          method: 'POST',
          headers: { ...client, 'X-Forwarded-For': ip },
          body: { username: 'nobody', password: 'wrong' },
        });
      assert.equal((await logIn('198.51.100.1')).status, 404);
      assert.equal((await logIn('198.51.100.1')).status, 404);
      assert.equal((await logIn('198.51.100.1')).status, 429);
      // Another client behind the same proxy has its own budget.
      assert.equal((await logIn('198.51.100.2')).status, 404);
    } finally {
      await limited.app.close();
      rmSync(limited.dir, { recursive: true, force: true });
    }
  });
});

describe('GET /usage (metering)', () => {
  it('reports invocations, errors and compute time per hour, per app and per function, across restarts and servers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-usage-'));
    try {
      const first = await start({ dir });
      for (const fail of [false, false, true]) {
        await parse(first.url, '/functions/hello', { method: 'POST', headers: client, body: { fail } });
      }
      // close() writes what the meter holds; a new server on the same database reads it back.
      await first.app.close();
      const second = await start({ dir });
      const third = await start({ dir });
      try {
        await parse(second.url, '/functions/hello', { method: 'POST', headers: client, body: {} });
        await parse(third.url, '/functions/hello', { method: 'POST', headers: client, body: {} });
        await parse(third.url, '/classes/Score', { method: 'POST', headers: client, body: { points: 2 } });
        await third.app.close();
        const response = await parse(second.url, '/usage', { headers: master });
        assert.equal(response.status, 200);
        const report = (await response.json()) as {
          appId: string;
          app: { invocations: number; errors: number; computeMs: number; hours: { hour: string }[] };
          requests: { invocations: number };
          functions: { kind: string; name: string; className?: string; invocations: number; errors: number }[];
        };
        assert.equal(report.appId, APP_ID);
        const hello = report.functions.find((f) => f.kind === 'function' && f.name === 'hello');
        assert.deepEqual(
          { invocations: hello?.invocations, errors: hello?.errors },
          { invocations: 5, errors: 1 },
          'three on the first server, one on each of the others',
        );
        const trigger = report.functions.find((f) => f.kind === 'trigger');
        assert.deepEqual(
          { name: trigger?.name, className: trigger?.className, invocations: trigger?.invocations },
          { name: 'beforeSave', className: 'Score', invocations: 1 },
        );
        assert.equal(report.app.invocations, 6);
        assert.ok(report.app.computeMs > 0);
        assert.equal(report.app.hours.length, 1);
        assert.match(report.app.hours[0]?.hour ?? '', /T\d\d:00:00\.000Z$/);
        // Every API request counts, on every server (this GET /usage itself is counted once it is answered).
        assert.ok(report.requests.invocations >= 6, `requests ${report.requests.invocations}`);
      } finally {
        await second.app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers only the master key (and the read-only one); the client key gets a bare 403, nothing recorded', async () => {
    const server = await start({ config: { readOnlyMasterKey: 'ro-key' } });
    try {
      const denied = await parse(server.url, '/usage', { headers: client });
      assert.equal(denied.status, 403);
      const withSession = await parse(server.url, '/usage', { headers: { ...client, 'X-Parse-Session-Token': 'r:x' } });
      assert.equal(withSession.status, 400);
      const readOnly = await parse(server.url, '/usage', { headers: { 'X-Parse-Master-Key': 'ro-key' } });
      assert.equal(readOnly.status, 200);
      // _Usage is not a class clients can reach, even with a guess.
      const viaClasses = await parse(server.url, '/classes/_Usage', { headers: client });
      assert.equal(viaClasses.status, 400);
    } finally {
      await server.app.close();
      rmSync(server.dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad window with 102 and a clear message', async () => {
    const server = await start();
    try {
      for (const query of [
        'from=yesterday',
        'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
        'from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
        'to=12',
      ]) {
        const response = await parse(server.url, `/usage?${query}`, { headers: master });
        assert.equal(response.status, 400, query);
        assert.equal(((await response.json()) as { code: number }).code, 102, query);
      }
    } finally {
      await server.app.close();
      rmSync(server.dir, { recursive: true, force: true });
    }
  });
});

const MONGO = process.env['STRATA_TEST_MONGODB_URI'];
const REDIS = process.env['STRATA_TEST_REDIS_URL'];
const servicesMissing =
  (MONGO === undefined || REDIS === undefined) && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
    ? 'STRATA_TEST_MONGODB_URI and STRATA_TEST_REDIS_URL are not both set'
    : false;

describe('/ready and /metrics on MongoDB and Redis', { skip: servicesMissing }, () => {
  it('checks the database, Redis and the BullMQ queue, and reports the driver pool and queue depth', async () => {
    assert.ok(MONGO !== undefined && REDIS !== undefined, 'STRATA_TEST_MONGODB_URI and STRATA_TEST_REDIS_URL');
    const databaseURI = `${MONGO.replace(/\/+$/, '')}/strata_ops_${randomBytes(5).toString('hex')}`;
    const server = await start({
      config: { databaseURI, redisURL: REDIS, appId: `ops-${randomBytes(4).toString('hex')}` },
    });
    try {
      const ready = await fetch(`${server.url}/ready`);
      assert.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', redis: 'ok', queue: 'ok' } });
      assert.equal(ready.status, 200);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const size = /strata_db_pool_connections\{state="size"\} (\d+)/.exec(text);
      assert.ok(size !== null && Number(size[1]) >= 1, `an open driver connection: ${size?.[0] ?? 'none'}`);
      assert.match(text, /strata_queue_jobs\{queue="jobs",state="waiting"\} 0/);
    } finally {
      await server.app.close();
      const { MongoClient } = await import('mongodb');
      const admin = new MongoClient(databaseURI);
      await admin
        .db()
        .dropDatabase()
        .catch(() => undefined);
      await admin.close();
      rmSync(server.dir, { recursive: true, force: true });
    }
  });
});
