import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { RawLiveClient } from './live-client.test-util.js';

// LiveQuery's cloud hooks (issue 14 item 7) with Parse's API: beforeConnect, beforeSubscribe (refuse or narrow;
// the client cannot widen it again), afterLiveQueryEvent (decorate, suppress, never bring back a hidden field),
// hook failures as error frames that leave the server and other clients alone, and the hooks running in a
// separate `live` process.

type Json = Record<string, unknown>;

const MAIN_JS = `
const seen = (globalThis.__liveHooksSeen ??= []);
Parse.Cloud.beforeConnect((request) => {
  seen.push({ hook: 'beforeConnect', event: request.event, user: request.user?.id, installationId: request.installationId,
    useMasterKey: request.useMasterKey, clients: request.clients, subscriptions: request.subscriptions,
    sessionToken: request.sessionToken });
  if (request.installationId === 'blocked') throw new Parse.Error(101, 'This device is blocked.');
  if (request.installationId === 'crash') throw new Error('boom');
});
Parse.Cloud.beforeSubscribe('Chat', (request) => {
  seen.push({ hook: 'beforeSubscribe', event: request.event, requestId: request.requestId, user: request.user?.id,
    className: request.query.className, where: request.query.toJSON().where });
  // Everyone sees the lobby only, and only the text of a message.
  request.query = Parse.Query.fromJSON('Chat', { where: { ...request.query.toJSON().where, room: 'lobby' }, keys: 'text' });
});
Parse.Cloud.beforeSubscribe('Vault', () => {
  throw new Parse.Error(119, 'The vault is closed.');
});
Parse.Cloud.beforeSubscribe('Swap', () => new Parse.Query('Swap').equalTo('kind', 'chosen'));
Parse.Cloud.afterLiveQueryEvent('Note', (request) => {
  seen.push({ hook: 'afterLiveQueryEvent', event: request.event, requestId: request.requestId,
    text: request.object.get('text'), original: request.original?.get('text') });
  if (request.object.get('hidden') === true) {
    request.sendEvent = false;
    return;
  }
  request.object.set('decorated', 'yes:' + request.event);
});
Parse.Cloud.afterLiveQueryEvent('_User', async (request) => {
  // A careless hook: fetches the whole user with the master key and sends that.
  const full = await new Parse.Query(Parse.User).get(request.object.id, { useMasterKey: true });
  full.set('decorated', 'seen');
  request.object = full;
});
Parse.Cloud.afterLiveQueryEvent('Fragile', (request) => {
  if (request.object.get('n') === 2) throw new Parse.Error(141, 'Fragile hook failed on 2.');
  if (request.object.get('n') === 3) return new Promise(() => {});
});
`;

