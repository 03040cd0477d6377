import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

/** Log-in / sign-up rate limits (429) on an injected clock, and session revocation across two servers. */

type Json = Record<string, unknown>;
const TOO_MANY = { status: 429, body: { code: 100, error: 'Too many requests.' } };

describe('auth rate limits (memory)', () => {
  let server: TestServer;
  let time = Date.parse('2030-01-01T00:00:00.000Z');
  before(async () => {
    server = await startTestServer({
      passwordHashCost: 4,
      authRateLimit: 5,
      authRateLimitAccount: 2,
      authRateLimitWindow: 60,
      now: () => new Date(time),
    });
  });
  after(() => server.close());

  const login = async (username: string) => {
    const r = await server.call({ method: 'POST', path: '/login', body: { username, password: 'wrong' } });
    return { status: r.status, body: r.body };
  };

  it('per account: the third attempt in a window answers 429, a new window allows again', async () => {
    assert.equal((await login('victim')).status, 404);
    assert.equal((await login('VICTIM')).status, 404, 'accounts are counted ignoring case');
    assert.deepEqual(await login('victim'), TOO_MANY);
    time += 60_000;
    assert.equal((await login('victim')).status, 404);
  });

  it('per IP: log-ins and sign-ups share one budget per window', async () => {
    time += 60_000;
    for (const name of ['a', 'b', 'c']) assert.equal((await login(name)).status, 404);
    const signUp = (username: string) =>
      server.call({ method: 'POST', path: '/users', body: { username, password: 'p' } });
    assert.equal((await signUp('d')).status, 201);
    assert.equal((await signUp('e')).status, 201);
    const over = await signUp('f');
    assert.deepEqual({ status: over.status, body: over.body }, TOO_MANY);
  });
});

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const redisSkip =
  redisURL === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (redisSkip !== false) console.log(`session revocation across servers skipped: ${redisSkip}`);

describe('session revocation across two servers sharing Redis', { skip: redisSkip }, () => {
  let a: TestServer;
  let b: TestServer;
  let dir = '';
  before(async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    // A random app id keeps this run's channels apart from any other run sharing the Redis.
    const appId = `sessions-${Math.random().toString(36).slice(2)}`;
    dir = mkdtempSync(join(tmpdir(), 'strata-shared-'));
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    a = await startTestServer({ passwordHashCost: 4, redisURL, appId, databaseURI });
    b = await startTestServer({ passwordHashCost: 4, redisURL, appId, databaseURI });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a log-out on one server makes the token fail on the other, whose cache had it', async () => {
    const signUp = await a.call({
      method: 'POST',
      path: '/users',
      body: { username: 'shared', password: 'p' },
    });
    const token = (signUp.body as Json)['sessionToken'] as string;
    const me = (server: TestServer) => server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': token } });
    assert.equal((await me(b)).status, 200, 'server B resolves and caches the session');
    // The eviction travels over Redis as the session's delete event on the change feed. B's session cache
    // subscribed when B started, before this listener, and drops the token synchronously as the event is
    // delivered: once this listener has the event, B's cache no longer has the token. Without the event B
    // would keep answering 200 from its cache for the cache's 30 s lifetime.
    let stop = (): void => undefined;
    const revokedOnB = new Promise<void>((resolve) => {
      stop = b.changes.subscribe(
        (event) => {
          if (event.className === '_Session' && event.op === 'delete' && event.before.fields['sessionToken'] === token)
            resolve();
        },
        { from: 'remote' },
      );
    });
    await a.call({ method: 'POST', path: '/logout', headers: { 'X-Parse-Session-Token': token } });
    await revokedOnB;
    stop();
    const answer = await me(b);
    assert.deepEqual(answer.body, { code: 209, error: 'Invalid session token' });
  });
});

describe('password reset requests share the rate limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ passwordHashCost: 4, authRateLimit: 0, authRateLimitAccount: 1 });
  });
  after(() => server.close());

  it('the second reset request for one email in a window answers 429', async () => {
    const reset = () =>
      server.call({ method: 'POST', path: '/requestPasswordReset', body: { email: 'someone@example.com' } });
    assert.notEqual((await reset()).status, 429);
    const over = await reset();
    assert.deepEqual({ status: over.status, body: over.body }, TOO_MANY);
  });
});
