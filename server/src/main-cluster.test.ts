import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

// `strata start --workers 2` as real processes (the primary and two workers, through tsx from src) on one
// SQLite file without Redis: both workers serve the port, their caches and change feed stay coherent through
// the primary's relay, concurrent writes from both never fail with SQLITE_BUSY, a job accepted by either runs
// once, a LiveQuery subscriber on one worker hears of writes taken by the other, SIGHUP replaces the workers one
// by one while requests keep being answered, and SIGTERM stops all.
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const CHILD_ENV = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };
const APP = 'cluster-app';
const MASTER = 'cluster-master';
const CLIENT = 'cluster-client';

interface LogLine {
  msg?: string;
  pid?: number;
  port?: number;
  slot?: number;
  method?: string;
  path?: string;
}

interface Cluster {
  child: ChildProcess;
  port: number;
  lines: () => LogLine[];
  exited: Promise<number | null>;
}

function startCluster(args: string[], children: Set<ChildProcess>): Promise<Cluster> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'start', '--port', '0', '--host', '127.0.0.1', '--log-format', 'json', ...args],
    { env: CHILD_ENV },
  );
  children.add(child);
  child.on('close', () => children.delete(child));
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const lines = (): LogLine[] =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = lines().find((l) => l.msg === 'strata is listening');
      if (listening?.port !== undefined) resolve({ child, port: listening.port, lines, exited });
    });
    void exited.then((code) => reject(new Error(`strata exited with ${code} before listening: ${err}`)));
  });
}