describe('LiveQuery cloud hooks (Parse.Cloud)', () => {
  let dir: string;
  let server: TestServer;
  const clients: RawLiveClient[] = [];
  const seen = (): Json[] => ((globalThis as Json)['__liveHooksSeen'] as Json[] | undefined) ?? [];
  const open = async (): Promise<RawLiveClient> => {
    const client = await RawLiveClient.open(`${server.url}/parse`);
    clients.push(client);
    return client;
  };
  const create = async (className: string, body: Json): Promise<string> => {
    const res = await server.call({ method: 'POST', path: `/classes/${className}`, body, master: true });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return (res.body as { objectId: string }).objectId;
  };
  const signUp = async (username: string, email: string): Promise<{ token: string; id: string }> => {
    const res = await server.call({ method: 'POST', path: '/users', body: { username, password: 'pw-123456', email } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const body = res.body as { sessionToken: string; objectId: string };
    return { token: body.sessionToken, id: body.objectId };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-live-hooks-'));
    writeFileSync(join(dir, 'main.js'), MAIN_JS);
    server = await startTestServer({ cloud: join(dir, 'main.js'), cloudTimeout: 1500 });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    delete (globalThis as Json)['__liveHooksSeen'];
  });

  it('beforeConnect sees Parse request fields and refuses with its own code; a plain throw is 141', async () => {
    const ada = await signUp('ada-connect', 'ada-connect@example.com');
    const ok = await open();
    await ok.connect({
      applicationId: APP_ID,
      javascriptKey: CLIENT_KEY,
      sessionToken: ada.token,
      installationId: 'i1',
    });
    const request = seen().findLast((entry) => entry['hook'] === 'beforeConnect') as Json;
    assert.equal(request['event'], 'connect');
    assert.equal(request['user'], ada.id);
    assert.equal(request['installationId'], 'i1');
    assert.equal(request['useMasterKey'], false);
    assert.equal(request['sessionToken'], ada.token);
    assert.equal(typeof request['clients'], 'number');
    assert.equal(typeof request['subscriptions'], 'number');

    const blocked = await open();
    blocked.send({ op: 'connect', applicationId: APP_ID, javascriptKey: CLIENT_KEY, installationId: 'blocked' });
    const refused = await blocked.op('error');
    assert.deepEqual(
      { code: refused['code'], error: refused['error'], reconnect: refused['reconnect'] },
      { code: 101, error: 'This device is blocked.', reconnect: false },
    );
    // Not connected: a subscribe is answered with code 2.
    blocked.send({ op: 'subscribe', requestId: 1, query: { className: 'Chat', where: {} } });
    assert.equal((await blocked.op('error', 1))['code'], 2);

    const crash = await open();
    crash.send({ op: 'connect', applicationId: APP_ID, javascriptKey: CLIENT_KEY, installationId: 'crash' });
    const failed = await crash.op('error');
    assert.equal(failed['code'], 141);
    assert.equal(failed['error'], 'boom');
    // The server is fine: the first client still subscribes.
    assert.equal((await ok.subscribe(9, { className: 'Other', where: {} })).op, 'subscribed');
  });

  it('beforeSubscribe narrows the query, and the client cannot widen it by update', async () => {
    const client = await open();
    await client.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY });
    const sub = await client.subscribe(1, { className: 'Chat', where: {}, keys: ['secret', 'text'] });
    assert.equal(sub.op, 'subscribed');
    const request = seen().findLast((entry) => entry['hook'] === 'beforeSubscribe') as Json;
    assert.deepEqual(
      { event: request['event'], requestId: request['requestId'], className: request['className'] },
      { event: 'subscribe', requestId: 1, className: 'Chat' },
    );
    const from = client.frames.length;
    await create('Chat', { room: 'private', text: 'not for you', secret: 's1' });
    await create('Chat', { room: 'lobby', text: 'hello', secret: 's2' });
    const event = await client.op('create', 1, { from });
    const object = event['object'] as Json;
    assert.equal(object['text'], 'hello');
    assert.equal(object['secret'], undefined, 'the hook selected text only');
    assert.equal(object['room'], undefined);
    // update asks for the private room: the hook runs again and pins the lobby.
    const before = client.frames.length;
    client.send({ op: 'update', requestId: 1, query: { className: 'Chat', where: { room: 'private' } } });
    await client.op('subscribed', 1, { from: before });
    assert.equal((seen().findLast((entry) => entry['hook'] === 'beforeSubscribe') as Json)['event'], 'update');
    await create('Chat', { room: 'private', text: 'still not for you' });
    await create('Chat', { room: 'lobby', text: 'again' });
    const next = await client.op('create', 1, { from: before });
    assert.equal((next['object'] as Json)['text'], 'again');
    const events = client.frames.slice(before).filter((f) => f.op === 'create');
    assert.deepEqual(
      events.map((f) => (f['object'] as Json)['text']),
      ['again'],
    );
  });

  it('beforeSubscribe refuses with its error, or returns a replacement query', async () => {
    const client = await open();
    await client.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY });
    const refused = await client.subscribe(2, { className: 'Vault', where: {} });
    assert.deepEqual(
      { op: refused.op, code: refused['code'], error: refused['error'], reconnect: refused['reconnect'] },
      { op: 'error', code: 119, error: 'The vault is closed.', reconnect: false },
    );
    assert.equal((await client.subscribe(3, { className: 'Swap', where: { kind: 'asked' } })).op, 'subscribed');
    const from = client.frames.length;
    await create('Swap', { kind: 'asked' });
    await create('Swap', { kind: 'chosen' });
    const event = await client.op('create', 3, { from });
    assert.equal((event['object'] as Json)['kind'], 'chosen');
    assert.equal(client.frames.slice(from).filter((f) => f.op === 'create').length, 1);
  });

  it('afterLiveQueryEvent decorates and suppresses, with object and original as Parse objects', async () => {
    const client = await open();
    await client.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY });
    assert.equal((await client.subscribe(4, { className: 'Note', where: {} })).op, 'subscribed');
    const from = client.frames.length;
    const id = await create('Note', { text: 'first' });
    await create('Note', { text: 'quiet', hidden: true });
    const res = await server.call({
      method: 'PUT',
      path: `/classes/Note/${id}`,
      body: { text: 'second' },
      master: true,
    });
    assert.equal(res.status, 200);
    const update = await client.op('update', 4, { from });
    assert.equal((update['object'] as Json)['decorated'], 'yes:update');
    assert.equal((update['original'] as Json)['text'], 'first');
    const created = client.frames.slice(from).filter((f) => f.op === 'create');
    assert.deepEqual(
      created.map((f) => [(f['object'] as Json)['text'], (f['object'] as Json)['decorated']]),
      [['first', 'yes:create']],
      'the hidden note was suppressed',
    );
    // Suppressed events take no sequence number: the client sees 1, 2 without a gap.
    assert.deepEqual(
      client.frames
        .slice(from)
        .filter((f) => f['requestId'] === 4 && typeof f['seq'] === 'number')
        .map((f) => f['seq']),
      [1, 2],
    );
    const request = seen().findLast((entry) => entry['hook'] === 'afterLiveQueryEvent') as Json;
    assert.deepEqual(request, {
      hook: 'afterLiveQueryEvent',
      event: 'update',
      requestId: 4,
      text: 'second',
      original: 'first',
    });
  });

  it('afterLiveQueryEvent cannot send a field the read policy hid (protected email, keys)', async () => {
    const grace = await signUp('grace', 'grace@example.com');
    const publicRead = { '*': { read: true }, [grace.id]: { read: true, write: true } };
    const acl = await server.call({
      method: 'PUT',
      path: `/users/${grace.id}`,
      body: { ACL: publicRead },
      master: true,
    });
    assert.equal(acl.status, 200);
    const watcher = await open();
    await watcher.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY });
    assert.equal((await watcher.subscribe(5, { className: '_User', where: { objectId: grace.id } })).op, 'subscribed');
    assert.equal(
      (await watcher.subscribe(6, { className: '_User', where: { objectId: grace.id }, keys: ['username'] })).op,
      'subscribed',
    );
    const from = watcher.frames.length;
    const res = await server.call({ method: 'PUT', path: `/users/${grace.id}`, body: { nickname: 'g' }, master: true });
    assert.equal(res.status, 200);
    const all = await watcher.op('update', 5, { from });
    const object = all['object'] as Json;
    assert.equal(object['objectId'], grace.id);
    assert.equal(object['decorated'], 'seen', 'decorations pass');
    assert.equal(object['nickname'], 'g');
    assert.equal(object['email'], undefined, 'email is protected from other users');
    assert.equal((all['original'] as Json)['email'], undefined);
    const narrowed = (await watcher.op('update', 6, { from }))['object'] as Json;
    assert.equal(narrowed['decorated'], 'seen');
    assert.equal(narrowed['username'], 'grace');
    assert.equal(narrowed['email'], undefined);
    assert.equal(narrowed['nickname'], undefined, 'outside keys');
  });

  it('a throwing or hanging afterLiveQueryEvent sends an error frame and blocks nobody else', async () => {
    const fragile = await open();
    await fragile.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY });
    assert.equal((await fragile.subscribe(7, { className: 'Fragile', where: {} })).op, 'subscribed');
    const other = await open();
    await other.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY });
    assert.equal((await other.subscribe(8, { className: 'Note', where: {} })).op, 'subscribed');
    const from = fragile.frames.length;
    const otherFrom = other.frames.length;
    await create('Fragile', { n: 1 });
    await create('Fragile', { n: 2 });
    await create('Fragile', { n: 3 });
    await create('Note', { text: 'meanwhile' });
    // The other client gets its event while the Fragile hook hangs.
    const meanwhile = await other.op('create', 8, { from: otherFrom });
    assert.equal((meanwhile['object'] as Json)['text'], 'meanwhile');
    await create('Fragile', { n: 4 });
    const failed = await fragile.next((f) => f.op === 'error' && f['code'] === 141 && /on 2/.test(String(f['error'])), {
      from,
    });
    assert.equal(failed['requestId'], 7);
    const timedOut = await fragile.next((f) => f.op === 'error' && /timed out/.test(String(f['error'])), { from });
    assert.equal(timedOut['requestId'], 7);
    // After the timeout, the subscription goes on, in order.
    const fourth = await fragile.next((f) => f.op === 'create' && (f['object'] as Json)['n'] === 4, { from });
    const creates = fragile.frames.slice(from).filter((f) => f.op === 'create');
    assert.deepEqual(
      creates.map((f) => (f['object'] as Json)['n']),
      [1, 4],
    );
    assert.equal(fourth['seq'], 2);
    assert.equal(fragile.closed, undefined, 'the socket stays open');
  });

  it('master-key connections run the hooks with useMasterKey', async () => {
    const client = await open();
    await client.connect({ applicationId: APP_ID, masterKey: MASTER_KEY });
    const request = seen().findLast((entry) => entry['hook'] === 'beforeConnect') as Json;
    assert.equal(request['useMasterKey'], true);
    assert.equal(request['user'], undefined);
  });
});

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const skip =
  redisURL === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (skip !== false) console.log(`# skipping LiveQuery hooks on a separate live server: ${skip}`);

