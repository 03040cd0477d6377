import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCloudAPI, StrataCloudError } from '../cloud/index.js';
import type { CloudRegistry } from '../cloud/index.js';
import { APP_ID, CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;

const READ_ONLY_KEY = 'read-only-master';

function registerFunctions(registry: CloudRegistry): void {
  const cloud = createCloudAPI(registry);
  cloud.defineFunction<{ a: number; b: number; when?: Date }>('add', ({ params }) => ({
    sum: params.a + params.b,
    whenIsDate: params.when instanceof Date,
    year: params.when?.getUTCFullYear(),
  }));
  cloud.defineFunction('nothing', () => undefined);
  cloud.defineFunction('who', (request) => ({
    master: request.master,
    isReadOnly: request.isReadOnly,
    user: request.user?.['username'] ?? null,
    userCreatedAtIsDate: request.user?.createdAt instanceof Date,
    installationId: request.installationId ?? null,
    context: request.context,
    ip: request.ip,
    functionName: request.functionName,
    hasLog: typeof request.log.info === 'function',
    agent: request.headers['x-test-header'] ?? null,
  }));
  cloud.defineFunction('when', () => new Date('2024-01-02T03:04:05.000Z'));
  cloud.defineFunction('throws', () => {
    throw new Error('it broke');
  });
  cloud.defineFunction('throwsString', () => {
    throw 'a plain string';
  });
  cloud.defineFunction('rejects', () => Promise.reject(new StrataCloudError(137, 'custom code')));
  cloud.defineFunction('notFound', () => Promise.reject(new StrataCloudError(101, 'nothing here')));
  cloud.defineFunction('hangs', () => new Promise(() => undefined));
  cloud.defineFunction('falsy', () => Promise.reject(null));
  cloud.defineFunction('teapot', (request) => {
    request.status(418);
    request.header('X-Brew', 'earl grey');
    return 'short and stout';
  });
  cloud.defineFunction('badStatus', (request) => {
    request.status(42);
    return 1;
  });
  cloud.defineFunction('needsUser', () => 'ok', { requireUser: true });
  cloud.defineFunction('needsMaster', () => 'ok', { requireMaster: true });
  cloud.defineFunction('skipsMaster', () => 'ran', { skipWithMasterKey: true });
  cloud.defineFunction('validatesMaster', () => 'ok', { validateMasterKey: true, requireUser: true });
  cloud.defineFunction('listedFields', () => 'ok', { fields: ['name'] });
  cloud.defineFunction('typedFields', ({ params }) => params, {
    fields: {
      name: { type: String, required: true },
      size: { type: Number, default: 10 },
      color: { options: ['red', 'blue'] },
      shape: { options: (value: unknown) => value === 'round', error: 'Shapes must be round.' },
      tags: { type: Array },
    },
  });
  cloud.defineFunction('userKeys', () => 'ok', { requireUserKeys: ['nickname'] });
  cloud.defineFunction('anyRole', () => 'ok', { requireAnyUserRoles: ['admin', 'editor'] });
  cloud.defineFunction('allRoles', () => 'ok', { requireAllUserRoles: ['admin', 'editor'] });
  cloud.defineFunction('dynamicRoles', () => 'ok', { requireAnyUserRoles: () => Promise.resolve(['admin']) });
  cloud.defineFunction(
    'fnValidator',
    () => 'ok',
    async (request) => {
      if ((request as unknown as { params: Json }).params['ok'] !== true) throw 'Not ok.';
    },
  );
  cloud.defineFunction('limited', () => 'ok', { rateLimit: { requestCount: 2, requestTimeWindow: 60_000 } });
  cloud.defineFunction('dotted.name', () => 'dotted');
  registry.defineFunction({ name: 'bigint', source: 'strata', handler: () => Promise.resolve({ result: 10n }) });
}

describe('POST /functions/:name', () => {
  let server: TestServer;
  let token: string;
  let adminToken: string;

  before(async () => {
    server = await startTestServer({
      cloudTimeout: 300,
      readOnlyMasterKey: READ_ONLY_KEY,
      cloudSetup: registerFunctions,
    });
    const signUp = await server.call({ method: 'POST', path: '/users', body: { username: 'ada', password: 'pw-ada' } });
    token = String((signUp.body as Json)['sessionToken']);
    const admin = await server.call({
      method: 'POST',
      path: '/users',
      body: { username: 'root', password: 'pw-root', nickname: 'r' },
    });
    adminToken = String((admin.body as Json)['sessionToken']);
    const adminId = String((admin.body as Json)['objectId']);
    const role = await server.call({
      method: 'POST',
      path: '/roles',
      master: true,
      body: {
        name: 'admin',
        ACL: { '*': { read: true } },
        users: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_User', objectId: adminId }] },
      },
    });
    assert.equal(role.status, 201, JSON.stringify(role.body));
  });
  after(() => server.close());

  const call = (
    name: string,
    options: { body?: Json; query?: string; headers?: Record<string, string>; master?: boolean } = {},
  ) =>
    server.call({
      method: 'POST',
      path: `/functions/${name}${options.query ?? ''}`,
      body: options.body ?? {},
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.master === undefined ? {} : { master: options.master }),
    });
  const asUser = (sessionToken: string): Record<string, string> => ({ 'X-Parse-Session-Token': sessionToken });

  it('params are the body merged with the query string, dates decoded; the answer is {result}', async () => {
    const r = await call('add', {
      body: { a: 1, b: 5, when: { __type: 'Date', iso: '2020-05-06T00:00:00.000Z' } },
      query: '?b=2',
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { result: { sum: 3, whenIsDate: true, year: 2020 } });
    assert.deepEqual((await call('nothing')).body, {});
    assert.deepEqual((await call('when')).body, { result: { __type: 'Date', iso: '2024-01-02T03:04:05.000Z' } });
    assert.deepEqual((await call('dotted.name')).body, { result: 'dotted' });
  });

  it('an unknown function is 141 Invalid function', async () => {
    const r = await call('nope');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { code: 141, error: 'Invalid function: "nope"' });
  });

  it('the request carries the caller, the context, the ip and the headers', async () => {
    const anonymous = await call('who', {
      headers: { 'X-Parse-Cloud-Context': '{"a":1}', 'X-Parse-Installation-Id': 'inst-9', 'X-Test-Header': 'hi' },
    });
    assert.deepEqual(anonymous.body, {
      result: {
        master: false,
        isReadOnly: false,
        user: null,
        userCreatedAtIsDate: false,
        installationId: 'inst-9',
        context: { a: 1 },
        ip: '127.0.0.1',
        functionName: 'who',
        hasLog: true,
        agent: 'hi',
      },
    });
    const user = (await call('who', { headers: asUser(token) })).body as { result: Json };
    assert.equal(user.result['user'], 'ada');
    assert.equal(user.result['userCreatedAtIsDate'], true);
    const master = (await call('who', { master: true })).body as { result: Json };
    assert.equal(master.result['master'], true);
    const readOnly = (await call('who', { headers: { 'X-Parse-Master-Key': READ_ONLY_KEY } })).body as {
      result: Json;
    };
    assert.deepEqual([readOnly.result['master'], readOnly.result['isReadOnly']], [true, true]);
    // The JS SDK sends its credentials and the context in the body (`_context`).
    const bodyForm = await server.call({
      method: 'POST',
      path: '/functions/who',
      headers: { 'X-Parse-Application-Id': '', 'X-Parse-REST-API-Key': '', 'Content-Type': 'text/plain' },
      raw: JSON.stringify({ _ApplicationId: APP_ID, _JavaScriptKey: CLIENT_KEY, _context: { b: 2 } }),
    });
    assert.deepEqual((bodyForm.body as { result: Json }).result['context'], { b: 2 });
  });

  it('failures map to Parse errors (spec/cloud.md §4)', async () => {
    assert.deepEqual((await call('throws')).body, { code: 141, error: 'it broke' });
    assert.deepEqual((await call('throwsString')).body, { code: 141, error: 'a plain string' });
    const custom = await call('rejects');
    assert.equal(custom.status, 400);
    assert.deepEqual(custom.body, { code: 137, error: 'custom code' });
    const notFound = await call('notFound');
    assert.equal(notFound.status, 404);
    assert.deepEqual(notFound.body, { code: 101, error: 'nothing here' });
    assert.deepEqual((await call('falsy')).body, { code: 141, error: 'Script failed.' });
  });

  it('a function that hangs past the cloud timeout fails with 141 and the server keeps answering', async () => {
    const r = await call('hangs');
    assert.equal(r.status, 400);
    assert.equal((r.body as Json)['code'], 141);
    assert.match(String((r.body as Json)['error']), /timed out after 300 ms/);
    assert.deepEqual((await call('add', { body: { a: 1, b: 1 } })).body, { result: { sum: 2, whenIsDate: false } });
  });

  it('a function may choose the HTTP status and headers; an invalid status is a clean 141', async () => {
    const r = await call('teapot');
    assert.equal(r.status, 418);
    assert.equal(r.headers.get('x-brew'), 'earl grey');
    assert.deepEqual(r.body, { result: 'short and stout' });
    const notJSON = await call('bigint');
    assert.deepEqual(notJSON.body, { code: 141, error: 'The function returned a value that is not JSON.' });
    const bad = await call('badStatus');
    assert.equal(bad.status, 400);
    assert.equal((bad.body as Json)['code'], 141);
  });

  it('prototype keys in params are refused with 105', async () => {
    const r = await server.call({
      method: 'POST',
      path: '/functions/add',
      raw: '{"a":1,"b":2,"nested":{"__proto__":{"polluted":true}}}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(r.status, 400);
    assert.equal((r.body as Json)['code'], 105);
    assert.equal(({} as Json)['polluted'], undefined);
  });

  it('requireUser, requireMaster, skipWithMasterKey and validateMasterKey', async () => {
    assert.deepEqual((await call('needsUser')).body, {
      code: 142,
      error: 'Validation failed. Please login to continue.',
    });
    assert.deepEqual((await call('needsUser', { headers: asUser(token) })).body, { result: 'ok' });
    // Object validators are skipped for the master key unless validateMasterKey.
    assert.deepEqual((await call('needsUser', { master: true })).body, { result: 'ok' });
    assert.deepEqual((await call('validatesMaster', { master: true })).body, {
      code: 142,
      error: 'Validation failed. Please login to continue.',
    });
    assert.deepEqual((await call('needsMaster', { headers: asUser(token) })).body, {
      code: 142,
      error: 'Validation failed. Master key is required to complete this request.',
    });
    assert.deepEqual((await call('skipsMaster')).body, { result: 'ran' });
    assert.deepEqual((await call('skipsMaster', { master: true })).body, {});
  });

  it('fields: required, type, default, options (list and function, with a custom error)', async () => {
    assert.deepEqual((await call('listedFields')).body, {
      code: 142,
      error: 'Validation failed. Please specify data for name.',
    });
    assert.deepEqual((await call('typedFields', { body: { size: 3 } })).body, {
      code: 142,
      error: 'Validation failed. Please specify data for name.',
    });
    assert.deepEqual((await call('typedFields', { body: { name: 7 } })).body, {
      code: 142,
      error: 'Validation failed. Invalid type for name. Expected: string',
    });
    assert.deepEqual((await call('typedFields', { body: { name: 'n', tags: 'x' } })).body, {
      code: 142,
      error: 'Validation failed. Invalid type for tags. Expected: array',
    });
    assert.deepEqual((await call('typedFields', { body: { name: 'n', color: 'green' } })).body, {
      code: 142,
      error: 'Validation failed. Invalid option for color. Expected: red, blue',
    });
    assert.deepEqual((await call('typedFields', { body: { name: 'n', shape: 'square' } })).body, {
      code: 142,
      error: 'Shapes must be round.',
    });
    assert.deepEqual((await call('typedFields', { body: { name: 'n', color: 'red', shape: 'round' } })).body, {
      result: { name: 'n', color: 'red', shape: 'round', size: 10 },
    });
  });

  it('requireUserKeys and the role rules (roles from the role cache)', async () => {
    assert.deepEqual((await call('userKeys', { headers: asUser(token) })).body, {
      code: 142,
      error: 'Validation failed. Please set data for nickname on your account.',
    });
    assert.deepEqual((await call('userKeys', { headers: asUser(adminToken) })).body, { result: 'ok' });
    assert.deepEqual((await call('anyRole')).body, {
      code: 142,
      error: 'Validation failed. Please login to continue.',
    });
    assert.deepEqual((await call('anyRole', { headers: asUser(token) })).body, {
      code: 142,
      error: 'Validation failed. User does not match the required roles.',
    });
    assert.deepEqual((await call('anyRole', { headers: asUser(adminToken) })).body, { result: 'ok' });
    assert.deepEqual((await call('allRoles', { headers: asUser(adminToken) })).body, {
      code: 142,
      error: 'Validation failed. User does not match all the required roles.',
    });
    assert.deepEqual((await call('dynamicRoles', { headers: asUser(adminToken) })).body, { result: 'ok' });
  });

  it('a function validator runs always, before the function, and refuses with 142', async () => {
    assert.deepEqual((await call('fnValidator', { body: { ok: false } })).body, { code: 142, error: 'Not ok.' });
    assert.deepEqual((await call('fnValidator', { body: { ok: true }, master: true })).body, { result: 'ok' });
  });

  it('rateLimit: the third call in the window is refused with 429 / code 100', async () => {
    const headers = { 'X-Forwarded-For': 'ignored' };
    assert.equal((await call('limited', { headers })).status, 200);
    assert.equal((await call('limited', { headers })).status, 200);
    const third = await call('limited', { headers });
    assert.equal(third.status, 429);
    assert.deepEqual(third.body, { code: 100, error: 'Too many requests.' });
    // The master key is not limited unless includeMasterKey.
    assert.equal((await call('limited', { master: true })).status, 200);
  });
});
