/**
 * The dashboard's server side through real HTTP: sign-in (bcrypt, TOTP, rate limit), the session cookie and
 * CSRF token, sign-out, and the app API that forwards to REST with the master key or the read-only master
 * key. The attacker cases use only what a browser on another page could send.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcrypt';
import { MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { newTotpSecret, totpCode } from './totp.js';
import type { DashboardUser } from './users.js';

const READ_ONLY_KEY = 'test-read-only-master-key';

describe('dashboard sign-in and app API', () => {
  let server: TestServer;
  let users: DashboardUser[];
  const totpSecret = newTotpSecret();
  const hash = (password: string): string => bcrypt.hashSync(password, 4);

  before(async () => {
    const assets = mkdtempSync(join(tmpdir(), 'strata-dashboard-assets-'));
    writeFileSync(join(assets, 'index.html'), '<!doctype html><title>dash</title>');
    users = [
      { username: 'admin', passwordHash: hash('admin-password') },
      { username: 'viewer', passwordHash: hash('viewer-password'), readOnly: true },
      { username: 'otp', passwordHash: hash('otp-password'), totpSecret },
      { username: 'limited', passwordHash: hash('limited-password'), apps: ['some-other-app'] },
    ];
    server = await startTestServer({
      readOnlyMasterKey: READ_ONLY_KEY,
      passwordHashCost: 4,
      dashboardUsers: () => users,
      dashboardAssets: assets,
    });
  });
  after(() => server.close());

  const dash = async (
    path: string,
    init: { method?: string; body?: unknown; cookie?: string; csrf?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers; text: string }> => {
    const response = await fetch(`${server.url}/dashboard${path}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(init.cookie === undefined ? {} : { Cookie: init.cookie }),
        ...(init.csrf === undefined ? {} : { 'X-CSRF-Token': init.csrf }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // HTML or empty
    }
    return { status: response.status, body, headers: response.headers, text };
  };

  const signIn = async (username: string, password: string, totp?: string) => {
    const answer = await dash('/api/session', {
      method: 'POST',
      body: { username, password, ...(totp === undefined ? {} : { totp }) },
    });
    const setCookie = answer.headers.get('set-cookie') ?? '';
    return {
      ...answer,
      setCookie,
      cookie: setCookie.split(';')[0] ?? '',
      csrf: String(answer.body['csrfToken'] ?? ''),
    };
  };

  it('serves the app with a strict content security policy', async () => {
    const redirect = await dash('');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), '/dashboard/');
    const page = await dash('/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>dash<\/title>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(
      (await dash('/../../package.json')).status === 200 && (await dash('/../../package.json')).text.includes('"name"'),
      false,
    );
    assert.equal((await dash('/assets/missing.js')).status, 404);
  });

  it('signs in with a bcrypt password: HttpOnly SameSite cookie, CSRF token, and no key in the answer', async () => {
    const wrong = await signIn('admin', 'nope-nope');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.setCookie, '');
    const unknown = await signIn('ghost', 'admin-password');
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body['error'], wrong.body['error'], 'unknown user and wrong password read the same');

    const ok = await signIn('admin', 'admin-password');
    assert.equal(ok.status, 200);
    assert.match(ok.setCookie, /HttpOnly/);
    assert.match(ok.setCookie, /SameSite=Strict/);
    assert.match(ok.setCookie, /Path=\/dashboard/);
    assert.equal(ok.body['readOnly'], false);
    assert.ok(ok.csrf.length > 20);
    assert.ok(!ok.text.includes(MASTER_KEY) && !ok.text.includes(READ_ONLY_KEY), 'no key reaches the browser');
    const apps = ok.body['apps'] as Array<Record<string, unknown>>;
    assert.deepEqual(
      apps.map((a) => [a['appId'], a['local']]),
      [['test-app', true]],
    );

    const me = await dash('/api/session', { cookie: ok.cookie });
    assert.equal(me.status, 200);
    assert.equal(me.body['username'], 'admin');
    assert.equal(me.body['csrfToken'], ok.csrf);
  });

  it('acts with the master key through REST: reads, and writes that carry the CSRF token', async () => {
    const { cookie, csrf } = await signIn('admin', 'admin-password');
    const created = await dash('/api/apps/test-app/classes/DashThing', {
      method: 'POST',
      body: { name: 'one' },
      cookie,
      csrf,
    });
    assert.equal(created.status, 201);
    const read = await dash(`/api/apps/test-app/classes/DashThing/${String(created.body['objectId'])}`, { cookie });
    assert.equal(read.body['name'], 'one');
    // Master-only: only works because the server added the master key.
    const schemas = await dash('/api/apps/test-app/schemas/DashThing', { cookie });
    assert.equal(schemas.status, 200);
    assert.equal(schemas.body['className'], 'DashThing');
  });

  it('refuses writes without the CSRF token, a forged cookie, and no cookie at all', async () => {
    const { cookie, csrf } = await signIn('admin', 'admin-password');
    const noToken = await dash('/api/apps/test-app/classes/DashCsrf', { method: 'POST', body: { a: 1 }, cookie });
    assert.equal(noToken.status, 403);
    const wrongToken = await dash('/api/apps/test-app/classes/DashCsrf', {
      method: 'POST',
      body: { a: 1 },
      cookie,
      csrf: `${csrf}x`,
    });
    assert.equal(wrongToken.status, 403);
    // A text/plain form post from another page (the JS SDK body form, with the master key in it) is refused too.
    const formPost = await fetch(`${server.url}/dashboard/api/apps/test-app/classes/DashCsrf`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Cookie: cookie },
      body: JSON.stringify({ _method: 'POST', a: 1 }),
    });
    assert.equal(formPost.status, 403);
    const [payload, mac] = cookie.split('=')[1]?.split('.') ?? [];
    const forgedPayload = Buffer.from(
      JSON.stringify({ username: 'admin', nonce: 'x', expiresAt: Date.now() + 1e9, passwordTag: 'x' }),
    ).toString('base64url');
    assert.equal(
      (await dash('/api/apps/test-app/schemas', { cookie: `strata_dashboard=${forgedPayload}.${mac}` })).status,
      401,
    );
    assert.equal(
      (await dash('/api/apps/test-app/schemas', { cookie: `strata_dashboard=${payload}.AAAA` })).status,
      401,
    );
    assert.equal((await dash('/api/apps/test-app/schemas')).status, 401);
    // Nothing was written.
    const count = await server.call({ path: '/classes/DashCsrf?count=1&limit=0', master: true });
    assert.equal((count.body as { count?: number }).count ?? 0, 0);
  });

  it('drops Parse credentials the browser sends and refuses paths outside the mount', async () => {
    const { cookie } = await signIn('admin', 'admin-password');
    const withJunk = await dash('/api/apps/test-app/schemas', {
      cookie,
      headers: {
        'X-Parse-Session-Token': 'r:not-a-real-token',
        'X-Parse-Master-Key': 'wrong',
        'X-Parse-Application-Id': 'other',
      },
    });
    assert.equal(withJunk.status, 200, 'the browser cannot swap the key or add a stale session');
    // Sent raw: fetch would resolve the dot segments itself before the server saw them.
    const raw = (path: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const { hostname, port } = new URL(server.url);
        const req = request({ hostname, port, path: `/dashboard${path}`, headers: { Cookie: cookie } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    for (const path of [
      '/api/apps/test-app/%2e%2e/%2e%2e/etc',
      '/api/apps/test-app/../../etc',
      '/api/apps/test-app/x/%2F..%2Fy',
      '/api/apps/test-app//evil.example/x',
    ]) {
      assert.equal(await raw(path), 400, path);
    }
    assert.equal((await dash('/api/apps/unknown-app/schemas', { cookie })).status, 404);
    assert.equal((await dash('/api/whatever', { cookie })).status, 404);
  });

  it('a read-only user reads with the read-only master key and cannot write anything', async () => {
    const viewer = await signIn('viewer', 'viewer-password');
    assert.equal(viewer.status, 200);
    assert.equal(viewer.body['readOnly'], true);
    assert.equal((await dash('/api/apps/test-app/schemas', { cookie: viewer.cookie })).status, 200);
    const write = await dash('/api/apps/test-app/classes/DashReadOnly', {
      method: 'POST',
      body: { a: 1 },
      cookie: viewer.cookie,
      csrf: viewer.csrf,
    });
    assert.equal(write.status, 400);
    assert.equal(write.body['code'], 119);
    const schema = await dash('/api/apps/test-app/schemas/DashReadOnly', {
      method: 'POST',
      body: { className: 'DashReadOnly' },
      cookie: viewer.cookie,
      csrf: viewer.csrf,
    });
    assert.notEqual(schema.status, 200);
    assert.equal(
      (await server.call({ path: '/schemas/DashReadOnly', master: true })).status,
      400,
      'no class was created',
    );
  });

  it("browses as a user with that user's own session: their ACLs and CLPs, never the master key", async () => {
    const signUp = async (username: string): Promise<string> => {
      const created = await server.call({ method: 'POST', path: '/users', body: { username, password: 'pw-12345' } });
      return String((created.body as { objectId: string }).objectId);
    };
    const carol = await signUp('carol');
    const dave = await signUp('dave');
    await server.call({
      method: 'POST',
      path: '/schemas/Diary',
      master: true,
      body: {
        className: 'Diary',
        classLevelPermissions: {
          find: { requiresAuthentication: true },
          get: { requiresAuthentication: true },
          create: { '*': true },
          update: { '*': true },
          delete: {},
          addField: {},
          count: { requiresAuthentication: true },
        },
      },
    });
    for (const [text, owner] of [
      ['carol wrote', carol],
      ['dave wrote', dave],
    ] as const) {
      await server.call({
        method: 'POST',
        path: '/classes/Diary',
        master: true,
        body: { text, ACL: { [owner]: { read: true, write: true } } },
      });
    }
    const { cookie, csrf } = await signIn('admin', 'admin-password');
    const asCarol = await dash(`/api/apps/test-app/as/${carol}/classes/Diary`, { cookie });
    assert.equal(asCarol.status, 200, asCarol.text);
    assert.deepEqual(
      (asCarol.body['results'] as Array<{ text: string }>).map((r) => r.text),
      ['carol wrote'],
    );
    // The same view with the master key sees both; as carol, master-only routes are refused.
    const asMaster = await dash('/api/apps/test-app/classes/Diary', { cookie });
    assert.equal((asMaster.body['results'] as unknown[]).length, 2);
    const schemas = await dash(`/api/apps/test-app/as/${carol}/schemas`, { cookie });
    assert.equal(schemas.status, 403);
    // Carol cannot change dave's entry (his ACL): 101, nothing changed.
    const daveEntry = (asMaster.body['results'] as Array<{ objectId: string; text: string }>).find(
      (r) => r.text === 'dave wrote',
    );
    const write = await dash(`/api/apps/test-app/as/${carol}/classes/Diary/${daveEntry?.objectId}`, {
      method: 'PUT',
      cookie,
      csrf,
      body: { text: 'carol was here' },
    });
    assert.equal(write.body['code'], 101);
    assert.equal(
      ((await server.call({ path: `/classes/Diary/${daveEntry?.objectId}`, master: true })).body as { text: string })
        .text,
      'dave wrote',
    );
    // The session is opened once and reused; its token never reaches the browser.
    await dash(`/api/apps/test-app/as/${carol}/classes/Diary`, { cookie });
    const sessions = await server.call({
      path: `/classes/_Session?where=${encodeURIComponent(JSON.stringify({ user: { __type: 'Pointer', className: '_User', objectId: carol } }))}&keys=sessionToken`,
      master: true,
    });
    const tokens = (sessions.body as { results: Array<{ sessionToken: string }> }).results.map((r) => r.sessionToken);
    assert.equal(tokens.length, 2, 'the sign-up session and one dashboard session');
    for (const token of tokens) assert.ok(!asCarol.text.includes(token) && !write.text.includes(token));
    // An unknown user is the app's 101; a read-only dashboard user may not open a session; no cookie: 401.
    const ghost = await dash('/api/apps/test-app/as/noSuchUser1/classes/Diary', { cookie });
    assert.deepEqual([ghost.status, ghost.body['code']], [400, 101]);
    const viewer = await signIn('viewer', 'viewer-password');
    assert.equal((await dash(`/api/apps/test-app/as/${carol}/classes/Diary`, { cookie: viewer.cookie })).status, 403);
    assert.equal((await dash(`/api/apps/test-app/as/${carol}/classes/Diary`)).status, 401);
    // A write as the user still needs the CSRF token.
    const forged = await dash(`/api/apps/test-app/as/${carol}/classes/Diary`, {
      method: 'POST',
      cookie,
      body: { text: 'forged' },
    });
    assert.equal(forged.status, 403);
  });

  it('asks for a TOTP code when the user has a secret', async () => {
    const missing = await signIn('otp', 'otp-password');
    assert.equal(missing.status, 401);
    assert.equal(missing.body['totpRequired'], true);
    assert.equal(
      (await signIn('otp', 'otp-password', '000000')).status === 200,
      totpCode({ secret: totpSecret, atMs: Date.now() }) === '000000',
    );
    const ok = await signIn('otp', 'otp-password', totpCode({ secret: totpSecret, atMs: Date.now() }));
    assert.equal(ok.status, 200);
  });

  it('limits a user to their apps', async () => {
    const limited = await signIn('limited', 'limited-password');
    assert.deepEqual(limited.body['apps'], []);
    assert.equal((await dash('/api/apps/test-app/schemas', { cookie: limited.cookie })).status, 404);
    // A malformed escape in the app id names no app (found by test/adversarial/fuzz-doors.test.ts: it was a 500).
    for (const app of ['%', '%E0%A4%A', 'a%zz']) {
      const answer = await dash(`/api/apps/${app}/schemas`, { cookie: limited.cookie });
      assert.equal(answer.status, 404, app);
      assert.equal(answer.body['error'], 'Unknown app.');
    }
  });

  it('signing out revokes the cookie, and so do a new password and a removed user', async () => {
    const first = await signIn('admin', 'admin-password');
    const out = await dash('/api/session', { method: 'DELETE', cookie: first.cookie, csrf: first.csrf });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal(
      (await dash('/api/apps/test-app/schemas', { cookie: first.cookie })).status,
      401,
      'the old cookie is dead',
    );

    const second = await signIn('admin', 'admin-password');
    users = users.map((u) => (u.username === 'admin' ? { ...u, passwordHash: hash('a-new-password') } : u));
    assert.equal(
      (await dash('/api/session', { cookie: second.cookie })).status,
      401,
      'a changed password ends sessions',
    );
    const third = await signIn('admin', 'a-new-password');
    assert.equal(third.status, 200);
    users = users.filter((u) => u.username !== 'admin');
    assert.equal((await dash('/api/session', { cookie: third.cookie })).status, 401, 'a removed user is signed out');
  });

  it('rate-limits sign-in attempts per username', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn('viewer', `wrong-${i}`)).status);
    assert.ok(statuses.includes(429), `expected a 429 among ${statuses.join(',')}`);
    assert.equal((await signIn('viewer', 'viewer-password')).status, 429, 'even the right password waits');
  });
});

describe('dashboard without users', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ dashboardAssets: mkdtempSync(join(tmpdir(), 'strata-dash-empty-')) });
  });
  after(() => server.close());

  it('tells the page that the first user must be created, and says how to build a missing bundle', async () => {
    const session = await fetch(`${server.url}/dashboard/api/session`);
    assert.equal(session.status, 401);
    assert.deepEqual(await session.json(), { error: 'Not signed in.', needsSetup: true });
    const page = await fetch(`${server.url}/dashboard/`);
    assert.equal(page.status, 404);
  });
});
