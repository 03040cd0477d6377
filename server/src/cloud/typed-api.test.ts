import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createLogger } from '../infra/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { CloudRegistry } from './registry.js';
import { defineFunction, createCloudAPI } from './typed-api.js';
import { withLoadingRegistry } from './load-context.js';
import { CloudRunner } from './runner.js';
import type { HookCaller } from './runner.js';

type Json = Record<string, unknown>;

describe('typed cloud API (@strata/server/cloud) over REST', () => {
  let server: TestServer;
  const events: Array<{ name: string; data: Json }> = [];
  const names = (): string[] => events.map((e) => e.name);

  before(async () => {
    server = await startTestServer({
      appName: 'Typed',
      publicServerURL: 'http://127.0.0.1:1/parse',
      cloudSetup: (registry) => {
        const cloud = createCloudAPI(registry);
        cloud.beforeSave<{ title?: string; slug?: string; draft?: boolean; due?: Date }>('Note', (request) => {
          const { object } = request;
          events.push({
            name: 'beforeSave',
            data: { dueIsDate: object.due instanceof Date, original: request.original?.title },
          });
          if (object.title === 'no') throw new Error('No notes called no.');
          object.slug = (object.title ?? '').toLowerCase();
          delete object.draft;
          if (object.due !== undefined) object.due = new Date(object.due.getTime() + 86_400_000);
          request.context['seen'] = true;
        });
        cloud.afterSave<{ title?: string }>('Note', (request) => {
          events.push({
            name: 'afterSave',
            data: { context: request.context, createdIsDate: request.object.createdAt instanceof Date },
          });
        });
        cloud.beforeFind('Note', (request) => {
          if (request.query.where['title'] === 'alias') request.query.where = { title: 'real' };
        });
        cloud.afterFind<{ title?: string }>('Note', (request) =>
          request.objects.map((object) => ({ ...object, shout: (object.title ?? '').toUpperCase() })),
        );
        cloud.beforeSave('_User', () => undefined, { requireUser: true, fields: { plan: { default: 'free' } } });
        cloud.beforeLogin((request) => {
          events.push({ name: 'beforeLogin', data: { username: request.object['username'] } });
          if (request.object['username'] === 'banned') throw 'This account is banned.';
        });
        cloud.afterLogin((request) => {
          events.push({ name: 'afterLogin', data: { user: request.user?.['username'] } });
        });
        cloud.afterLogout((request) => {
          events.push({
            name: 'afterLogout',
            data: { className: request.object.className, hasToken: 'sessionToken' in request.object },
          });
        });
        cloud.beforePasswordResetRequest((request) => {
          events.push({ name: 'beforePasswordResetRequest', data: { email: request.object['email'] } });
          if (request.object['email'] === 'nope@example.com') throw 'No resets for you.';
        });
        registry.defineTrigger({
          triggerName: 'beforeSave',
          className: '@Config',
          source: 'strata',
          handler: async (request) => {
            const params = (request.object as Json)['params'] as Json;
            events.push({ name: 'configBeforeSave', data: { params, original: (request.original as Json)['params'] } });
            if (params['forbidden'] !== undefined) throw 'That parameter is forbidden.';
            return undefined;
          },
        });
        registry.defineTrigger({
          triggerName: 'afterSave',
          className: '@Config',
          source: 'strata',
          handler: async () => {
            events.push({ name: 'configAfterSave', data: {} });
            return undefined;
          },
        });
      },
    });
  });
  after(() => server.close());
  beforeEach(() => {
    events.length = 0;
  });

  it('beforeSave changes the plain object: assignments and deletions are saved and echoed, dates are Dates', async () => {
    const r = await server.call({
      method: 'POST',
      path: '/classes/Note',
      body: { title: 'Hello', draft: true, due: { __type: 'Date', iso: '2024-01-01T00:00:00.000Z' } },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const body = r.body as Json;
    assert.equal(body['slug'], 'hello');
    assert.deepEqual(body['draft'], { __op: 'Delete' });
    assert.deepEqual(body['due'], { __type: 'Date', iso: '2024-01-02T00:00:00.000Z' });
    assert.deepEqual(names(), ['beforeSave', 'afterSave']);
    assert.equal(events[0]?.data['dueIsDate'], true);
    assert.deepEqual(events[1]?.data, { context: { seen: true }, createdIsDate: true });
    const refused = await server.call({ method: 'POST', path: '/classes/Note', body: { title: 'no' } });
    assert.deepEqual(refused.body, { code: 141, error: 'No notes called no.' });
  });

  it('beforeFind edits the query in place; afterFind maps the results', async () => {
    await server.call({ method: 'POST', path: '/classes/Note', body: { title: 'real' } });
    const r = await server.call({ path: `/classes/Note?where=${encodeURIComponent('{"title":"alias"}')}` });
    const results = (r.body as { results: Json[] }).results;
    assert.equal(results.length, 1);
    assert.equal(results[0]?.['shout'], 'REAL');
    assert.equal(typeof results[0]?.['createdAt'], 'string');
  });

  it('sign-up runs _User beforeSave: the new user counts for requireUser, and field defaults are saved', async () => {
    const r = await server.call({ method: 'POST', path: '/users', body: { username: 'sam', password: 'pw-sam' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((r.body as Json)['plan'], 'free');
    assert.equal((r.body as Json)['password'], undefined);
    const me = await server.call({
      path: '/users/me',
      headers: { 'X-Parse-Session-Token': String((r.body as Json)['sessionToken']) },
    });
    assert.equal((me.body as Json)['plan'], 'free');
  });

  it('a user updating itself runs _User beforeSave with the original; a new password is never echoed', async () => {
    const r = await server.call({ method: 'POST', path: '/users', body: { username: 'upd', password: 'pw-1' } });
    const id = String((r.body as Json)['objectId']);
    const headers = { 'X-Parse-Session-Token': String((r.body as Json)['sessionToken']) };
    const updated = await server.call({
      method: 'PUT',
      path: `/users/${id}`,
      headers,
      body: { password: 'pw-2', plan: null },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    const body = updated.body as Json;
    assert.equal(body['password'], undefined);
    assert.equal(typeof body['sessionToken'], 'string');
    // The validator's default refills the cleared field, and the change is echoed.
    assert.equal(body['plan'], 'free');
    const login = await server.call({ method: 'POST', path: '/login', body: { username: 'upd', password: 'pw-2' } });
    assert.equal(login.status, 200);
  });

  it('an authData log-in of an existing user runs beforeLogin and afterLogin too', async () => {
    const authData = { anonymous: { id: 'b1b2c3d4-0000-4000-8000-000000000001' } };
    const first = await server.call({ method: 'POST', path: '/users', body: { authData } });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    events.length = 0;
    const again = await server.call({ method: 'POST', path: '/users', body: { authData } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(names(), ['beforeLogin', 'afterLogin']);
  });

  it('beforeLogin can refuse a verified log-in (no session is created); afterLogin and afterLogout follow', async () => {
    await server.call({ method: 'POST', path: '/users', body: { username: 'banned', password: 'pw-b' } });
    const sessionsBefore = await server.call({ path: '/classes/_Session?count=1&limit=0', master: true });
    events.length = 0;
    const refused = await server.call({
      method: 'POST',
      path: '/login',
      body: { username: 'banned', password: 'pw-b' },
    });
    assert.deepEqual(refused.body, { code: 141, error: 'This account is banned.' });
    const sessionsAfter = await server.call({ path: '/classes/_Session?count=1&limit=0', master: true });
    assert.equal((sessionsAfter.body as Json)['count'], (sessionsBefore.body as Json)['count']);
    assert.deepEqual(names(), ['beforeLogin']);
    // A wrong password never reaches the trigger.
    events.length = 0;
    await server.call({ method: 'POST', path: '/login', body: { username: 'banned', password: 'wrong' } });
    assert.deepEqual(names(), []);

    await server.call({ method: 'POST', path: '/users', body: { username: 'kim', password: 'pw-kim' } });
    events.length = 0;
    const loggedIn = await server.call({
      method: 'POST',
      path: '/login',
      body: { username: 'kim', password: 'pw-kim' },
    });
    assert.equal(loggedIn.status, 200);
    assert.deepEqual(events, [
      { name: 'beforeLogin', data: { username: 'kim' } },
      { name: 'afterLogin', data: { user: 'kim' } },
    ]);
    events.length = 0;
    const out = await server.call({
      method: 'POST',
      path: '/logout',
      headers: { 'X-Parse-Session-Token': String((loggedIn.body as Json)['sessionToken']) },
    });
    assert.equal(out.status, 200);
    assert.deepEqual(events, [{ name: 'afterLogout', data: { className: '_Session', hasToken: true } }]);
  });

  it('beforePasswordResetRequest runs for an existing user and can refuse', async () => {
    await server.call({
      method: 'POST',
      path: '/users',
      body: { username: 'r1', password: 'pw', email: 'ok@example.com' },
    });
    await server.call({
      method: 'POST',
      path: '/users',
      body: { username: 'r2', password: 'pw', email: 'nope@example.com' },
    });
    events.length = 0;
    const ok = await server.call({ method: 'POST', path: '/requestPasswordReset', body: { email: 'ok@example.com' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const refused = await server.call({
      method: 'POST',
      path: '/requestPasswordReset',
      body: { email: 'nope@example.com' },
    });
    assert.deepEqual(refused.body, { code: 141, error: 'No resets for you.' });
    const unknown = await server.call({
      method: 'POST',
      path: '/requestPasswordReset',
      body: { email: 'who@example.com' },
    });
    assert.equal(unknown.status, 200);
    assert.deepEqual(names(), ['beforePasswordResetRequest', 'beforePasswordResetRequest']);
  });

  it('PUT /config runs the @Config triggers; a refusing beforeSave leaves the config unchanged', async () => {
    const saved = await server.call({ method: 'PUT', path: '/config', master: true, body: { params: { a: 1 } } });
    assert.equal(saved.status, 200);
    assert.deepEqual(names(), ['configBeforeSave', 'configAfterSave']);
    assert.deepEqual(events[0]?.data, { params: { a: 1 }, original: {} });
    const refused = await server.call({
      method: 'PUT',
      path: '/config',
      master: true,
      body: { params: { forbidden: 1 } },
    });
    assert.deepEqual(refused.body, { code: 141, error: 'That parameter is forbidden.' });
    const config = await server.call({ path: '/config' });
    assert.deepEqual((config.body as Json)['params'], { a: 1 });
  });
});

describe('typed cloud API registration', () => {
  it('module-level functions register into the registry being loaded, and refuse outside a load', async () => {
    assert.throws(() => defineFunction('outside', () => 1), /only while Strata loads your cloud code/);
    const registry = new CloudRegistry();
    withLoadingRegistry(registry, () => defineFunction<{ n: number }, number>('double', ({ params }) => params.n * 2));
    const runner = new CloudRunner({ registry, timeoutMs: 1000, logger: createLogger({ level: 'silent' }) });
    const caller: HookCaller = {
      info: { master: false, isReadOnly: false, headers: {} },
      context: {},
      log: createLogger({ level: 'silent' }),
      roleNames: () => Promise.resolve([]),
    };
    assert.deepEqual(await runner.runFunction({ name: 'double', params: { n: 21 }, caller }), { result: 42 });
  });
});
