/**
 * The production shape with real processes on loopback (no Docker engine): Debian's nginx, started by this test
 * from a config derived from deploy/nginx.conf, in front of two `api` servers, one `live` and one `worker`
 * (`strata start --role ...` through tsx, each its own process), sharing FerretDB and Redis. It checks what
 * only several processes can show: sessions, schema caches, jobs and metering cross servers, the gateway routes
 * WebSocket upgrades to the live server, and when one api server is killed under write load, nginx fails over
 * and no acknowledged write is lost.
 *
 * Needs nginx, STRATA_TEST_MONGODB_URI and STRATA_TEST_REDIS_URL; without them it prints why it skips (and fails
 * under STRATA_REQUIRE_SERVICES=1).
 *
 * LiveQuery: a Parse SDK LiveQuery client subscribes through the gateway (`ws://127.0.0.1:<gateway>/parse`,
 * routed to the live server by the Upgrade header); a save through `api[0]` reaches it over Redis. GraphQL
 * subscriptions: a `graphql-ws` client at `ws://127.0.0.1:<gateway>/graphql` (an api server) gets the writes
 * taken by both api servers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { MongoClient } from 'mongodb';
import { findNginx, startNginx, testNginxConfig, writeLoopbackConfig } from '../helpers/nginx.js';
import { useParse } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';
import { openGraphQLSocket } from '../helpers/graphql-ws.js';
import { freePort } from '../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'server/src/main.ts');
const CLOUD = fileURLToPath(new URL('./fixtures/cloud.js', import.meta.url));
const MONGO = process.env['STRATA_TEST_MONGODB_URI'];
const REDIS = process.env['STRATA_TEST_REDIS_URL'];
const nginx = findNginx();

function skipReason(): string | false {
  if (process.env['STRATA_REQUIRE_SERVICES'] === '1') return false;
  if (nginx === undefined) return 'nginx is not installed (apt-get install nginx)';
  if (MONGO === undefined) return 'STRATA_TEST_MONGODB_URI is not set';
  if (REDIS === undefined) return 'STRATA_TEST_REDIS_URL is not set';
  return false;
}

/** Polls `check` until it returns a value (bounded by attempts, not by a clock assertion). */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, attempts = 300): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`gave up waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
}

interface StrataProcess {
  readonly role: string;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  output: string;
}

const suffix = randomBytes(4).toString('hex');
const APP_ID = `topology-${suffix}`;
const MASTER_KEY = `master-${suffix}`;
const CLIENT_KEY = `client-${suffix}`;

describe(
  'three tiers on loopback: nginx, two api servers, live, worker, FerretDB, Redis',
  { skip: skipReason() },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-topology-'));
    const database = `strata_topology_${suffix}`;
    const processes: StrataProcess[] = [];
    let gateway: ChildProcess | undefined;
    let gatewayURL = '';
    let api: StrataProcess[] = [];
    let live: StrataProcess;
    let worker: StrataProcess;

    async function startStrata(role: 'api' | 'live' | 'worker'): Promise<StrataProcess> {
      assert.ok(MONGO !== undefined && REDIS !== undefined, 'STRATA_TEST_MONGODB_URI and STRATA_TEST_REDIS_URL');
      const port = await freePort();
      const args = [
        '--import',
        'tsx',
        MAIN,
        'start',
        '--role',
        role,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--database-uri',
        `${MONGO.replace(/\/+$/, '')}/${database}`,
        '--redis-url',
        REDIS,
        '--app-id',
        APP_ID,
        '--master-key',
        MASTER_KEY,
        '--client-key',
        CLIENT_KEY,
        '--cloud',
        CLOUD,
        '--trust-proxy',
        '127.0.0.1,::1',
        '--allow-client-class-creation',
        '--usage-flush-interval',
        '1',
        '--data-dir',
        join(dir, role, String(port)),
        '--log-level',
        'warn',
        '--password-hash-cost',
        '4',
      ];
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const proc: StrataProcess = { role, port, url: `http://127.0.0.1:${port}`, child, output: '' };
      child.stdout?.on('data', (chunk: Buffer) => (proc.output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (proc.output += chunk.toString()));
      processes.push(proc);
      await eventually(`${role} on :${port} to be ready`, async () => {
        if (child.exitCode !== null) throw new Error(`${role} exited ${child.exitCode}: ${proc.output}`);
        const response = await fetch(`${proc.url}/ready`);
        return response.status === 200 ? true : undefined;
      });
      return proc;
    }

    const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
      'X-Parse-Application-Id': APP_ID,
      'X-Parse-REST-API-Key': CLIENT_KEY,
      'Content-Type': 'application/json',
      ...extra,
    });
    const master = { 'X-Parse-Master-Key': MASTER_KEY };

    async function call(
      base: string,
      path: string,
      init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
    ): Promise<{ status: number; body: Record<string, unknown> }> {
      const response = await fetch(`${base}/parse${path}`, {
        method: init.method ?? 'GET',
        headers: headers(init.headers),
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    }

    before(async () => {
      assert.ok(nginx !== undefined, 'nginx is required (STRATA_REQUIRE_SERVICES=1)');
      // One at a time: four tsx start-ups at once on a busy 2-core machine only slow each other down.
      api = [await startStrata('api'), await startStrata('api')];
      live = await startStrata('live');
      worker = await startStrata('worker');
      const prefix = join(dir, 'gateway');
      const port = await freePort();
      const config = writeLoopbackConfig({
        prefix,
        port,
        api: api.map((p) => `127.0.0.1:${p.port}`),
        live: [`127.0.0.1:${live.port}`],
        // Every request of this test comes from 127.0.0.1: the production 100 r/s per IP would throttle the load.
        rate: '100000r/s',
      });
      const check = testNginxConfig({ nginx, prefix, config });
      assert.equal(check.status, 0, check.output);
      gateway = startNginx({ nginx, prefix, config });
      gatewayURL = `http://127.0.0.1:${port}`;
      await eventually('the gateway', async () =>
        (await fetch(`${gatewayURL}/gateway-health`)).ok ? true : undefined,
      );
    });

    after(async () => {
      gateway?.kill('SIGTERM');
      await Promise.all(
        processes.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
              p.child.once('exit', () => resolve());
              p.child.kill('SIGTERM');
            }),
        ),
      );
      if (MONGO !== undefined) {
        const client = new MongoClient(`${MONGO.replace(/\/+$/, '')}/${database}`);
        await client
          .db()
          .dropDatabase()
          .catch(() => undefined);
        await client.close();
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('a session made on one api server works on the other, and through the gateway', async () => {
      const signUp = await call(api[0]!.url, '/users', {
        method: 'POST',
        body: { username: `u-${suffix}`, password: 'pw' },
      });
      assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
      const token = String(signUp.body['sessionToken']);
      const me = await call(api[1]!.url, '/users/me', { headers: { 'X-Parse-Session-Token': token } });
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal(me.body['username'], `u-${suffix}`);
      const viaGateway = await call(gatewayURL, '/users/me', { headers: { 'X-Parse-Session-Token': token } });
      assert.equal(viaGateway.status, 200);
      // A log-out on the second server ends the session on the first, whose cache had it.
      await call(api[1]!.url, '/logout', { method: 'POST', headers: { 'X-Parse-Session-Token': token } });
      await eventually('the log-out to reach the first server', async () => {
        const again = await call(api[0]!.url, '/users/me', { headers: { 'X-Parse-Session-Token': token } });
        return again.status === 400 && again.body['code'] === 209 ? true : undefined;
      });
    });

    it('a schema change through one api server is seen by the other', async () => {
      const className = `Topo${suffix}`;
      // The second server caches the class's schema (a public create is allowed).
      assert.equal((await call(api[1]!.url, `/classes/${className}`, { method: 'POST', body: { n: 1 } })).status, 201);
      const locked = await call(api[0]!.url, `/schemas/${className}`, {
        method: 'PUT',
        headers: master,
        body: {
          classLevelPermissions: { find: { '*': true }, get: { '*': true }, create: {}, update: {}, delete: {} },
        },
      });
      assert.equal(locked.status, 200, JSON.stringify(locked.body));
      await eventually('the second server to refuse the create', async () => {
        const refused = await call(api[1]!.url, `/classes/${className}`, { method: 'POST', body: { n: 2 } });
        return refused.status === 400 && refused.body['code'] === 119 ? true : undefined;
      });
    });

    it('a job enqueued through one api server runs on the worker', async () => {
      const tag = `job-${suffix}`;
      const started = await call(api[0]!.url, '/jobs/recordRun', { method: 'POST', headers: master, body: { tag } });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const run = await eventually('the job to run', async () => {
        const found = await call(
          api[1]!.url,
          `/classes/TopologyJobRun?where=${encodeURIComponent(JSON.stringify({ tag }))}`,
          {
            headers: master,
          },
        );
        const results = found.body['results'] as { pid: number }[] | undefined;
        return results !== undefined && results.length > 0 ? results[0] : undefined;
      });
      assert.equal(run.pid, worker.child.pid, 'the worker process ran it');
    });

    it('meters cloud functions across servers into one /usage', async () => {
      for (const server of api) {
        const result = await call(server.url, '/functions/hello', { method: 'POST', body: {} });
        assert.deepEqual(result.body, { result: 'hello' });
      }
      const hello = await eventually('both servers to flush their meters', async () => {
        const usage = await call(gatewayURL, '/usage', { headers: master });
        const functions = usage.body['functions'] as { kind: string; name: string; invocations: number }[] | undefined;
        const entry = functions?.find((f) => f.kind === 'function' && f.name === 'hello');
        return entry !== undefined && entry.invocations >= 2 ? entry : undefined;
      });
      assert.equal(hello.invocations, 2);
    });

    it('routes a WebSocket upgrade on the REST path to the live server, plain requests to the api servers', async () => {
      const get = (upgrade: boolean): Promise<number> =>
        new Promise((resolve, reject) => {
          const req = httpRequest(`${gatewayURL}/parse/classes/Anything`, {
            headers: {
              ...headers(),
              ...(upgrade
                ? {
                    Connection: 'Upgrade',
                    Upgrade: 'websocket',
                    'Sec-WebSocket-Version': '13',
                    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
                  }
                : {}),
            },
          });
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('upgrade', (_res, socket) => {
            socket.destroy();
            resolve(101);
          });
          req.on('error', reject);
          req.end();
        });
      assert.equal(await get(false), 200, 'an api server answered');
      assert.equal(await get(true), 101, 'the live server accepted the WebSocket');
    });

    it('delivers a LiveQuery event through the gateway to the official SDK, for a write taken by an api server', async () => {
      const Parse = useParse({
        serverURL: `${gatewayURL}/parse`,
        appId: APP_ID,
        masterKey: MASTER_KEY,
        javascriptKey: CLIENT_KEY,
      });
      const client = new Parse.LiveQueryClient({
        applicationId: APP_ID,
        serverURL: `${gatewayURL.replace(/^http/, 'ws')}/parse`,
        javascriptKey: CLIENT_KEY,
      });
      const opened = new Promise<void>((resolve) => client.on('open', () => resolve()));
      client.open();
      await opened;
      try {
        const subscription = client.subscribe(new Parse.Query('LiveTopology').equalTo('room', 'lobby'));
        assert.ok(subscription !== undefined);
        await subscription.subscribePromise;
        const created = new Promise<InstanceType<typeof Parse.Object>>((resolve) =>
          subscription.on('create', (object: InstanceType<typeof Parse.Object>) => resolve(object)),
        );
        const saved = await call(api[0]!.url, '/classes/LiveTopology', {
          method: 'POST',
          headers: master,
          body: { room: 'lobby', text: 'through nginx' },
        });
        const object = await created;
        assert.equal(object.id, saved.body['objectId']);
        assert.equal(object.get('text'), 'through nginx');
      } finally {
        await client.close();
      }
    });

    it('serves GraphQL subscriptions (graphql-ws) through the gateway; a write on either api server reaches them', async () => {
      const className = `TopoGql${suffix}`;
      const created = await call(api[0]!.url, `/schemas/${className}`, {
        method: 'POST',
        headers: master,
        body: { className, fields: { text: { type: 'String' } } },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const url = `${gatewayURL.replace(/^http/, 'ws')}/graphql`;
      const target: CompatTarget = {
        label: 'gateway',
        serverURL: `${gatewayURL}/parse`,
        appId: APP_ID,
        masterKey: MASTER_KEY,
        javascriptKey: CLIENT_KEY,
        close: () => Promise.resolve(),
      };
      const params = { 'X-Parse-Application-Id': APP_ID, 'X-Parse-REST-API-Key': CLIENT_KEY };
      // A wrong key is refused by the api server behind the gateway, with graphql-ws's 4403.
      const refused = openGraphQLSocket(target, { url, params: { ...params, 'X-Parse-REST-API-Key': 'wrong' } });
      assert.equal((await refused.closed).code, 4403);

      const socket = openGraphQLSocket(target, { url, params });
      try {
        await socket.connected;
        const query = `subscription { onCreate${className} { text } }`;
        type Created = Record<string, { text: string }>;
        // The api server holding the socket learns of the new class over Redis: subscribe until it knows it.
        let sub = socket.subscribe<Created>(query);
        await eventually('the subscription to deliver a probe', async () => {
          await call(gatewayURL, `/classes/${className}`, { method: 'POST', body: { text: 'probe' } });
          await Promise.race([sub.arrived(), new Promise((resolve) => setTimeout(resolve, 250))]);
          if (sub.waiting === 0) return undefined;
          const outcome = await sub.next();
          if (outcome.kind === 'next' && outcome.result.errors === undefined) return true;
          sub = socket.subscribe<Created>(query);
          return undefined;
        });
        for (const [i, server] of api.entries()) {
          const write = await call(server.url, `/classes/${className}`, {
            method: 'POST',
            body: { text: `from api ${i}` },
          });
          assert.equal(write.status, 201);
        }
        const texts: string[] = [];
        while (texts.length < 2) {
          const outcome = await sub.next();
          assert.equal(outcome.kind, 'next', JSON.stringify(outcome));
          const text = outcome.kind === 'next' ? outcome.result.data?.[`onCreate${className}`]?.text : undefined;
          if (text !== 'probe') texts.push(String(text));
        }
        assert.deepEqual(texts, ['from api 0', 'from api 1']);
      } finally {
        await socket.dispose();
      }
      // The sockets went through nginx to an api server (logged once closed).
      await eventually('the gateway to log the GraphQL sockets', async () => {
        const log = readFileSync(join(dir, 'gateway', 'access.log'), 'utf8');
        const upgrades = log.split('\n').filter((line) => line.includes('"GET /graphql HTTP/1.1" 101'));
        const viaApi = upgrades.filter((line) => api.some((p) => line.includes(`upstream=127.0.0.1:${p.port}/101`)));
        return viaApi.length >= 2 ? true : undefined;
      });
    });

    it('fails over when an api server is killed under write load, losing no acknowledged write', async () => {
      const className = `Load${suffix}`;
      const acknowledged: string[] = [];
      const failures = new Map<number, number>();
      let killedAt = -1;
      let stop = false;
      const writer = async (): Promise<void> => {
        for (let i = 0; !stop; i++) {
          try {
            const response = await fetch(`${gatewayURL}/parse/classes/${className}`, {
              method: 'POST',
              headers: headers(),
              body: JSON.stringify({ i }),
            });
            const body = (await response.json()) as { objectId?: string };
            if (response.status === 201 && typeof body.objectId === 'string') acknowledged.push(body.objectId);
            else failures.set(response.status, (failures.get(response.status) ?? 0) + 1);
          } catch {
            failures.set(0, (failures.get(0) ?? 0) + 1);
          }
          if (killedAt === -1 && acknowledged.length >= 100) {
            killedAt = acknowledged.length;
            api[0]!.child.kill('SIGKILL');
          }
          if (killedAt !== -1 && acknowledged.length >= killedAt + 300) stop = true;
        }
      };
      const WRITERS = 8;
      await Promise.all(Array.from({ length: WRITERS }, () => writer()));
      assert.ok(killedAt > 0, 'the first api server was killed mid-load');
      // Every acknowledged write is in the database, read through the surviving server.
      const stored = new Set<string>();
      for (let skip = 0; ; skip += 1000) {
        const page = await call(
          api[1]!.url,
          `/classes/${className}?keys=objectId&limit=1000&skip=${skip}&order=createdAt`,
          {
            headers: master,
          },
        );
        const results = page.body['results'] as { objectId: string }[];
        for (const row of results) stored.add(row.objectId);
        if (results.length < 1000) break;
      }
      const lost = acknowledged.filter((id) => !stored.has(id));
      console.log(
        `topology failover: ${acknowledged.length} writes acknowledged (${killedAt} before the kill), ` +
          `${stored.size} stored, ${lost.length} acknowledged and lost, refused: ${JSON.stringify(Object.fromEntries(failures))}`,
      );
      assert.deepEqual(lost, [], 'no acknowledged write is lost');
      // nginx failed over: the only writes refused are those the killed server held (each writer has one in
      // flight, on at most one connection to it); later ones were passed to the survivor (a refused connection
      // is retried), and a refusal is the gateway's Parse-shaped 503, never a dropped connection or a 500.
      const refused = [...failures.values()].reduce((sum, n) => sum + n, 0);
      assert.ok(refused <= WRITERS, `${refused} writes refused, more than the ${WRITERS} that can be in flight`);
      assert.deepEqual(
        [...failures.keys()].filter((status) => status !== 503),
        [],
        'refusals are the gateway 503',
      );
      assert.ok(acknowledged.length >= killedAt + 300, 'writes kept succeeding through the gateway after the kill');
      assert.equal((await fetch(`${gatewayURL}/parse/health`)).status, 200);
    });
  },
);
