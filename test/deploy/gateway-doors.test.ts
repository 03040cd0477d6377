/**
 * The gateway's doors, attacked for real: Debian's nginx running the config derived from deploy/nginx.conf
 * (test/helpers/nginx.ts) in front of one Strata server (SQLite), both started by this test on loopback. Remote
 * clients are played by other loopback addresses (127.0.0.5, ...): Linux answers the whole 127/8 range, so a
 * request can come from an address that is neither the gateway nor in Strata's master-key or metrics lists.
 *
 * Strata runs as in docker-compose.yml: it trusts X-Forwarded-For from the gateway (127.0.0.1) only, accepts the
 * master key and /metrics (without the metrics key) from 127.0.0.1 only.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { findNginx, startNginx, testNginxConfig, writeLoopbackConfig } from '../helpers/nginx.js';
import { freePort } from '../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'server/src/main.ts');
const nginx = findNginx();
const REQUIRE = process.env['STRATA_REQUIRE_SERVICES'] === '1';

const APP_ID = 'doors';
const MASTER_KEY = `master-${randomBytes(8).toString('hex')}`;
const CLIENT_KEY = `client-${randomBytes(8).toString('hex')}`;
const METRICS_KEY = `metrics-${randomBytes(8).toString('hex')}`;
/** A client that is neither the gateway nor allowed the master key or /metrics. */
const REMOTE = '127.0.0.5';
/** Another remote client, kept for the rate-limit test so its budget is its own. */
const FLOODER = '127.0.0.7';
const MB = 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly raw: Buffer;
}

/** One HTTP request from a chosen loopback address (fetch cannot pick its source address). */
function send(options: {
  port: number;
  path: string;
  from?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Default: a connection of its own. */
  agent?: Agent;
}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path,
        method: options.method ?? 'GET',
        localAddress: options.from ?? '127.0.0.1',
        agent: options.agent ?? false,
        headers: {
          ...(body === undefined ? {} : { 'content-length': String(body.length) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: raw.toString(), raw });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const parseHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  'x-parse-application-id': APP_ID,
  'content-type': 'application/json',
  ...extra,
});
const master = { 'x-parse-master-key': MASTER_KEY };
const client = { 'x-parse-rest-api-key': CLIENT_KEY };

function skipReason(): string | false {
  if (nginx !== undefined || REQUIRE) return false;
  return 'nginx is not installed (apt-get install nginx)';
}

