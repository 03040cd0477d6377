// The access log over real HTTP: one line per request, for API answers, errors with their Parse code, file
// downloads, pages and 404s outside the mount; never a key, token or password, even from a query string.
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, ParseError } from '../errors/index.js';
import { createLogger } from '../infra/index.js';
import type { Logger } from '../infra/index.js';
import { APP_ID, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { loggablePath } from './request-log.js';

type Line = Record<string, unknown>;

interface CapturedLog {
  readonly logger: Logger;
  /** Everything written so far. */
  text(): string;
  /** The access-log lines written so far. */
  requests(): Line[];
  /** Waits until at least `count` access-log lines are written (a line is written when its response closes). */
  waitForRequests(count: number): Promise<Line[]>;
}

/** A debug-level logger whose output the test reads back. */
function captureLog(): CapturedLog {
  let text = '';
  const written = new EventEmitter();
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      written.emit('write');
      done();
    },
  });
  const requests = (): Line[] =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line)
      .filter((l) => l['msg'] === 'request');
  return {
    logger: createLogger({ level: 'debug', destination }),
    text: () => text,
    requests,
    async waitForRequests(count) {
      while (requests().length < count) await once(written, 'write');
      return requests();
    },
  };
}

const SECRET_PASSWORD = 'hunter2-never-logged';
const SECRET_TOKEN = 'r:token-never-logged';

// The timeout only turns a missing line (the wait would never end) into a failure; nothing here is timed.
describe('access log: one line per request', { timeout: 120_000 }, () => {
  let server: TestServer;
  const log = captureLog();

  before(async () => {
    server = await startTestServer({
      logger: log.logger,
      cloudSetup: (registry) => {
        registry.defineFunction({
          name: 'crash',
          source: 'strata',
          handler: () => {
            throw new Error('boom');
          },
        });
        registry.defineFunction({
          name: 'refuse',
          source: 'strata',
          handler: () => {
            throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'no' });
          },
        });
      },
    });
  });
  after(() => server.close());

  const scenarios: ReadonlyArray<{
    name: string;
    method: string;
    path: string;
    body?: unknown;
    status: number;
    code?: number;
    bare?: boolean;
  }> = [
    { name: 'a create', method: 'POST', path: '/classes/GameScore', body: { score: 1 }, status: 201 },
    { name: 'a missing object', method: 'GET', path: '/classes/GameScore/nope', status: 404, code: 101 },
    // Answered with Parse's bare `{error}`: the log still has the code.
    {
      name: 'an unknown route',
      method: 'GET',
      path: '/nowhere',
      status: 404,
      code: ErrorCode.INVALID_JSON,
      bare: true,
    },
    { name: 'a cloud error', method: 'POST', path: '/functions/refuse', body: {}, status: 400, code: 141 },
    {
      name: 'a thrown Error in cloud code',
      method: 'POST',
      path: '/functions/crash',
      body: {},
      status: 400,
      code: 141,
    },
    { name: 'a missing file download', method: 'GET', path: `/files/${APP_ID}/missing.txt`, status: 404, code: 101 },
    // An HTML page has no Parse code.
    { name: 'an email-flow page', method: 'GET', path: `/apps/${APP_ID}/verify_email`, status: 400 },
  ];
  for (const s of scenarios) {
    it(`${s.name}: method, path, status, duration, request id and the Parse code of an error`, async () => {
      const before = log.requests().length;
      const res = await server.call({
        method: s.method,
        path: s.path,
        ...(s.body === undefined ? {} : { body: s.body }),
      });
      assert.equal(res.status, s.status, JSON.stringify(res.body));
      const lines = await log.waitForRequests(before + 1);
      assert.equal(lines.length, before + 1, 'exactly one line');
      const line = lines[before] as Line;
      assert.equal(line['level'], 30, 'info');
      assert.equal(line['method'], s.method);
      assert.equal(line['path'], `/parse${s.path}`);
      assert.equal(line['status'], s.status);
      assert.equal(typeof line['ms'], 'number');
      assert.equal(line['reqId'], res.headers.get('x-request-id'));
      assert.equal(line['code'], s.code);
      if (s.code !== undefined && s.bare !== true) assert.equal((res.body as { code?: unknown }).code, s.code);
    });
  }

  it('a 404 outside the mount is logged too', async () => {
    const before = log.requests().length;
    const response = await fetch(`${server.url}/elsewhere?x=1`);
    assert.equal(response.status, 404);
    const line = (await log.waitForRequests(before + 1))[before] as Line;
    assert.equal(line['path'], '/elsewhere?x');
    assert.equal(line['status'], 404);
  });

  it('the client-sent X-Request-Id is the line request id', async () => {
    const before = log.requests().length;
    await server.call({ path: '/classes/GameScore', headers: { 'X-Request-Id': 'trace-42' } });
    const line = (await log.waitForRequests(before + 1))[before] as Line;
    assert.equal(line['reqId'], 'trace-42');
  });

  it('a successful health probe is logged at debug, not info', async () => {
    const before = log.requests().length;
    const response = await fetch(`${server.mountURL}/health`);
    assert.equal(response.status, 200);
    const line = (await log.waitForRequests(before + 1))[before] as Line;
    assert.equal(line['path'], '/parse/health');
    assert.equal(line['level'], 20);
  });

  it('never logs keys, session tokens or passwords, from headers or the query string', async () => {
    const before = log.requests().length;
    const login = await server.call({
      path: `/login?username=alice&password=${SECRET_PASSWORD}`,
      headers: { 'X-Parse-Session-Token': SECRET_TOKEN },
    });
    assert.equal(login.status >= 400, true);
    await server.call({ path: `/classes/GameScore?sessionToken=${SECRET_TOKEN}`, master: true });
    const lines = await log.waitForRequests(before + 2);
    assert.equal(lines[before]?.['path'], '/parse/login?username&password');
    for (const secret of [SECRET_PASSWORD, SECRET_TOKEN, MASTER_KEY]) {
      assert.equal(log.text().includes(secret), false, `${secret} is in the log`);
    }
  });
});

describe('loggablePath', () => {
  const cases = [
    { url: '/parse/classes/A', path: '/parse/classes/A' },
    { url: '/parse/login?username=bob&password=x', path: '/parse/login?username&password' },
    { url: '/parse/classes/A?where=%7B%7D&limit=1&', path: '/parse/classes/A?where&limit' },
    { url: '/parse/x?', path: '/parse/x' },
    { url: '/parse/x?flag', path: '/parse/x?flag' },
  ];
  for (const { url, path } of cases) it(`${url} → ${path}`, () => assert.equal(loggablePath(url), path));

  it('cuts a very long path', () => {
    const path = loggablePath(`/${'a'.repeat(5000)}?${'b'.repeat(5000)}=1`);
    assert.ok(path.length <= 513, String(path.length));
  });
});
