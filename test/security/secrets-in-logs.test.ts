/**
 * Secrets never reach the logs (issue 19 item 5). One full session of the real `strata` process, logging at
 * `trace` as JSON: every option declared secret gets a distinctive value, a dashboard user is added through
 * the CLI, then the session drives REST traffic (sign-up, log-in, reads and writes with session tokens, bad
 * keys, bad tokens, bad JSON), cloud code (functions that succeed, throw and reject, triggers, a job, an
 * outbound webhook carrying the webhook key), `/metrics` with its key, and the dashboard (sign-in, a wrong
 * password, the app API with cookie and CSRF token). After a clean stop, everything the process wrote (stdout,
 * stderr, files in its data dir other than the users file and the database) is searched for every secret and
 * every token the session saw. The search is known to work: a canary that cloud code logs on purpose is found.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { OPTIONS } from '../../server/src/config/index.js';
import { freePort } from '../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'server/src/main.ts');
const APP_ID = 'secrets-app';
const CANARY = `canary-${randomBytes(6).toString('hex')}`;

const CLOUD = `
Parse.Cloud.define('echo', (request) => request.params);
Parse.Cloud.define('throws', () => { throw new Error('this function fails on purpose'); });
Parse.Cloud.define('parseError', () => { throw new Parse.Error(141, 'a Parse error on purpose'); });
Parse.Cloud.define('asUser', async (request) => {
  const found = await new Parse.Query('Note').find({ sessionToken: request.user.getSessionToken() });
  return found.length;
});
Parse.Cloud.define('canary', (request) => { console.log('canary:', request.params.value); return true; });
Parse.Cloud.define('unhandled', () => { Promise.reject(new Error('left unhandled on purpose')); return 1; });
Parse.Cloud.beforeSave('Guarded', (request) => {
  if (request.object.get('bad') === true) throw new Parse.Error(142, 'refused by beforeSave');
});
Parse.Cloud.afterSave('Note', async (request) => {
  await new Parse.Query('Note').count({ useMasterKey: true });
});
Parse.Cloud.job('sweep', async () => new Parse.Query('Note').count({ useMasterKey: true }));
`;

/** A VAPID key pair (base64url): a 32-byte private key and a 65-byte uncompressed public point. */
const VAPID = (() => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    privateKey: Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()])
      .subarray(-32)
      .toString('base64url'),
    publicKey: ecdh.getPublicKey().toString('base64url'),
  };
})();

/** A value per secret option that is valid for it and cannot occur by chance. */
function secretValues(): Record<string, { env: string; value: string; secret: string }> {
  const out: Record<string, { env: string; value: string; secret: string }> = {};
  for (const option of OPTIONS) {
    if (option.secret !== true) continue;
    const secret = `${option.key}-${randomBytes(12).toString('hex')}`;
    if (option.key === 'pushWebVapidPrivateKey') {
      // Web Push starts only with a real P-256 key pair (and its public half and subject, set with the env).
      out[option.key] = { env: option.env, value: VAPID.privateKey, secret: VAPID.privateKey };
      continue;
    }
    const value =
      option.key === 'dashboardApps'
        ? JSON.stringify([{ appId: 'other-app', serverURL: 'http://127.0.0.1:9/parse', masterKey: secret }])
        : secret;
    out[option.key] = { env: option.env, value, secret };
  }
  return out;
}