describe('the gateway in front of Strata, attacked', { skip: skipReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-doors-'));
  let strata: ChildProcess | undefined;
  let gateway: ChildProcess | undefined;
  let strataPort = 0;
  let gatewayPort = 0;
  let output = '';

  before(async () => {
    assert.ok(nginx !== undefined, 'nginx is required (STRATA_REQUIRE_SERVICES=1)');
    strataPort = await freePort();
    strata = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'start',
        '--port',
        String(strataPort),
        '--host',
        '127.0.0.1',
        '--data-dir',
        join(dir, 'data'),
        '--app-id',
        APP_ID,
        '--master-key',
        MASTER_KEY,
        '--client-key',
        CLIENT_KEY,
        '--metrics-key',
        METRICS_KEY,
        '--trust-proxy',
        '127.0.0.1',
        '--master-key-ips',
        '127.0.0.1',
        '--metrics-ips',
        '127.0.0.1',
        '--log-level',
        'warn',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    strata.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    strata.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const prefix = join(dir, 'gateway');
    gatewayPort = await freePort();
    const config = writeLoopbackConfig({
      prefix,
      port: gatewayPort,
      api: [`127.0.0.1:${strataPort}`],
      live: [`127.0.0.1:${strataPort}`],
      // A budget of the burst alone (200 requests past the first), so the flooder reaches it at once.
      rate: '1r/m',
    });
    const check = testNginxConfig({ nginx, prefix, config });
    assert.equal(check.status, 0, check.output);
    gateway = startNginx({ nginx, prefix, config });
    for (let attempt = 0; ; attempt++) {
      assert.equal(strata.exitCode, null, `strata exited: ${output}`);
      const ready = await send({ port: gatewayPort, path: '/ready' }).catch(() => undefined);
      if (ready?.status === 200) break;
      assert.ok(attempt < 300, `the gateway and Strata never became ready: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(async () => {
    gateway?.kill('SIGTERM');
    if (strata !== undefined && strata.exitCode === null) {
      const exited = new Promise((resolve) => strata?.once('exit', resolve));
      strata.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the master key through from an allowed client (the control for the refusals below)', async () => {
    const answer = await send({ port: gatewayPort, path: '/parse/schemas', headers: parseHeaders(master) });
    assert.equal(answer.status, 200, answer.text);
  });

  it('replaces what a remote client claims in X-Forwarded-For / X-Real-IP: no master key by spoofing loopback', async () => {
    const spoofs: Record<string, string>[] = [
      { 'x-forwarded-for': '127.0.0.1' },
      { 'x-real-ip': '127.0.0.1' },
      { 'x-forwarded-for': '127.0.0.1, 127.0.0.1', 'x-real-ip': '127.0.0.1' },
    ];
    for (const spoof of spoofs) {
      const answer = await send({
        port: gatewayPort,
        from: REMOTE,
        path: '/parse/schemas',
        headers: parseHeaders({ ...master, ...spoof }),
      });
      assert.equal(answer.status, 403, `${JSON.stringify(spoof)}: ${answer.text}`);
      assert.deepEqual(JSON.parse(answer.text), { error: 'unauthorized' });
    }
  });

  it("ignores an untrusted peer's X-Forwarded-For / X-Real-IP even though Strata trusts a proxy", async () => {
    const spoofs: Record<string, string>[] = [{ 'x-forwarded-for': '127.0.0.1' }, { 'x-real-ip': '127.0.0.1' }];
    for (const spoof of spoofs) {
      const schemas = await send({
        port: strataPort,
        from: REMOTE,
        path: '/parse/schemas',
        headers: parseHeaders({ ...master, ...spoof }),
      });
      assert.equal(schemas.status, 403, `${JSON.stringify(spoof)}: ${schemas.text}`);
      const metrics = await send({ port: strataPort, from: REMOTE, path: '/metrics', headers: spoof });
      assert.equal(metrics.status, 403, `${JSON.stringify(spoof)}: ${metrics.text}`);
    }
  });

  it('refuses /metrics at the gateway, even with the metrics key; Strata serves it only to the key or its IPs', async () => {
    for (const from of ['127.0.0.1', REMOTE]) {
      const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${METRICS_KEY}` }];
      for (const headers of attempts) {
        const answer = await send({ port: gatewayPort, from, path: '/metrics', headers });
        assert.equal(answer.status, 404, `${from} ${JSON.stringify(headers)}: ${answer.text}`);
        assert.doesNotMatch(answer.text, /strata_http_requests_total/);
      }
      // Under the mount it is no route at all (the express mount serves one; the standalone server does not).
      const mounted = await send({ port: gatewayPort, from, path: '/parse/metrics', headers: parseHeaders(master) });
      assert.doesNotMatch(mounted.text, /strata_http_requests_total/);
    }
    // Directly (how Prometheus scrapes each server): the key from anywhere, nothing else from outside.
    const keyed = await send({
      port: strataPort,
      from: REMOTE,
      path: '/metrics',
      headers: { authorization: `Bearer ${METRICS_KEY}` },
    });
    assert.equal(keyed.status, 200);
    assert.match(keyed.text, /strata_http_requests_total/);
    const refusals: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, parseHeaders(master)];
    for (const headers of refusals) {
      const refused = await send({ port: strataPort, from: REMOTE, path: '/metrics', headers });
      assert.equal(refused.status, 403, JSON.stringify(headers));
    }
  });

  it('answers GET /usage to the master key from an allowed client only', async () => {
    const attempts: { from: string; headers: Record<string, string>; status: number }[] = [
      { from: REMOTE, headers: {}, status: 403 },
      { from: REMOTE, headers: parseHeaders(), status: 403 },
      { from: REMOTE, headers: parseHeaders(client), status: 403 },
      { from: REMOTE, headers: parseHeaders(master), status: 403 },
      { from: REMOTE, headers: parseHeaders({ ...master, 'x-forwarded-for': '127.0.0.1' }), status: 403 },
      { from: '127.0.0.1', headers: parseHeaders({ 'x-parse-master-key': 'wrong' }), status: 403 },
    ];
    for (const attempt of attempts) {
      const answer = await send({
        port: gatewayPort,
        from: attempt.from,
        path: '/parse/usage',
        headers: attempt.headers,
      });
      assert.equal(answer.status, attempt.status, `${attempt.from} ${JSON.stringify(attempt.headers)}: ${answer.text}`);
      assert.doesNotMatch(answer.text, /"functions"|"requests"/, 'no usage leaked');
    }
    const allowed = await send({ port: gatewayPort, path: '/parse/usage', headers: parseHeaders(master) });
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal((JSON.parse(allowed.text) as { appId: string }).appId, APP_ID);
  });

  it("stops a body over Strata's limit at the gateway with Parse's error shape, REST and file uploads alike", async () => {
    const big = Buffer.alloc(21 * MB, 0x61);
    const json = Buffer.concat([Buffer.from('{"blob":"'), big, Buffer.from('"}')]);
    for (const attempt of [
      { path: '/parse/classes/Doors', body: json, headers: parseHeaders(client) },
      { path: '/parse/batch', body: json, headers: parseHeaders(client) },
      {
        path: '/parse/files/big.bin',
        body: big,
        headers: parseHeaders({ ...client, 'content-type': 'application/octet-stream' }),
      },
    ]) {
      const answer = await send({ port: gatewayPort, from: REMOTE, method: 'POST', ...attempt });
      assert.equal(answer.status, 413, `${attempt.path}: ${answer.text.slice(0, 200)}`);
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.equal((JSON.parse(answer.text) as { code: number }).code, 116, attempt.path);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    }
    // Under the limit the same door works (the control; public uploads are off by default, so the master key).
    const small = await send({
      port: gatewayPort,
      method: 'POST',
      path: '/parse/files/small.bin',
      headers: parseHeaders({ ...master, 'content-type': 'application/octet-stream' }),
      body: Buffer.alloc(MB, 0x61),
    });
    assert.equal(small.status, 201, small.text);
  });

  it("answers a refused upload with Strata's own error, and keeps the keep-alive connection for the next request", async () => {
    // Strata refuses a public upload before reading its body; the refusal must reach the client whatever the
    // timing (it was a reset, nginx's 502 or a dropped next request on the same connection in 12 of 40).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers: string[] = [];
      for (let i = 0; i < 24; i++) {
        const upload = await send({
          port: gatewayPort,
          from: REMOTE,
          agent,
          method: 'POST',
          path: '/parse/files/refused.bin',
          headers: parseHeaders({ ...client, 'content-type': 'application/octet-stream' }),
          body: Buffer.alloc((1 + (i % 4)) * MB, 0x61),
        }).catch((err: unknown) => ({ status: 0, text: String(err) }));
        answers.push(`${upload.status} ${upload.text}`);
        const next = await send({ port: gatewayPort, from: REMOTE, agent, path: '/parse/health' }).catch(
          (err: unknown) => ({ status: 0, text: String(err) }),
        );
        answers.push(`${next.status} ${next.text}`);
      }
      const expected = ['400 {"code":130,"error":"File upload by public is disabled."}', '200 {"status":"ok"}'];
      assert.deepEqual(
        answers.filter((answer, i) => answer !== expected[i % 2]),
        [],
      );
    } finally {
      agent.destroy();
    }
  });

  it('puts security headers on every answer, gzips JSON, and rate-limits per client address with a Parse error', async () => {
    for (const path of ['/parse/health', '/nowhere', '/metrics']) {
      const answer = await send({ port: gatewayPort, from: REMOTE, path, headers: parseHeaders(client) });
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(answer.headers['x-frame-options'], 'DENY', path);
      assert.equal(answer.headers['referrer-policy'], 'no-referrer', path);
      assert.equal(answer.headers['server'], 'nginx', `${path}: no version in Server`);
    }
    // Every schema (the system classes' included) is well past gzip_min_length.
    const zipped = await send({
      port: gatewayPort,
      path: '/parse/schemas',
      headers: parseHeaders({ ...master, 'accept-encoding': 'gzip' }),
    });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    const schemas = JSON.parse(gunzipSync(zipped.raw).toString()) as { results: unknown[] };
    assert.ok(schemas.results.length > 0);
    // The flooder spends its burst and is refused; another client is not affected.
    const statuses: number[] = [];
    let refusal: Answer | undefined;
    for (let i = 0; i < 240 && refusal === undefined; i++) {
      const answer = await send({ port: gatewayPort, from: FLOODER, path: '/parse/health' });
      statuses.push(answer.status);
      if (answer.status === 429) refusal = answer;
    }
    assert.ok(refusal !== undefined, `no 429 after ${statuses.length} requests`);
    assert.ok(statuses.filter((status) => status === 200).length >= 200, 'the burst was served first');
    assert.deepEqual(JSON.parse(refusal.text), { code: 100, error: 'Too many requests.' });
    assert.equal(refusal.headers['x-content-type-options'], 'nosniff');
    assert.equal((await send({ port: gatewayPort, from: REMOTE, path: '/parse/health' })).status, 200);
  });
});
