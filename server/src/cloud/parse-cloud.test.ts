import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../app.js';
import { resolveOptions } from '../config/index.js';
import type { EmailMessage } from '../email/index.js';
import { ParseError } from '../errors/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { MAIN_JS } from './parse-cloud-main.test-util.js';

// Parse cloud code using the parts of Parse.Cloud the compat suite does not: request fields, the response
// object's status and headers, validators, credentials of SDK calls, batches, Parse.Cloud.run inside cloud
// code, jobs, beforeFind answering objects, afterFind, the login triggers, delete triggers, httpRequest.
// The cloud code (main.js) it loads is in parse-cloud-main.test-util.ts.

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('Parse.Cloud over HTTP', () => {
  let dir: string;
  let server: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-parse-cloud-'));
    writeFileSync(join(dir, 'main.js'), MAIN_JS);
    // httpRequest's test target listens on 127.0.0.1, reachable only when allowed (the SSRF guard).
    server = await startTestServer({ cloud: join(dir, 'main.js'), outboundAllowIps: ['127.0.0.1'] });
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signUp = async (username: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const response = await server.call({
      method: 'POST',
      path: '/users',
      body: { username, password: 'pw-123456', ...extra },
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return (response.body as { sessionToken: string }).sessionToken;
  };

  it('hands functions the request fields: master, user, installation id, headers, context, params', async () => {
    const token = await signUp('fields-user');
    const response = await server.call({
      method: 'POST',
      path: '/functions/requestFields',
      body: { a: 1, when: { __type: 'Date', iso: '2020-01-01T00:00:00.000Z' } },
      headers: {
        'X-Parse-Session-Token': token,
        'X-Parse-Installation-Id': 'inst-1',
        'X-Custom': 'hello',
        'X-Parse-Cloud-Context': '{"from":"test"}',
      },
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body, {
      result: {
        master: false,
        user: 'fields-user',
        installationId: 'inst-1',
        header: 'hello',
        context: { from: 'test' },
        functionName: 'requestFields',
        params: { a: 1, when: { __type: 'Date', iso: '2020-01-01T00:00:00.000Z' } },
      },
    });
  });

  it('answers with response.status() and response.header() of the (request, response) style', async () => {
    const ok = await server.call({ method: 'POST', path: '/functions/withStatus', body: {} });
    assert.equal(ok.status, 201);
    assert.equal(ok.headers.get('x-extra'), 'yes');
    assert.deepEqual(ok.body, { result: { ok: true } });
    const failed = await server.call({ method: 'POST', path: '/functions/failWithStatus', body: {} });
    assert.equal(failed.status, 409);
    assert.deepEqual(failed.body, { code: 137, error: 'Already taken.' });
  });

  it('runs object validators with constructor types, and function validators (142)', async () => {
    const typed = await server.call({ method: 'POST', path: '/functions/typed', body: { n: 'x' } });
    assert.equal(typed.status, 400);
    assert.equal((typed.body as { code: number }).code, 142);
    const good = await server.call({ method: 'POST', path: '/functions/typed', body: { n: 4 } });
    assert.deepEqual(good.body, { result: 8 });
    const refused = await server.call({ method: 'POST', path: '/functions/fnValidator', body: {} });
    assert.deepEqual(refused.body, { code: 142, error: 'A token, please.' });
    const passed = await server.call({ method: 'POST', path: '/functions/fnValidator', body: { token: 't' } });
    assert.deepEqual(passed.body, { result: 'ok' });
  });

  it("runs SDK calls with the credentials given: the user's session, the master key, or none", async () => {
    const token = await signUp('private-owner');
    const me = await server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': token } });
    const userId = (me.body as { objectId: string }).objectId;
    for (const acl of [{ [userId]: { read: true, write: true } }, {}]) {
      const created = await server.call({ method: 'POST', path: '/classes/Private', body: { ACL: acl }, master: true });
      assert.equal(created.status, 201);
    }
    const response = await server.call({
      method: 'POST',
      path: '/functions/countPrivate',
      body: {},
      headers: { 'X-Parse-Session-Token': token },
    });
    assert.deepEqual(response.body, { result: { asUser: 1, asMaster: 2, anonymous: 0 } });
  });

  it('runs Parse.Cloud.run and Parse.Object.saveAll (a batch) inside cloud code', async () => {
    assert.deepEqual((await server.call({ method: 'POST', path: '/functions/callOther', body: {} })).body, {
      result: 42,
    });
    assert.deepEqual((await server.call({ method: 'POST', path: '/functions/bulk', body: {} })).body, { result: 3 });
  });

  it('saves a Parse.File from cloud code in-process, with its content type', async () => {
    const response = await server.call({ method: 'POST', path: '/functions/saveFile', body: {} });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const { name, holder } = (response.body as { result: { name: string; holder: string } }).result;
    assert.match(name, /_hello\.txt$/);
    const stored = await server.call({ path: `/classes/Holder/${holder}`, master: true });
    const file = (stored.body as { file: { __type: string; name: string; url: string } }).file;
    assert.equal(file.__type, 'File');
    assert.equal(file.name, name);
    const download = await fetch(file.url);
    assert.equal(download.status, 200);
    assert.equal(await download.text(), 'hello world');
    assert.match(download.headers.get('content-type') ?? '', /^text\/plain/);
  });

  it('answers an SDK call made outside any hook when this process serves one app and no server URL is set', async () => {
    // As a library callback that lost the hook's async context would: no scope, the SDK's default URL.
    const sdk = (
      globalThis as unknown as { Parse: { Query: new (className: string) => { count(o: object): Promise<number> } } }
    ).Parse;
    assert.equal(await new sdk.Query('Bulk').count({ useMasterKey: true }), 3);
  });

  it('calls out with Parse.Cloud.httpRequest', async () => {
    const outside: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ method: req.method, received: JSON.parse(body) as unknown }));
      });
    });
    await new Promise<void>((resolve) => outside.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(outside.address() as AddressInfo).port}/hook`;
      const response = await server.call({ method: 'POST', path: '/functions/fetchIt', body: { url } });
      assert.deepEqual(response.body, { result: { status: 200, data: { method: 'POST', received: { a: 1 } } } });
    } finally {
      await new Promise((resolve) => outside.close(resolve));
    }
  });

  it('refuses Parse.Cloud.httpRequest to a private address the server does not allow, redirects included', async () => {
    // The "internal service" sits on 127.0.0.2; only 127.0.0.1 is allowed.
    const hits: string[] = [];
    const inner: Server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('{"secret":true}');
    });
    await new Promise<void>((resolve) => inner.listen(0, '127.0.0.2', resolve));
    const innerPort = (inner.address() as AddressInfo).port;
    const bouncer: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.2:${innerPort}/bounced` }).end();
    });
    await new Promise<void>((resolve) => bouncer.listen(0, '127.0.0.1', resolve));
    try {
      for (const url of [
        `http://127.0.0.2:${innerPort}/direct`,
        `http://[::ffff:127.0.0.2]:${innerPort}/mapped`,
        `http://169.254.169.254/latest/meta-data/`,
      ]) {
        const response = await server.call({ method: 'POST', path: '/functions/fetchIt', body: { url } });
        assert.equal(response.status, 400, url);
        assert.match(JSON.stringify(response.body), /private, loopback or link-local/, url);
      }
      // The function asks for no redirects to be followed: the 307 is its answer, and nothing went further.
      const bounced = await server.call({
        method: 'POST',
        path: '/functions/fetchIt',
        body: { url: `http://127.0.0.1:${(bouncer.address() as AddressInfo).port}/` },
      });
      assert.deepEqual(bounced.body, { result: { status: 307 } });
      // Following it: the hop to 127.0.0.2 is refused.
      const followed = await server.call({
        method: 'POST',
        path: '/functions/fetchFollowing',
        body: { url: `http://127.0.0.1:${(bouncer.address() as AddressInfo).port}/` },
      });
      assert.equal(followed.status, 400);
      assert.match(JSON.stringify(followed.body), /Refused to connect to 127\.0\.0\.2/);
      assert.deepEqual(hits, []);
    } finally {
      await new Promise((resolve) => inner.close(resolve));
      await new Promise((resolve) => bouncer.close(resolve));
    }
  });

  it('runs a Parse.Cloud.job through POST /jobs and records its message and result', async () => {
    const started = await server.call({ method: 'POST', path: '/jobs/countJob', body: { n: 3 }, master: true });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const statusId = started.headers.get('x-parse-job-status-id');
    assert.ok(statusId);
    const status = await until('the job to succeed', async () => {
      const row = await server.call({ path: `/classes/_JobStatus/${statusId}`, master: true });
      const body = row.body as { status?: string; message?: string };
      return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
    });
    assert.deepEqual({ status: status.status, message: status.message }, { status: 'succeeded', message: 'counted 3' });
  });

  it('answers a find with the objects beforeFind returned', async () => {
    for (const featured of [true, false, true]) {
      await server.call({ method: 'POST', path: '/classes/Canned', body: { featured }, master: true });
    }
    const found = await server.call({ path: '/classes/Canned' });
    const results = (found.body as { results: Array<{ featured: boolean }> }).results;
    assert.equal(results.length, 2);
    assert.ok(results.every((object) => object.featured));
  });

  it('returns what afterFind returned (filtered and changed objects)', async () => {
    await server.call({ method: 'POST', path: '/classes/Shown', body: { secret: false, n: 1 }, master: true });
    await server.call({ method: 'POST', path: '/classes/Shown', body: { secret: true, n: 2 }, master: true });
    const found = await server.call({ path: '/classes/Shown' });
    const results = (found.body as { results: Array<Record<string, unknown>> }).results;
    assert.equal(results.length, 1);
    assert.equal(results[0]?.['n'], 1);
    assert.equal(results[0]?.['seen'], true);
  });

  it('runs beforeSave on Parse.User (sign-up), beforeLogin, afterLogin and afterLogout', async () => {
    const reserved = await server.call({
      method: 'POST',
      path: '/users',
      body: { username: 'reserved', password: 'pw' },
    });
    assert.deepEqual(reserved.body, { code: 141, error: 'That username is reserved.' });

    const token = await signUp('login-user');
    const me = await server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': token } });
    assert.equal((me.body as { nickname: string }).nickname, 'LOGIN-USER');

    const login = await server.call({
      method: 'POST',
      path: '/login',
      body: { username: 'login-user', password: 'pw-123456' },
    });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const events = await server.call({ path: '/classes/LoginEvent', master: true });
    assert.deepEqual(
      (events.body as { results: Array<{ username: string; sameUser: boolean }> }).results.map((e) => [
        e.username,
        e.sameUser,
      ]),
      [['login-user', true]],
    );

    await signUp('banned-user', { banned: true });
    const banned = await server.call({
      method: 'POST',
      path: '/login',
      body: { username: 'banned-user', password: 'pw-123456' },
    });
    assert.equal(banned.status, 404);
    assert.deepEqual(banned.body, { code: 101, error: 'Banned.' });

    const loginToken = (login.body as { sessionToken: string }).sessionToken;
    const logout = await server.call({
      method: 'POST',
      path: '/logout',
      body: {},
      headers: { 'X-Parse-Session-Token': loginToken },
    });
    assert.equal(logout.status, 200);
    const logouts = await server.call({ path: '/classes/LogoutEvent', master: true });
    assert.deepEqual(
      (logouts.body as { results: Array<{ sessionClass: string }> }).results.map((e) => e.sessionClass),
      ['_Session'],
    );
  });

  it('runs beforeSave(Parse.File) with request.file, and beforeSave(Parse.Config) with object and original', async () => {
    const upload = (name: string) =>
      server.call({
        method: 'POST',
        path: `/files/${name}`,
        raw: 'MZ',
        master: true,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
    const refused = await upload('tool.exe');
    assert.deepEqual(refused.body, { code: 130, error: 'No executables.' });
    assert.equal((await upload('notes.txt')).status, 201);

    const ok = await server.call({ method: 'PUT', path: '/config', body: { params: { mode: 'ok' } }, master: true });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const broken = await server.call({
      method: 'PUT',
      path: '/config',
      body: { params: { mode: 'broken' } },
      master: true,
    });
    assert.deepEqual(broken.body, { code: 142, error: 'Not that mode.' });
  });

  it('saves beforeSave operations: increment on the stored value, unset, and dirtyKeys() of the write', async () => {
    const created = await server.call({ method: 'POST', path: '/classes/Counter', body: { n: 1, temp: 'x' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = (created.body as { objectId: string }).objectId;
    const read = async (): Promise<Record<string, unknown>> =>
      (await server.call({ path: `/classes/Counter/${id}` })).body as Record<string, unknown>;
    let stored = await read();
    assert.equal(stored['saves'], 1);
    assert.equal(stored['dirty'], 'n,temp');
    assert.equal('temp' in stored, false);

    const updated = await server.call({ method: 'PUT', path: `/classes/Counter/${id}`, body: { n: 2 } });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal((updated.body as Record<string, unknown>)['saves'], 2, 'the change is echoed to the client');
    stored = await read();
    assert.deepEqual([stored['n'], stored['saves'], stored['dirty']], [2, 2, 'n']);
  });

  it('refuses a delete in beforeDelete and runs afterDelete', async () => {
    const keep = await server.call({ method: 'POST', path: '/classes/Keep', body: {}, master: true });
    const keepId = (keep.body as { objectId: string }).objectId;
    const refused = await server.call({ method: 'DELETE', path: `/classes/Keep/${keepId}`, master: true });
    assert.deepEqual(refused.body, { code: 119, error: 'Keep objects stay.' });
    assert.equal((await server.call({ path: `/classes/Keep/${keepId}`, master: true })).status, 200);

    const gone = await server.call({ method: 'POST', path: '/classes/Gone', body: {}, master: true });
    const goneId = (gone.body as { objectId: string }).objectId;
    assert.equal((await server.call({ method: 'DELETE', path: `/classes/Gone/${goneId}`, master: true })).status, 200);
    const events = await server.call({ path: '/classes/DeleteEvent', master: true });
    assert.deepEqual(
      (events.body as { results: Array<{ deletedId: string }> }).results.map((e) => e.deletedId),
      [goneId],
    );
  });
});

describe('Parse.Cloud logging and load-time calls', () => {
  it("writes request.log and console lines of a hook to the server's log with the request id; sends email", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-parse-log-'));
    const lines: Array<Record<string, unknown>> = [];
    const mails: EmailMessage[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n'))
          if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    writeFileSync(join(dir, 'main.js'), MAIN_JS);
    const app = await createApp({
      config: {
        ...resolveOptions({ cwd: dir, env: {} }),
        port: 0,
        host: '127.0.0.1',
        dataDir: dir,
        databaseURI: `sqlite:${join(dir, 'strata.db')}`,
        appId: 'log-app',
        masterKey: 'log-master',
        cloud: join(dir, 'main.js'),
      },
      logger: pino({ level: 'info' }, sink),
      email: {
        kind: 'test',
        send: (message) => {
          mails.push(message);
          return Promise.resolve();
        },
        close: () => Promise.resolve(),
      },
    });
    try {
      const { port } = await app.listen();
      const response = await fetch(`http://127.0.0.1:${port}/parse/functions/logSomething`, {
        method: 'POST',
        headers: {
          'X-Parse-Application-Id': 'log-app',
          'X-Request-Id': 'req-cloud-1',
          'Content-Type': 'application/json',
        },
        body: '{}',
      });
      assert.deepEqual(await response.json(), { result: 'logged' });
      const line = lines.find((entry) => entry['marker'] === 'cloud-log-marker');
      assert.ok(line, 'the cloud log line reached the server logger');
      assert.equal(line['reqId'], 'req-cloud-1');
      assert.equal(line['msg'], 'from cloud code');
      const consoleLine = lines.find((entry) => entry['msg'] === 'console from cloud code: 42');
      assert.ok(consoleLine, 'console.log inside the hook reached the server logger');
      assert.equal(consoleLine['reqId'], 'req-cloud-1');
      assert.equal(consoleLine['console'], 'log');

      // Parse.Cloud.sendEmail goes through the server's email adapter.
      const mailed = await fetch(`http://127.0.0.1:${port}/parse/functions/mail`, {
        method: 'POST',
        headers: { 'X-Parse-Application-Id': 'log-app', 'Content-Type': 'application/json' },
        body: JSON.stringify({ to: 'ada@example.com' }),
      });
      assert.deepEqual(await mailed.json(), { result: 'sent' });
      assert.deepEqual(mails, [{ to: 'ada@example.com', subject: 'Hi', text: 'Hello there' }]);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the start clearly when cloud code awaits an SDK call at the top level', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-parse-toplevel-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
      writeFileSync(join(dir, 'main.js'), "await new Parse.Query('Thing').find();\n");
      await assert.rejects(
        () => startTestServer({ cloud: join(dir, 'main.js') }),
        (err: unknown) => err instanceof ParseError && /while the cloud code module is loading/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