describe('LiveQuery cloud hooks on a separate live server', { skip }, () => {
  it('the live role runs beforeSubscribe and afterLiveQueryEvent for a write taken by the api role', async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    const dir = mkdtempSync(join(tmpdir(), 'strata-live-hooks-roles-'));
    writeFileSync(join(dir, 'main.js'), MAIN_JS);
    const appId = `live-hooks-${randomBytes(6).toString('hex')}`;
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    const cloud = join(dir, 'main.js');
    const api = await startTestServer({ databaseURI, redisURL, appId, role: 'api', cloud });
    const live = await startTestServer({ databaseURI, redisURL, appId, role: 'live', cloud });
    const client = await RawLiveClient.open(`${live.url}/parse`);
    try {
      await client.connect({ applicationId: appId, javascriptKey: CLIENT_KEY });
      assert.equal((await client.subscribe(1, { className: 'Chat', where: {} })).op, 'subscribed');
      assert.equal((await client.subscribe(2, { className: 'Note', where: {} })).op, 'subscribed');
      const headers = { 'X-Parse-Application-Id': appId };
      for (const [className, body] of [
        ['Chat', { room: 'private', text: 'no' }],
        ['Chat', { room: 'lobby', text: 'yes' }],
        ['Note', { text: 'n' }],
      ] as const) {
        const res = await api.call({ method: 'POST', path: `/classes/${className}`, headers, body, master: true });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
      const chat = await client.op('create', 1);
      assert.deepEqual(chat['object'], { ...(chat['object'] as Json), text: 'yes' });
      assert.equal((chat['object'] as Json)['room'], undefined);
      const note = await client.op('create', 2);
      assert.equal((note['object'] as Json)['decorated'], 'yes:create');
      assert.equal(client.frames.filter((f) => f.op === 'create' && f['requestId'] === 1).length, 1);
    } finally {
      await client.close();
      await Promise.all([api.close(), live.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
