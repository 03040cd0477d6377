import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket as NodeWebSocket } from 'ws';
import { createClient } from './index.js';
import type { LiveEvent, LiveSubscription, WebSocketConstructor } from './index.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

// query.subscribe() against a real server over real WebSockets (`ws`, as Node 20 has no global WebSocket):
// typed events, a socket killed mid-stream that loses no event (resume by seq), AbortSignal, refusals.

interface Todo {
  title: string;
  done: boolean;
  n?: number;
}

/** `ws`'s WebSocket, remembering every socket it opened so a test can kill one. */
const opened: NodeWebSocket[] = [];
class TrackedWebSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url);
    opened.push(this);
  }
}
const WebSocket = TrackedWebSocket as unknown as WebSocketConstructor;

/** Reads events from a subscription's iterator until `count` arrived (fails after `ms`). */
async function take<R>(iterator: AsyncIterator<LiveEvent<R>>, count: number, ms = 15_000): Promise<LiveEvent<R>[]> {
  const out: LiveEvent<R>[] = [];
  const deadline = Date.now() + ms;
  while (out.length < count) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`only ${out.length} of ${count} events: ${JSON.stringify(out)}`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    const next = await Promise.race([iterator.next(), timeout]).finally(() => clearTimeout(timer));
    if (next.done === true) break;
    out.push(next.value);
  }
  return out;
}

describe('query.subscribe() (LiveQuery)', () => {
  let server: SdkTestServer;
  const subscriptions: Array<LiveSubscription<unknown>> = [];
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    for (const subscription of subscriptions) subscription.close();
    await server.close();
  });

  const clients = () => {
    const options = { serverURL: server.serverURL, appId: APP_ID, WebSocket };
    return {
      reader: createClient({ ...options, clientKey: CLIENT_KEY }),
      admin: createClient({ ...options, masterKey: MASTER_KEY }),
    };
  };

  it('streams typed create, update, leave, enter and delete events', async () => {
    const { reader, admin } = clients();
    const live = reader.collection<Todo>('Todo').query().equalTo('done', false).subscribe();
    subscriptions.push(live as LiveSubscription<unknown>);
    await live.ready;
    const events = live[Symbol.asyncIterator]();
    const todos = admin.collection<Todo>('Todo');
    const { objectId } = await todos.create({ title: 'milk', done: false });
    await todos.update(objectId, { title: 'oat milk' });
    await todos.update(objectId, { done: true });
    await todos.update(objectId, { done: false });
    await todos.delete(objectId);
    const got = await take(events, 5);
    assert.deepEqual(
      got.map((event) => event.type),
      ['create', 'update', 'leave', 'enter', 'delete'],
    );
    const [created, updated] = got;
    assert.ok(created?.type === 'create');
    assert.equal(created.object.title, 'milk');
    assert.ok(created.object.createdAt instanceof Date, 'dates are decoded like find results');
    assert.ok(updated?.type === 'update');
    assert.equal(updated.original.title, 'milk');
    assert.equal(updated.object.title, 'oat milk');
    assert.deepEqual(
      got.map((event) => event.seq),
      [1, 2, 3, 4, 5],
    );
  });

  it('a socket killed mid-stream loses no event: it reconnects and resumes in order', async () => {
    const { reader, admin } = clients();
    const live = reader.collection<Todo>('Stream').query().subscribe();
    subscriptions.push(live as LiveSubscription<unknown>);
    let opens = 0;
    live.on('open', () => opens++);
    let resyncs = 0;
    live.on('resync', () => resyncs++);
    await live.ready;
    const socket = opened.at(-1) as NodeWebSocket;
    const events = live[Symbol.asyncIterator]();
    const stream = admin.collection<Todo>('Stream');
    for (let n = 1; n <= 10; n++) await stream.create({ title: `t${n}`, done: false, n });
    const first = await take(events, 10);
    // Killed without a close handshake, while writes go on: the events in between wait on the server.
    socket.terminate();
    for (let n = 11; n <= 30; n++) await stream.create({ title: `t${n}`, done: false, n });
    const rest = await take(events, 20);
    const all = [...first, ...rest];
    assert.deepEqual(
      all.map((event) => event.object.n),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      all.map((event) => event.seq),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.equal(resyncs, 0);
    assert.ok(opens >= 2, `subscribed again after the reconnect (open ${opens} times)`);
    assert.ok(opened.at(-1) !== socket, 'a new socket');
  });

  it('listeners get the objects; an AbortSignal unsubscribes and ends the iteration', async () => {
    const { reader, admin } = clients();
    const controller = new AbortController();
    const live = reader.collection<Todo>('Signal').query().subscribe({ signal: controller.signal });
    const titles: string[] = [];
    live.on('create', (todo) => titles.push(todo.title));
    let closed = false;
    live.on('close', () => (closed = true));
    await live.ready;
    const events = live[Symbol.asyncIterator]();
    await admin.collection<Todo>('Signal').create({ title: 'one', done: false });
    await take(events, 1);
    assert.deepEqual(titles, ['one']);
    controller.abort();
    assert.equal(closed, true);
    assert.equal((await events.next()).done, true);
    await admin.collection<Todo>('Signal').create({ title: 'two', done: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(titles, ['one'], 'nothing after the abort');
  });

  it('a refused subscription rejects ready with the server code', async () => {
    const { reader, admin } = clients();
    await admin.request({
      method: 'POST',
      path: '/schemas/Locked',
      body: { className: 'Locked', classLevelPermissions: { find: {}, get: {} } },
    });
    const live = reader.collection('Locked').query().subscribe();
    let error: unknown;
    live.on('error', (err) => (error = err));
    await assert.rejects(live.ready, (err: unknown) => (err as { code?: number }).code === 119);
    assert.equal((error as { code?: number }).code, 119);
  });

  it('keys and watch narrow what is sent', async () => {
    const { reader, admin } = clients();
    const live = reader
      .collection<Todo>('Narrow')
      .query()
      .select('title')
      .subscribe({ watch: ['title'] });
    subscriptions.push(live as LiveSubscription<unknown>);
    await live.ready;
    const events = live[Symbol.asyncIterator]();
    const narrow = admin.collection<Todo>('Narrow');
    const { objectId } = await narrow.create({ title: 'a', done: false });
    await narrow.update(objectId, { done: true });
    await narrow.update(objectId, { title: 'b' });
    const got = await take(events, 2);
    assert.deepEqual(
      got.map((event) => [event.type, event.object.title, (event.object as Partial<Todo>).done]),
      [
        ['create', 'a', undefined],
        ['update', 'b', undefined],
      ],
    );
  });
});
