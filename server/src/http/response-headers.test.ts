/**
 * The listener's fixed headers (request id, security, CORS), as the client reads them off the wire: the API's
 * JSON answers write them with the answer in one `writeHead` (response-headers.ts), every other answer sets them
 * first. Both must give the same headers, once each, in the same order, whatever else the answer adds.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

interface RawAnswer {
  status: number;
  /** Header names, lower-cased, in the order they came. */
  names: string[];
  headers: Record<string, string | string[] | undefined>;
}

function send(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers ?? {} }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          names: res.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase()),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const FIXED = [
  'x-request-id',
  'x-content-type-options',
  'referrer-policy',
  'x-frame-options',
  'content-security-policy',
  'cross-origin-opener-policy',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
];
const parse = { 'X-Parse-Application-Id': APP_ID, 'X-Parse-REST-API-Key': CLIENT_KEY };

describe('response headers', () => {
  let server: TestServer;
  let listed: TestServer;
  before(async () => {
    server = await startTestServer();
    listed = await startTestServer({ allowOrigin: ['https://a.example', 'https://b.example'] });
  });
  after(async () => {
    await server.close();
    await listed.close();
  });

  it('an API answer carries the fixed headers first, once each, then its own', async () => {
    const created = await send(`${server.url}/parse/classes/Headed`, {
      method: 'POST',
      headers: { ...parse, 'Content-Type': 'application/json', 'X-Request-Id': 'given-id' },
      body: '{"a":1}',
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.names.slice(0, FIXED.length), FIXED);
    assert.deepEqual(created.names.slice(FIXED.length, FIXED.length + 3), [
      'location',
      'content-type',
      'content-length',
    ]);
    assert.equal(new Set(created.names).size, created.names.length, `no header twice: ${created.names.join(', ')}`);
    assert.equal(created.headers['x-request-id'], 'given-id');
    assert.equal(created.headers['access-control-allow-origin'], '*');
    assert.equal(created.headers['content-type'], 'application/json; charset=utf-8');

    const refused = await send(`${server.url}/parse/classes/Headed`, { method: 'GET' });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.names.slice(0, FIXED.length), FIXED);
    assert.equal(new Set(refused.names).size, refused.names.length);
    assert.match(String(refused.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('answers outside the API (health, a miss, a preflight) carry the same fixed headers', async () => {
    for (const [method, path] of [
      ['GET', '/parse/health'],
      ['GET', '/nowhere'],
      ['OPTIONS', '/parse/classes/Headed'],
    ] as const) {
      const answer = await send(`${server.url}${path}`, { method });
      assert.deepEqual(answer.names.slice(0, FIXED.length), FIXED, `${method} ${path}`);
      assert.equal(new Set(answer.names).size, answer.names.length, `${method} ${path}`);
    }
  });

  it('with listed origins, each API answer echoes its own request Origin (and says Vary)', async () => {
    for (const [origin, expected] of [
      ['https://b.example', 'https://b.example'],
      ['https://a.example', 'https://a.example'],
      ['https://evil.example', 'https://a.example'],
    ]) {
      const answer = await send(`${listed.url}/parse/classes/Headed`, {
        method: 'GET',
        headers: { ...parse, Origin: origin as string },
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['access-control-allow-origin'], expected);
      assert.equal(answer.headers['vary'], 'Origin');
      assert.equal(new Set(answer.names).size, answer.names.length);
    }
  });
});
