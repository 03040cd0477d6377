/**
 * One key check, seen from the wire (security.md §2): every master-only route answers the same way for each
 * kind of caller. The master key may do everything; the read-only master key reads and never writes (119);
 * the maintenance key bypasses ACLs on data but is refused wherever the master key is explicitly required
 * (parse-server gives it no `isMaster`); a client key is refused. A refused write changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { CallOptions, TestServer } from '../testing/test-server.test-util.js';

const READ_ONLY_KEY = 'keys-read-only-master';
const MAINTENANCE_KEY = 'keys-maintenance';

type Caller = 'master' | 'readOnly' | 'maintenance' | 'client';
const CALLERS: readonly Caller[] = ['master', 'readOnly', 'maintenance', 'client'];

/** What a caller gets: `ok` (2xx), `denied` (bare 403 Permission denied), `readOnly` (400 / 119). */
type Outcome = 'ok' | 'denied' | 'readOnly';

interface RouteCase {
  readonly name: string;
  readonly call: Omit<CallOptions, 'master' | 'headers'>;
  readonly expect: Readonly<Record<Caller, Outcome>>;
}

const READ = { master: 'ok', readOnly: 'ok', maintenance: 'denied', client: 'denied' } as const;
const WRITE = { master: 'ok', readOnly: 'readOnly', maintenance: 'denied', client: 'denied' } as const;

const ROUTES: readonly RouteCase[] = [
  { name: 'GET /serverInfo', call: { path: '/serverInfo' }, expect: READ },
  { name: 'GET /schemas', call: { path: '/schemas' }, expect: READ },
  { name: 'GET /hooks/functions', call: { path: '/hooks/functions' }, expect: READ },
  { name: 'GET /hooks/triggers', call: { path: '/hooks/triggers' }, expect: READ },
  { name: 'GET /cloud_code/jobs', call: { path: '/cloud_code/jobs' }, expect: READ },
  { name: 'GET /cloud_code/jobs/data', call: { path: '/cloud_code/jobs/data' }, expect: READ },
  { name: 'GET /cloud_code/registry', call: { path: '/cloud_code/registry' }, expect: READ },
  {
    name: 'GET /aggregate/Thing',
    call: { path: `/aggregate/Thing?pipeline=${encodeURIComponent(JSON.stringify([{ $match: {} }]))}` },
    expect: READ,
  },
  { name: 'POST /jobs/hello', call: { method: 'POST', path: '/jobs/hello', body: {} }, expect: WRITE },
  {
    name: 'POST /hooks/functions',
    call: { method: 'POST', path: '/hooks/functions', body: { functionName: 'f', url: 'https://example.com/f' } },
    expect: WRITE,
  },
  {
    name: 'POST /cloud_code/jobs',
    call: { method: 'POST', path: '/cloud_code/jobs', body: { job_schedule: { jobName: 'hello' } } },
    expect: WRITE,
  },
  { name: 'PUT /config', call: { method: 'PUT', path: '/config', body: { params: { a: 1 } } }, expect: WRITE },
  { name: 'POST /schemas/Other', call: { method: 'POST', path: '/schemas/Other', body: {} }, expect: WRITE },
];

function headersOf(caller: Caller): Record<string, string> {
  switch (caller) {
    case 'master':
      return {};
    case 'readOnly':
      return { 'X-Parse-Master-Key': READ_ONLY_KEY, 'X-Parse-REST-API-Key': '' };
    case 'maintenance':
      return { 'X-Parse-Maintenance-Key': MAINTENANCE_KEY, 'X-Parse-REST-API-Key': '' };
    case 'client':
      return {};
  }
}

