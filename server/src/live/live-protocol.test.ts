import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { RawLiveClient } from './live-client.test-util.js';

// The LiveQuery protocol with raw frames (spec/livequery.md): connect, subscribe, update, unsubscribe, the five
// events with their decision table, keys / fields / watch, and the protocol's errors.

type Json = Record<string, unknown>;

describe('LiveQuery protocol (raw frames)', () => {
  let server: TestServer;
  const clients: RawLiveClient[] = [];
  const open = async (path = '/parse'): Promise<RawLiveClient> => {
    const client = await RawLiveClient.open(`${server.url}${path}`);
    clients.push(client);
    return client;
  };
  const connected = async (fields: Json = {}): Promise<RawLiveClient> => {
    const client = await open();
    await client.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY, ...fields });
    return client;
  };
  const create = async (className: string, body: Json): Promise<string> => {
    const res = await server.call({ method: 'POST', path: `/classes/${className}`, body, master: true });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return (res.body as { objectId: string }).objectId;
  };
  const update = async (className: string, id: string, body: Json): Promise<void> => {
    const res = await server.call({ method: 'PUT', path: `/classes/${className}/${id}`, body, master: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const destroy = async (className: string, id: string): Promise<void> => {
    const res = await server.call({ method: 'DELETE', path: `/classes/${className}/${id}`, master: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  it('connects on any path and echoes the installationId', async () => {
    const client = await open('/any/path/at/all');
    const frame = await client.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY, installationId: 'inst-1' });
    assert.equal(typeof frame['clientId'], 'string');
    assert.equal(frame['installationId'], 'inst-1');
    const sub = await client.subscribe(1, { className: 'Room', where: {} });
    assert.equal(sub.op, 'subscribed');
    assert.equal(sub['installationId'], 'inst-1');
    assert.equal(sub['clientId'], frame['clientId']);
  });

  it('refuses wrong keys with code 4 and subscribe before connect with code 2', async () => {
    const client = await open();
    client.send({ op: 'subscribe', requestId: 1, query: { className: 'Room', where: {} } });
    const early = await client.op('error');
    assert.equal(early['code'], 2);
    assert.equal(early['requestId'], 1);
    client.send({ op: 'connect', applicationId: APP_ID, javascriptKey: 'wrong' });
    const wrongKey = await client.next((f) => f.op === 'error' && f['code'] === 4);
    assert.equal(wrongKey['error'], 'Key in request is not valid');
    client.send({ op: 'connect', applicationId: 'other-app', javascriptKey: CLIENT_KEY });
    await client.next((f) => f.op === 'error' && f['code'] === 4, { from: client.frames.indexOf(wrongKey) + 1 });
  });

  it('answers invalid frames with code 1 and the validator message', async () => {
    const client = await connected();
    const cases: Array<[unknown, string]> = [
      [{ op: 'foo' }, 'No enum match for: "foo"'],
      [{ op: 'connect', applicationId: APP_ID, extra: 1 }, 'Additional properties not allowed'],
      [
        { op: 'subscribe', requestId: 3, query: { className: 'Room', where: {}, bad: 1 } },
        'Additional properties not allowed',
      ],
      [
        { op: 'subscribe', requestId: 'x', query: { className: 'Room', where: {} } },
        'Invalid type: string (expected number)',
      ],
      [{ op: 'subscribe', requestId: 4, query: { className: 'Room' } }, 'Missing required property: where'],
      [
        { op: 'subscribe', requestId: 5, query: { className: 'Room', where: {}, keys: [] } },
        'Array is too short (0), minimum 1',
      ],
      ['not json', 'Malformed JSON'],
      [[1, 2], 'Invalid type: expected object'],
      [{}, 'Missing required property: op'],
    ];
    for (const [frame, message] of cases) {
      const from = client.frames.length;
      client.send(frame);
      const error = await client.op('error', undefined, { from });
      assert.equal(error['code'], 1, JSON.stringify(frame));
      assert.equal(error['error'], message);
      assert.equal(error['reconnect'], true);
    }
  });

  it('sends create, update, leave, enter and delete by the decision table', async () => {
    const client = await connected();
    assert.equal((await client.subscribe(7, { className: 'Msg', where: { room: 'lobby' } })).op, 'subscribed');
    const from = client.frames.length;
    await create('Msg', { room: 'other', text: 'not for us' });
    const id = await create('Msg', { room: 'lobby', text: 'hi' });
    const created = await client.op('create', 7, { from });
    assert.deepEqual(pick(created['object'], ['className', 'objectId', 'room', 'text']), {
      className: 'Msg',
      objectId: id,
      room: 'lobby',
      text: 'hi',
    });
    assert.equal(typeof (created['object'] as Json)['createdAt'], 'string');
    assert.equal(created['original'], undefined);
    await update('Msg', id, { text: 'edited' });
    const updated = await client.op('update', 7, { from });
    assert.equal((updated['object'] as Json)['text'], 'edited');
    assert.equal((updated['original'] as Json)['text'], 'hi');
    await update('Msg', id, { room: 'attic' });
    const left = await client.op('leave', 7, { from });
    assert.equal((left['object'] as Json)['room'], 'attic');
    assert.equal((left['original'] as Json)['room'], 'lobby');
    await update('Msg', id, { room: 'lobby' });
    const entered = await client.op('enter', 7, { from });
    assert.equal((entered['object'] as Json)['room'], 'lobby');
    assert.equal((entered['original'] as Json)['room'], 'attic');
    await destroy('Msg', id);
    const deleted = await client.op('delete', 7, { from });
    assert.equal((deleted['object'] as Json)['objectId'], id);
    // Exactly these five, in this order (the first create did not match), and each carries a growing seq.
    const events = client.frames.slice(from).filter((f) => f['requestId'] === 7);
    assert.deepEqual(
      events.map((f) => f.op),
      ['create', 'update', 'leave', 'enter', 'delete'],
    );
    assert.deepEqual(
      events.map((f) => f['seq']),
      [1, 2, 3, 4, 5],
    );
  });

  it('keys (and Android fields) limit the object; watch limits updates', async () => {
    const client = await connected();
    await client.subscribe(1, { className: 'Keyed', where: {}, keys: ['a'] });
    await client.subscribe(2, { className: 'Keyed', where: {}, fields: ['b'] });
    await client.subscribe(3, { className: 'Keyed', where: {}, watch: ['a'] });
    const from = client.frames.length;
    const id = await create('Keyed', { a: 1, b: 2, c: 3 });
    const one = await client.op('create', 1, { from });
    // Created with the master key and no ACL: no ACL field; only the requested key besides the object's own.
    assert.deepEqual(Object.keys(one['object'] as Json).sort(), [
      'a',
      'className',
      'createdAt',
      'objectId',
      'updatedAt',
    ]);
    const two = await client.op('create', 2, { from });
    assert.equal((two['object'] as Json)['b'], 2);
    assert.equal((two['object'] as Json)['a'], undefined);
    await client.op('create', 3, { from });
    await update('Keyed', id, { b: 20 });
    await update('Keyed', id, { a: 10 });
    const watched = await client.op('update', 3, { from });
    assert.equal((watched['object'] as Json)['a'], 10, 'the change of b was not announced to the watcher of a');
  });

  it('update replaces the query; unsubscribe stops it; unknown requestId is code 2', async () => {
    const client = await connected();
    await client.subscribe(1, { className: 'Swap', where: { tag: 'x' } });
    let from = client.frames.length;
    client.send({ op: 'update', requestId: 1, query: { className: 'Swap', where: { tag: 'y' } } });
    await client.op('subscribed', 1, { from });
    from = client.frames.length;
    await create('Swap', { tag: 'x' });
    const y = await create('Swap', { tag: 'y' });
    const event = await client.op('create', 1, { from });
    assert.equal((event['object'] as Json)['objectId'], y);
    assert.equal(client.frames.slice(from).filter((f) => f.op === 'create').length, 1);
    client.send({ op: 'unsubscribe', requestId: 1 });
    await client.op('unsubscribed', 1);
    client.send({ op: 'unsubscribe', requestId: 1 });
    const error = await client.op('error', 1);
    assert.equal(error['code'], 2);
  });

  it('delivers 100 rapid updates of one object as 100 events in order', async () => {
    const client = await connected();
    const id = await create('Counter', { n: 0 });
    await client.subscribe(1, { className: 'Counter', where: { objectId: id } });
    const from = client.frames.length;
    await Promise.all(
      Array.from({ length: 100 }, () =>
        server.call({
          method: 'PUT',
          path: `/classes/Counter/${id}`,
          body: { n: { __op: 'Increment', amount: 1 } },
          master: true,
        }),
      ),
    );
    await client.next((f) => f.op === 'update' && (f['object'] as Json)['n'] === 100, { from });
    const updates = client.frames.slice(from).filter((f) => f.op === 'update');
    assert.deepEqual(
      updates.map((f) => (f['object'] as Json)['n']),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      updates.map((f) => (f['original'] as Json)['n']),
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('a master-key client sees objects nobody else can', async () => {
    const master = await connected({ masterKey: MASTER_KEY });
    const anon = await connected();
    await master.subscribe(1, { className: 'Secret', where: {} });
    await anon.subscribe(1, { className: 'Secret', where: {} });
    const fromM = master.frames.length;
    const fromA = anon.frames.length;
    await create('Secret', { v: 1, ACL: {} });
    const publicId = await create('Secret', { v: 2 });
    const seen = await master.op('create', 1, { from: fromM });
    assert.equal((seen['object'] as Json)['v'], 1);
    const anonSeen = await anon.op('create', 1, { from: fromA });
    assert.equal((anonSeen['object'] as Json)['objectId'], publicId, 'the private object was not sent first');
  });

  it('resume: a client whose socket dropped gets the events it missed, in order; an unknown one is told to resync', async () => {
    const first = await connected();
    const subscribed = await first.subscribe(1, { className: 'Resumable', where: {} });
    const subscriptionId = subscribed['subscriptionId'] as string;
    assert.equal(typeof subscriptionId, 'string');
    const from = first.frames.length;
    await create('Resumable', { n: 1 });
    const seen = await first.op('create', 1, { from });
    assert.equal(seen['seq'], 1);
    first.socket.terminate();
    // Written while the client is away (the server may or may not have seen the drop yet).
    const missed = [await create('Resumable', { n: 2 }), await create('Resumable', { n: 3 })];
    const second = await connected();
    const start = second.frames.length;
    const answer = await second.subscribe(
      5,
      { className: 'Resumable', where: {} },
      { resume: { subscriptionId, seq: 1 } },
    );
    assert.equal(answer.op, 'subscribed');
    assert.equal(answer['subscriptionId'], subscriptionId);
    const replayed = second.frames.slice(start).filter((f) => f.op === 'create');
    assert.deepEqual(
      replayed.map((f) => [f['requestId'], f['seq'], (f['object'] as Json)['objectId']]),
      [
        [5, 2, missed[0]],
        [5, 3, missed[1]],
      ],
    );
    // And it goes on live, numbered after them.
    await create('Resumable', { n: 4 });
    const next = await second.next((f) => f.op === 'create' && f['seq'] === 4, { from: start });
    assert.equal(next['requestId'], 5);

    const third = await connected();
    const resync = await third.subscribe(
      1,
      { className: 'Resumable', where: {} },
      { resume: { subscriptionId: 'not-a-subscription', seq: 3 } },
    );
    assert.equal(resync.op, 'subscribed');
    assert.notEqual(resync['subscriptionId'], subscriptionId);
    assert.ok(third.frames.some((f) => f.op === 'resync' && f['requestId'] === 1));
  });
});

function pick(value: unknown, keys: string[]): Json {
  const record = value as Json;
  return Object.fromEntries(keys.map((k) => [k, record[k]]));
}
