/**
 * Security headers on every kind of answer (issue 19 item 5): API success and errors, 404s outside the
 * mount, preflights, ops endpoints, email-flow pages, file downloads, and the dashboard (static files, its
 * JSON API, a refused request). API answers may not be rendered, sniffed or framed; files keep `nosniff`
 * and lose nothing an app needs to show them (no frame or CSP block on an image or a PDF).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

describe('security headers', () => {
  let server: TestServer;

  before(async () => {
    const assets = mkdtempSync(join(tmpdir(), 'strata-headers-assets-'));
    writeFileSync(join(assets, 'index.html'), '<!doctype html><title>dash</title>');
    server = await startTestServer({ dashboardAssets: assets });
  });
  after(() => server.close());

  const get = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${server.url}${path}`, { redirect: 'manual', ...init });
  const parse = { 'X-Parse-Application-Id': APP_ID, 'X-Parse-REST-API-Key': CLIENT_KEY };

  function assertApiHeaders(response: Response, what: string): void {
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
    assert.equal(response.headers.get('x-frame-options'), 'DENY', what);
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
    assert.equal(response.headers.get('strict-transport-security'), null, `${what}: no HSTS over plain HTTP`);
  }

  it('are sent on API answers, errors, misses, preflights and ops endpoints', async () => {
    const created = await get('/parse/classes/Headed', {
      method: 'POST',
      headers: { ...parse, 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
    assert.equal(created.status, 201);
    assertApiHeaders(created, 'a create');
    assert.match(created.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const answers: Array<[string, Response]> = [
      ['a find', await get('/parse/classes/Headed', { headers: parse })],
      ['a 403 without keys', await get('/parse/classes/Headed')],
      ['bad JSON', await get('/parse/classes/Headed', { method: 'POST', headers: parse, body: '{' })],
      ['a miss outside the mount', await get('/nowhere')],
      ['a preflight', await get('/parse/classes/Headed', { method: 'OPTIONS' })],
      ['/health', await get('/health')],
      ['/parse/health', await get('/parse/health')],
      ['/ready', await get('/ready')],
    ];
    for (const [what, response] of answers) assertApiHeaders(response, what);
  });

  it('are sent on the email-flow pages, with the pages’ own CSP', async () => {
    const page = await get(`/parse/apps/${APP_ID}/request_password_reset?token=x`);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy') ?? '', /form-action 'self'/);
  });

  it('leave files showable (no frame or CSP block) but never sniffed', async () => {
    const uploaded = await get('/parse/files/picture.png', {
      method: 'POST',
      headers: { 'X-Parse-Application-Id': APP_ID, 'X-Parse-Master-Key': MASTER_KEY, 'Content-Type': 'image/png' },
      body: Buffer.from('89504e470d0a1a0a', 'hex'),
    });
    assert.equal(uploaded.status, 201, await uploaded.clone().text());
    assertApiHeaders(uploaded, 'an upload answer');
    const { url } = (await uploaded.json()) as { url: string };
    const file = await fetch(url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(file.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(file.headers.get('x-frame-options'), null);
    assert.equal(file.headers.get('content-security-policy'), null);
    const missing = await fetch(url.replace(/[^/]+$/, `${'0'.repeat(32)}_gone.png`));
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-content-type-options'), 'nosniff');
  });

  it('are sent by the dashboard: its page, its JSON API and its refusals', async () => {
    const page = await get('/dashboard/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    for (const [what, response] of [
      ['the redirect to /dashboard/', await get('/dashboard')],
      ['a session check without a cookie', await get('/dashboard/api/session')],
      ['an app call without a session', await get(`/dashboard/api/apps/${APP_ID}/classes/Headed`)],
      ['a bad sign-in', await get('/dashboard/api/session', { method: 'POST', body: '{"username":"x"}' })],
    ] as const) {
      assertApiHeaders(response, what);
    }
  });

  it('add HSTS when the request came over HTTPS through a trusted proxy', async () => {
    const proxied = await startTestServer({ trustProxy: ['127.0.0.1', '::1'] });
    try {
      const response = await fetch(`${proxied.url}/parse/health`, { headers: { 'X-Forwarded-Proto': 'https' } });
      assert.match(response.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    } finally {
      await proxied.close();
    }
  });
});