describe('master-only routes: one rule for every kind of key', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      readOnlyMasterKey: READ_ONLY_KEY,
      maintenanceKey: MAINTENANCE_KEY,
      cloudSetup: (registry) => {
        registry.defineJob({ name: 'hello', handler: async () => undefined, source: 'strata' });
        registry.defineFunction({ name: 'greet', handler: () => Promise.resolve({ result: 'hi' }), source: 'parse' });
        registry.defineTrigger({
          triggerName: 'beforeSave',
          className: 'Thing',
          handler: () => Promise.resolve(undefined),
          source: 'strata',
        });
      },
    });
    const created = await server.call({
      method: 'POST',
      path: '/classes/Thing',
      body: { n: 1, ACL: {} },
      master: true,
    });
    assert.equal(created.status, 201);
  });
  after(() => server.close());

  const send = (route: RouteCase, caller: Caller): ReturnType<TestServer['call']> =>
    server.call({ ...route.call, master: caller === 'master', headers: headersOf(caller) });

  for (const route of ROUTES) {
    for (const caller of CALLERS) {
      const outcome = route.expect[caller];
      it(`${route.name} as ${caller}: ${outcome}`, async () => {
        const response = await send(route, caller);
        const body = JSON.stringify(response.body);
        if (outcome === 'ok') {
          assert.ok(response.status >= 200 && response.status < 300, `${response.status} ${body}`);
        } else if (outcome === 'denied') {
          assert.deepEqual(
            { status: response.status, body: response.body },
            {
              status: 403,
              body: { error: 'Permission denied' },
            },
          );
        } else {
          assert.equal(response.status, 400, body);
          assert.equal((response.body as { code?: number }).code, 119, body);
        }
      });
    }
  }

  it('refused writes changed nothing: no hook, no schedule, no config, no class', async () => {
    const master = (path: string): Promise<unknown> => server.call({ path, master: true }).then((r) => r.body);
    // The master's own writes above succeeded exactly once each.
    assert.deepEqual(await master('/hooks/functions'), [{ functionName: 'f', url: 'https://example.com/f' }]);
    assert.equal(((await master('/cloud_code/jobs')) as unknown[]).length, 1);
    assert.deepEqual(((await master('/config')) as { params: unknown }).params, { a: 1 });
  });

  it('GET /cloud_code/registry names what cloud code registered, and nothing of its code', async () => {
    const listed = await server.call({ path: '/cloud_code/registry', master: true });
    assert.deepEqual(listed.body, {
      functions: [{ name: 'greet', source: 'parse' }],
      triggers: [{ className: 'Thing', triggerName: 'beforeSave', source: 'strata' }],
      jobs: [{ name: 'hello', source: 'strata' }],
    });
  });

  it('the maintenance key still bypasses ACLs on data (an object with an empty ACL)', async () => {
    const asMaintenance = await server.call({ path: '/classes/Thing', headers: headersOf('maintenance') });
    assert.equal((asMaintenance.body as { results: unknown[] }).results.length, 1);
    const asClient = await server.call({ path: '/classes/Thing' });
    assert.equal((asClient.body as { results: unknown[] }).results.length, 0);
  });
});

describe('files: the maintenance key is no master key there either', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ readOnlyMasterKey: READ_ONLY_KEY, maintenanceKey: MAINTENANCE_KEY });
  });
  after(() => server.close());

  const upload = (caller: Caller): Promise<{ status: number; body: unknown }> =>
    fetch(`${server.mountURL}/files/note.txt`, {
      method: 'POST',
      headers: {
        'X-Parse-Application-Id': APP_ID,
        'Content-Type': 'text/plain',
        ...(caller === 'master' ? { 'X-Parse-Master-Key': MASTER_KEY } : headersOf(caller)),
        ...(caller === 'client' ? { 'X-Parse-REST-API-Key': CLIENT_KEY } : {}),
      },
      body: 'hello',
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));

  it('uploads: the master key may; the maintenance key and a client are public callers (130); read-only → 403', async () => {
    assert.equal((await upload('master')).status, 201);
    for (const caller of ['maintenance', 'client'] as const) {
      assert.deepEqual(await upload(caller), {
        status: 400,
        body: { code: 130, error: 'File upload by public is disabled.' },
      });
    }
    assert.deepEqual(await upload('readOnly'), { status: 403, body: { code: 119, error: 'Permission denied' } });
  });

  it('deletes: the master key only; everyone else 403 / 119, and the file stays', async () => {
    const saved = (await upload('master')).body as { name: string; url: string };
    for (const caller of ['readOnly', 'maintenance', 'client'] as const) {
      const refused = await server.call({ method: 'DELETE', path: `/files/${saved.name}`, headers: headersOf(caller) });
      assert.deepEqual(
        { status: refused.status, body: refused.body },
        { status: 403, body: { code: 119, error: 'Permission denied' } },
        caller,
      );
    }
    assert.equal((await fetch(saved.url)).status, 200);
    const deleted = await server.call({ method: 'DELETE', path: `/files/${saved.name}`, master: true });
    assert.equal(deleted.status, 200);
    assert.equal((await fetch(saved.url)).status, 404);
  });
});