/** One request on its own connection, so the primary's round-robin hands consecutive requests to the next worker. */
function send(options: {
  port: number;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: options.port,
        method: options.method,
        path: `/parse${options.path}`,
        agent: false,
        headers: {
          connection: 'close',
          'x-parse-application-id': APP,
          'x-parse-rest-api-key': CLIENT,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const master = { 'x-parse-master-key': MASTER };

/** The pids that logged a request, from the request log lines after `from`. */
function requestPids(lines: LogLine[]): Set<number> {
  return new Set(lines.filter((l) => l.msg === 'request' && l.pid !== undefined).map((l) => l.pid as number));
}

/** The request log lines of the LiveQuery test's creates. */
function writesOf(lines: LogLine[]): LogLine[] {
  return lines.filter((l) => l.method === 'POST' && l.path === '/parse/classes/LiveCross');
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('strata start --workers 2 (real processes, one SQLite file, no Redis)', () => {
  let dir = '';
  let cluster: Cluster;
  const children = new Set<ChildProcess>();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-cluster-'));
    const cloud = join(dir, 'cloud.js');
    writeFileSync(
      cloud,
      `Parse.Cloud.job('mark', async (request) => {
        const o = new Parse.Object('JobRun');
        o.set('n', request.params.n);
        await o.save(null, { useMasterKey: true });
      });\n`,
    );
    cluster = await startCluster(
      [
        '--workers',
        '2',
        '--data-dir',
        dir,
        '--app-id',
        APP,
        '--master-key',
        MASTER,
        '--client-key',
        CLIENT,
        '--rest-api-key',
        CLIENT,
        '--cloud',
        cloud,
        '--log-level',
        'info',
        '--auth-rate-limit',
        '0',
      ],
      children,
    );
  });
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs two worker processes behind one port, both serving', async () => {
    // A worker tells the primary it listens before its own log line reaches the pipe, so the primary's
    // "strata is listening" can come first: wait for both workers' lines.
    const listening = (): LogLine[] => cluster.lines().filter((l) => l.msg === 'strata worker is listening');
    await waitFor('both workers logging that they listen', () => listening().length === 2, 10_000);
    const workers = listening();
    assert.equal(new Set(workers.map((l) => l.pid)).size, 2);
    assert.deepEqual(workers.map((l) => l.slot).sort(), [1, 2]);
    for (let i = 0; i < 6; i++) {
      const probe = await send({ port: cluster.port, method: 'GET', path: '/classes/Probe', headers: master });
      assert.equal(probe.status, 200);
    }
    await waitFor('request logs from both workers', () => requestPids(cluster.lines()).size === 2, 10_000);
  });

  it('/metrics on the port counts the requests of every worker, whichever worker answers the scrape', async () => {
    const scrape = (): Promise<string> =>
      new Promise((resolve, reject) => {
        // Its own connection each time: the primary hands consecutive scrapes to different workers.
        const req = httpRequest({ host: '127.0.0.1', port: cluster.port, path: '/metrics', agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
    const gets = async (): Promise<number> => {
      const text = await scrape();
      const match =
        /^strata_http_requests_total\{method="GET",route="\/classes\/:className",status="200"\} (\d+)$/m.exec(text);
      return Number(match?.[1] ?? 0);
    };
    const before = await gets();
    // Five requests: however the primary spreads them, no single worker took all five.
    for (let i = 0; i < 5; i++) {
      const probe = await send({ port: cluster.port, method: 'GET', path: '/classes/MetricsProbe', headers: master });
      assert.equal(probe.status, 200);
    }
    const after = await Promise.all([gets(), gets(), gets(), gets()]);
    assert.deepEqual(after, [before + 5, before + 5, before + 5, before + 5]);
    // The merged exposition still carries the gauges.
    const text = await scrape();
    assert.match(text, /^strata_queue_jobs\{queue="jobs",state="waiting"\} 0$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });

  it('a class-level permission change made through one worker holds on the other at once', async () => {
    const created = await send({
      port: cluster.port,
      method: 'POST',
      path: '/schemas/Item',
      headers: master,
      body: { className: 'Item', fields: { name: { type: 'String' } } },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(
      (await send({ port: cluster.port, method: 'POST', path: '/classes/Item', body: { name: 'a' } })).status,
      201,
    );
    // Both workers read (and cache) the public schema.
    for (let i = 0; i < 4; i++) {
      const found = await send({ port: cluster.port, method: 'GET', path: '/classes/Item' });
      assert.equal(found.status, 200);
    }
    const locked = await send({
      port: cluster.port,
      method: 'PUT',
      path: '/schemas/Item',
      headers: master,
      body: {
        classLevelPermissions: { find: {}, get: {}, count: {}, create: {}, update: {}, delete: {}, addField: {} },
      },
    });
    assert.equal(locked.status, 200, JSON.stringify(locked.body));
    for (let i = 0; i < 6; i++) {
      const found = await send({ port: cluster.port, method: 'GET', path: '/classes/Item' });
      assert.equal(found.body['code'], 119, `request ${i}: ${JSON.stringify(found.body)}`);
    }
  });

  it('a session logged out through one worker is refused by every worker at once', async () => {
    const signUp = await send({
      port: cluster.port,
      method: 'POST',
      path: '/users',
      body: { username: 'ada', password: 'correct horse' },
    });
    assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
    const token = { 'x-parse-session-token': String(signUp.body['sessionToken']) };
    for (let i = 0; i < 4; i++) {
      assert.equal((await send({ port: cluster.port, method: 'GET', path: '/users/me', headers: token })).status, 200);
    }
    assert.equal((await send({ port: cluster.port, method: 'POST', path: '/logout', headers: token })).status, 200);
    for (let i = 0; i < 6; i++) {
      const me = await send({ port: cluster.port, method: 'GET', path: '/users/me', headers: token });
      assert.equal(me.body['code'], 209, `request ${i}: ${JSON.stringify(me.body)}`);
    }
  });

  it('concurrent writes through both workers all succeed (one writer at a time, no SQLITE_BUSY)', async () => {
    const loops = 8;
    const each = 25;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: loops }, async (_, loop) => {
        for (let i = 0; i < each; i++) {
          const created = await send({
            port: cluster.port,
            method: 'POST',
            path: '/classes/Load',
            headers: master,
            body: { loop, i },
          });
          statuses.push(created.status);
          // An increment too: a read-modify-write in one IMMEDIATE transaction.
          if (i % 5 === 0) {
            const id = String(created.body['objectId']);
            const bumped = await send({
              port: cluster.port,
              method: 'PUT',
              path: `/classes/Load/${id}`,
              headers: master,
              body: { i: { __op: 'Increment', amount: 1 } },
            });
            statuses.push(bumped.status);
          }
        }
      }),
    );
    assert.deepEqual(
      statuses.filter((s) => s !== 200 && s !== 201),
      [],
    );
    const count = await send({
      port: cluster.port,
      method: 'GET',
      path: '/classes/Load?count=1&limit=0',
      headers: master,
    });
    assert.equal(count.body['count'], loops * each);
  });

  it('jobs accepted by either worker run once, on the first worker', async () => {
    for (let n = 0; n < 4; n++) {
      const started = await send({
        port: cluster.port,
        method: 'POST',
        path: '/jobs/mark',
        headers: master,
        body: { n },
      });
      assert.equal(started.status, 200, JSON.stringify(started.body));
    }
    await waitFor('four job runs', async () => {
      const runs = await send({
        port: cluster.port,
        method: 'GET',
        path: '/classes/JobRun?count=1&limit=0',
        headers: master,
      });
      return runs.body['count'] === 4;
    });
    await new Promise((r) => setTimeout(r, 500));
    const runs = await send({ port: cluster.port, method: 'GET', path: '/classes/JobRun?limit=10', headers: master });
    const ns = (runs.body['results'] as { n: number }[]).map((r) => r.n).sort();
    assert.deepEqual(ns, [0, 1, 2, 3]);
  });

  it('a LiveQuery subscriber on one worker gets the events of writes taken by either worker', async () => {
    // The socket stays on the worker that accepted it; each write below is a new connection, so the primary's
    // round-robin hands them to both workers (checked in the request log), and every event must still arrive.
    const socket = new WebSocket(`ws://127.0.0.1:${cluster.port}/parse`);
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    const frame = (op: string, count = 1): Promise<void> =>
      waitFor(
        `${count} "${op}" frame(s)`,
        () => {
          const error = frames.find((f) => f['op'] === 'error');
          if (error !== undefined) throw new Error(`LiveQuery error: ${JSON.stringify(error)}`);
          return frames.filter((f) => f['op'] === op).length >= count;
        },
        30_000,
      );
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    try {
      const schema = await send({
        port: cluster.port,
        method: 'POST',
        path: '/schemas/LiveCross',
        headers: master,
        body: { className: 'LiveCross', fields: { room: { type: 'String' }, i: { type: 'Number' } } },
      });
      assert.equal(schema.status, 200, JSON.stringify(schema.body));
      socket.send(JSON.stringify({ op: 'connect', applicationId: APP, clientKey: CLIENT }));
      await frame('connected');
      socket.send(
        JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'LiveCross', where: { room: 'a' } } }),
      );
      await frame('subscribed');
      const from = cluster.lines().length;
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const created = await send({
          port: cluster.port,
          method: 'POST',
          path: '/classes/LiveCross',
          body: { room: 'a', i },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        ids.push(String(created.body['objectId']));
      }
      await frame('create', 6);
      const delivered = frames
        .filter((f) => f['op'] === 'create')
        .map((f) => (f['object'] as { objectId: string }).objectId);
      assert.deepEqual([...delivered].sort(), [...ids].sort());
      await waitFor(
        'the creates logged by both workers',
        () => requestPids(writesOf(cluster.lines().slice(from))).size === 2,
        10_000,
      );
    } finally {
      socket.close();
    }
  });

  it('SIGHUP replaces the workers one by one while every request is answered', async () => {
    const before = new Set(
      cluster
        .lines()
        .filter((l) => l.msg === 'strata worker is listening')
        .map((l) => l.pid),
    );
    cluster.child.kill('SIGHUP');
    let answered = 0;
    const failures: string[] = [];
    const restarted = (): boolean =>
      cluster.lines().some((l) => l.msg === 'every worker restarted') ||
      cluster.lines().filter((l) => l.msg === 'strata worker is listening' && !before.has(l.pid)).length >= 2;
    while (!restarted()) {
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          send({ port: cluster.port, method: 'GET', path: '/classes/Load?limit=1', headers: master }),
        ),
      );
      for (const r of results) {
        if (r.status === 'rejected') failures.push(String(r.reason));
        else if (r.value.status !== 200) failures.push(`status ${r.value.status}`);
        else answered++;
      }
      if (answered > 20_000) throw new Error('the workers were not restarted');
    }
    assert.deepEqual(failures, []);
    assert.ok(answered > 0);
    const after = cluster.lines().filter((l) => l.msg === 'strata worker is listening' && !before.has(l.pid));
    assert.deepEqual(after.map((l) => l.slot).sort(), [1, 2]);
    // The new workers serve, and still share the data.
    const count = await send({
      port: cluster.port,
      method: 'GET',
      path: '/classes/Load?count=1&limit=0',
      headers: master,
    });
    assert.equal(count.body['count'], 200);
  });

  it('SIGTERM stops the primary and every worker with exit code 0', async () => {
    const pids = cluster
      .lines()
      .filter((l) => l.msg === 'strata worker is listening')
      .map((l) => l.pid as number);
    cluster.child.kill('SIGTERM');
    assert.equal(await cluster.exited, 0);
    for (const pid of pids) {
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} is gone`);
    }
  });
});