/** Every file under `dir`, with its text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path).toString('latin1') });
  }
  return out;
}

describe('a full session logs no secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-secrets-'));
  const dataDir = join(dir, 'data');
  const secrets = secretValues();
  const seen: Array<{ what: string; value: string }> = [];
  const remember = (what: string, value: unknown): void => {
    assert.equal(typeof value, 'string', `${what} is a string`);
    assert.ok((value as string).length >= 8, `${what} is long enough to search for`);
    seen.push({ what, value: value as string });
  };
  const dashboardPassword = `dash-pw-${randomBytes(8).toString('hex')}`;
  const userPassword = `user-pw-${randomBytes(8).toString('hex')}`;
  let child: ChildProcess;
  let output = '';
  let base = '';
  let hook: Server;
  const hookKeys: string[] = [];

  const key = (name: string): string => (secrets[name] as { secret: string }).secret;

  before(async () => {
    writeFileSync(join(dir, 'main.js'), CLOUD);
    hook = createServer((req, res) => {
      hookKeys.push(String(req.headers['x-parse-webhook-key']));
      req.resume();
      req.on('end', () => res.setHeader('Content-Type', 'application/json').end('{"success":"from the hook"}'));
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    // The dashboard user, added through the CLI as an operator would (password on stdin).
    const add = spawnSync(
      process.execPath,
      ['--import', 'tsx', MAIN, 'dashboard-user', 'add', 'admin', '--password-stdin', '--data-dir', dataDir],
      { cwd: ROOT, input: `${dashboardPassword}\n`, encoding: 'utf8' },
    );
    assert.equal(add.status, 0, add.stderr);
    output += add.stdout + add.stderr;

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    for (const { env: name, value } of Object.values(secrets)) env[name] = value;
    Object.assign(env, {
      STRATA_APP_ID: APP_ID,
      STRATA_EMAIL_HOST: '127.0.0.1',
      STRATA_EMAIL_PORT: '9',
      STRATA_OUTBOUND_ALLOW_IPS: '127.0.0.1',
      STRATA_PUSH_WEB_VAPID_PUBLIC_KEY: VAPID.publicKey,
      STRATA_PUSH_WEB_VAPID_SUBJECT: 'mailto:ops@example.com',
    });
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'start',
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--data-dir',
        dataDir,
        '--cloud',
        join(dir, 'main.js'),
        '--log-level',
        'trace',
        '--log-format',
        'json',
        '--password-hash-cost',
        '4',
        '--allow-client-class-creation',
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) assert.fail(`strata exited ${child.exitCode}: ${output}`);
      const ready = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      assert.ok(i < 600, `strata did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await new Promise((resolve) => hook.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown; raw?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${base}/parse${path}`, {
      method,
      headers: {
        'X-Parse-Application-Id': APP_ID,
        ...(options.body === undefined && options.raw === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...options.headers,
      },
      ...(options.raw !== undefined ? { body: options.raw } : {}),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: response.status, body };
  };

  it('runs the session: REST, cloud code, webhooks, metrics and the dashboard', async () => {
    const client = { 'X-Parse-REST-API-Key': key('restAPIKey') };
    const js = { 'X-Parse-Javascript-Key': key('javascriptKey') };
    const master = { 'X-Parse-Master-Key': key('masterKey') };

    const signUp = await call('POST', '/users', {
      headers: client,
      body: { username: 'alice', password: userPassword, email: 'alice@example.com' },
    });
    assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
    remember('the sign-up session token', signUp.body['sessionToken']);
    const logIn = await call('POST', '/login', { headers: js, body: { username: 'alice', password: userPassword } });
    assert.equal(logIn.status, 200, JSON.stringify(logIn.body));
    const token = logIn.body['sessionToken'] as string;
    remember('the log-in session token', token);
    const asAlice = { ...client, 'X-Parse-Session-Token': token };

    assert.equal((await call('GET', '/users/me', { headers: asAlice })).status, 200);
    const note = await call('POST', '/classes/Note', { headers: asAlice, body: { text: 'hello' } });
    assert.equal(note.status, 201);
    assert.equal(
      (await call('GET', `/classes/Note?where=${encodeURIComponent('{"text":"hello"}')}`, { headers: asAlice })).status,
      200,
    );
    // A session token and a password where a client might put them by mistake: in a query and a body.
    await call('GET', `/classes/Note?where=${encodeURIComponent(JSON.stringify({ text: token }))}`, {
      headers: asAlice,
    });
    await call('POST', '/classes/Note', { headers: asAlice, body: { text: userPassword } });
    // Failures: a wrong password, a revoked-looking token, a wrong master key, a wrong client key, bad JSON.
    assert.equal(
      (await call('POST', '/login', { headers: js, body: { username: 'alice', password: 'nope' } })).status,
      404,
    );
    assert.equal(
      (await call('GET', '/users/me', { headers: { ...client, 'X-Parse-Session-Token': 'r:not-a-token' } })).status,
      400,
    );
    assert.equal(
      (await call('GET', '/schemas', { headers: { 'X-Parse-Master-Key': `${key('masterKey')}x` } })).status,
      403,
    );
    assert.equal((await call('GET', '/classes/Note', { headers: { 'X-Parse-REST-API-Key': 'wrong' } })).status, 403);
    assert.equal((await call('POST', '/classes/Note', { headers: client, raw: '{"broken' })).status, 400);
    assert.equal((await call('GET', '/no/such/route', { headers: client })).status, 404);
    // Every other key kind is used once.
    assert.equal((await call('GET', '/schemas', { headers: master })).status, 200);
    assert.equal(
      (await call('GET', '/schemas', { headers: { 'X-Parse-Master-Key': key('readOnlyMasterKey') } })).status,
      200,
    );
    await call('GET', '/classes/Note', { headers: { 'X-Parse-Maintenance-Key': key('maintenanceKey') } });
    await call('GET', '/classes/Note', { headers: { 'X-Parse-Client-Key': key('clientKey') } });
    await call('GET', '/classes/Note', { headers: { 'X-Parse-Windows-Key': key('dotNetKey') } });
    // The JS SDK's body form: keys and the session token inside the JSON body.
    await call('POST', '/classes/Note', {
      body: { _method: 'GET', _ApplicationId: APP_ID, _JavaScriptKey: key('javascriptKey'), _SessionToken: token },
    });

    // Cloud code: success, thrown errors, an unhandled rejection, triggers, a job, the SDK as the user.
    assert.equal((await call('POST', '/functions/echo', { headers: asAlice, body: { a: 1 } })).status, 200);
    assert.equal((await call('POST', '/functions/throws', { headers: asAlice, body: {} })).status, 400);
    assert.equal((await call('POST', '/functions/parseError', { headers: asAlice, body: {} })).status, 400);
    assert.equal((await call('POST', '/functions/unhandled', { headers: asAlice, body: {} })).status, 200);
    assert.equal((await call('POST', '/functions/asUser', { headers: asAlice, body: {} })).status, 200);
    assert.equal((await call('POST', '/classes/Guarded', { headers: asAlice, body: { bad: true } })).status, 400);
    assert.equal((await call('POST', '/jobs/sweep', { headers: master, body: {} })).status, 200);
    assert.equal((await call('POST', '/functions/canary', { headers: client, body: { value: CANARY } })).status, 200);
    // A webhook: called with the webhook key.
    const registered = await call('POST', '/hooks/functions', {
      headers: master,
      body: { functionName: 'viaHook', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` },
    });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    assert.deepEqual((await call('POST', '/functions/viaHook', { headers: asAlice, body: {} })).body, {
      result: 'from the hook',
    });
    assert.deepEqual(hookKeys, [key('webhookKey')]);
    // Metrics with and without its key.
    assert.equal(
      (await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${key('metricsKey')}` } })).status,
      200,
    );
    await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer wrong' } });
    await call('POST', '/logout', {
      headers: { ...client, 'X-Parse-Session-Token': signUp.body['sessionToken'] as string },
    });

    // The dashboard: a wrong password, then a sign-in and the app API with cookie and CSRF token.
    const signIn = (password: string) =>
      fetch(`${base}/dashboard/api/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
    assert.equal((await signIn(`${dashboardPassword}-wrong`)).status, 401);
    const session = await signIn(dashboardPassword);
    assert.equal(session.status, 200);
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
    remember('the dashboard session cookie', cookie.slice(cookie.indexOf('=') + 1));
    remember('the dashboard CSRF token', csrf);
    const dash = (method: string, path: string, body?: unknown) =>
      fetch(`${base}/dashboard/api/apps/${APP_ID}${path}`, {
        method,
        headers: {
          Cookie: cookie,
          'X-CSRF-Token': csrf,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    assert.equal((await dash('GET', '/classes/Note')).status, 200);
    assert.equal((await dash('POST', '/classes/Note', { text: 'from the dashboard' })).status, 201);
    assert.equal((await dash('GET', '/schemas')).status, 200);
    assert.equal((await dash('GET', '/classes/_User')).status, 200);
  });

  it('stops cleanly and has logged no secret, token or password', async () => {
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    // The search works: what cloud code printed on purpose is there, and the log is the verbose one.
    assert.ok(output.includes(CANARY), 'the canary logged by cloud code is in the output');
    assert.match(output, /"level":20/, 'debug lines were written (the log is the verbose one)');
    const files = filesUnder(dataDir).filter(
      (file) => !file.path.endsWith('dashboard-users.json') && !/\.(db|sqlite)(-wal|-shm)?$/.test(file.path),
    );
    const haystacks = [{ path: 'stdout+stderr', text: output }, ...files];
    const needles = [
      ...Object.entries(secrets).map(([name, { secret }]) => ({ what: `--${name}`, value: secret })),
      { what: 'the dashboard password', value: dashboardPassword },
      { what: "a user's password", value: userPassword },
      ...seen,
    ];
    const leaks: string[] = [];
    for (const { what, value } of needles) {
      for (const { path, text } of haystacks) {
        const at = text.indexOf(value);
        if (at !== -1) leaks.push(`${what} in ${path}: …${text.slice(Math.max(0, at - 120), at + 40)}…`);
      }
    }
    assert.deepEqual(leaks, []);
    assert.ok(needles.length >= 15, `searched for ${needles.length} values`);
  });
});
