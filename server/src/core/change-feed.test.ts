import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, createMemoryPubSub } from '../infra/index.js';
import { Bytes, GeoPoint, ParseFile, Pointer, Polygon } from '../schema/index.js';
import type { StoredObject } from '../storage/index.js';
import { changeMessagePrefix, decodeChange, encodeChange } from './change-codec.js';
import type { ChangeEvent, UpdateEvent } from './change-event.js';
import { publicState } from './change-event.js';
import { ChangeBus } from './change-feed.js';
import type { CommittedChange } from './change-sink.js';

const logger = createLogger({ level: 'silent' });
const T0 = new Date('2025-03-01T10:00:00.000Z');
const T1 = new Date('2025-03-01T10:00:01.000Z');

function state(objectId: string, fields: StoredObject['fields'], at = T0): StoredObject {
  return { objectId, createdAt: T0, updatedAt: at, ACL: { '*': { read: true }, u1: { write: true } }, fields };
}

function update(objectId: string, n: number): CommittedChange<UpdateEvent> {
  return {
    event: {
      id: `${objectId}-${n}`,
      className: 'Doc',
      op: 'update',
      objectId,
      at: T1,
      before: state(objectId, { n: n - 1 }),
      after: state(objectId, { n }, T1),
    },
    write: {},
  };
}

/** Resolves once `events()` holds `count` entries (events from another bus arrive asynchronously). */
async function waitFor(events: () => readonly unknown[], count: number): Promise<void> {
  for (let i = 0; i < 200 && events().length < count; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(events().length, count, `expected ${count} events, got ${events().length}`);
}

describe('change feed: delivery in one process', () => {
  it('a synchronous subscriber has the event before publish returns, in publish order', async () => {
    const bus = await ChangeBus.create({ logger });
    const seen: number[] = [];
    bus.subscribe((event) => {
      seen.push(event.after?.fields['n'] as number);
    });
    for (let n = 1; n <= 3; n++) {
      bus.publish(update('a', n));
      assert.equal(seen.length, n, 'delivered inside publish');
    }
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('an async subscriber gets one event at a time, in order; a failing one loses only that event', async () => {
    const bus = await ChangeBus.create({ logger });
    const log: string[] = [];
    let running = 0;
    bus.subscribe(async (event) => {
      running++;
      assert.equal(running, 1, 'never two events at once');
      const n = event.after?.fields['n'] as number;
      await new Promise((r) => setTimeout(r, 5 - n));
      log.push(`slow:${n}`);
      running--;
    });
    bus.subscribe((event) => {
      const n = event.after?.fields['n'] as number;
      if (n === 2) throw new Error('subscriber bug');
      log.push(`fast:${n}`);
    });
    for (let n = 1; n <= 4; n++) bus.publish(update('a', n));
    await waitFor(() => log.filter((l) => l.startsWith('slow')), 4);
    assert.deepEqual(
      log.filter((l) => l.startsWith('slow')),
      ['slow:1', 'slow:2', 'slow:3', 'slow:4'],
    );
    assert.deepEqual(
      log.filter((l) => l.startsWith('fast')),
      ['fast:1', 'fast:3', 'fast:4'],
    );
  });

  it('unsubscribing stops delivery; a subscriber too far behind drops new events', async () => {
    const bus = await ChangeBus.create({ logger, maxPending: 2 });
    const kept: number[] = [];
    let release = (): void => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    bus.subscribe(async (event) => {
      kept.push(event.after?.fields['n'] as number);
      await gate;
    });
    const stopped: number[] = [];
    const stop = bus.subscribe((event) => {
      stopped.push(event.after?.fields['n'] as number);
    });
    bus.publish(update('a', 1)); // taken at once, the subscriber now waits on the gate
    stop();
    for (let n = 2; n <= 5; n++) bus.publish(update('a', n)); // 2 and 3 wait, 4 and 5 are dropped
    release();
    await waitFor(() => kept, 3);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(kept, [1, 2, 3]);
    assert.deepEqual(stopped, [1]);
  });

  it('a transaction buffer publishes on commit, in order, with settle reactions only where the operation settled', async () => {
    const bus = await ChangeBus.create({ logger });
    const seen: string[] = [];
    bus.subscribe((event) => {
      seen.push(`event:${String(event.after?.fields['n'])}`);
    });
    bus.addReaction('commit', (change) => {
      seen.push(`commit:${String(change.event.after?.fields['n'])}`);
      return Promise.resolve();
    });
    bus.addReaction('settle', (change) => {
      seen.push(`settle:${String(change.event.after?.fields['n'])}`);
      return Promise.resolve({ fromSettle: true });
    });
    const tx = bus.begin();
    const first = update('a', 1);
    const second = update('b', 2);
    tx.publish(first);
    assert.deepEqual(await tx.react(first, 'commit'), {});
    assert.deepEqual(await tx.react(first, 'settle'), {}, 'an after-trigger cannot answer inside a transaction');
    const nested = tx.begin();
    nested.publish(second);
    await nested.commit();
    assert.deepEqual(seen, [], 'nothing before the commit');
    await tx.commit();
    assert.deepEqual(seen, ['event:1', 'event:2', 'commit:1', 'settle:1', 'commit:2']);

    const rolledBack = bus.begin();
    rolledBack.publish(update('c', 3));
    // A rolled-back transaction's buffer is never committed: nothing reaches the feed.
    assert.equal(seen.length, 5);
    assert.deepEqual(await bus.react(update('d', 4), 'settle'), { fromSettle: true });
  });

  it('writes to one key run one after another; other keys do not wait', async () => {
    const bus = await ChangeBus.create({ logger });
    const order: string[] = [];
    let releaseFirst = (): void => {};
    const first = bus.inOrder('Doc\u0000a', async () => {
      await new Promise<void>((r) => {
        releaseFirst = r;
      });
      order.push('a1');
    });
    const second = bus.inOrder('Doc\u0000a', () => {
      order.push('a2');
      return Promise.resolve();
    });
    await bus.inOrder('Doc\u0000b', () => {
      order.push('b1');
      return Promise.resolve();
    });
    releaseFirst();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['b1', 'a1', 'a2']);
  });
});

describe('change feed: across servers', () => {
  it('every server gets the others’ changes, never its own twice; `from` filters local and remote', async () => {
    const pubsub = createMemoryPubSub();
    const a = await ChangeBus.create({ logger, pubsub });
    const b = await ChangeBus.create({ logger, pubsub });
    const seen: Record<string, string[]> = { aAll: [], aLocal: [], aRemote: [], bAll: [], bRemote: [] };
    const note = (key: string) => (event: ChangeEvent) => {
      seen[key]?.push(`${event.objectId}:${String(event.after?.fields['n'])}`);
    };
    a.subscribe(note('aAll'));
    a.subscribe(note('aLocal'), { from: 'local' });
    a.subscribe(note('aRemote'), { from: 'remote' });
    b.subscribe(note('bAll'));
    b.subscribe(note('bRemote'), { from: 'remote' });
    a.publish(update('x', 1));
    b.publish(update('y', 7));
    a.publish(update('x', 2));
    await waitFor(() => seen['bRemote'] ?? [], 2);
    await waitFor(() => seen['aRemote'] ?? [], 1);
    assert.deepEqual(seen['aLocal'], ['x:1', 'x:2']);
    assert.deepEqual(seen['aRemote'], ['y:7']);
    assert.deepEqual(seen['aAll'], ['x:1', 'x:2', 'y:7']);
    assert.deepEqual(seen['bRemote'], ['x:1', 'x:2']);
    assert.deepEqual(seen['bAll'], ['y:7', 'x:1', 'x:2']);
    a.close();
    b.close();
  });

  it('an unreadable message is dropped, not delivered and not fatal', async () => {
    const pubsub = createMemoryPubSub();
    const bus = await ChangeBus.create({ logger, pubsub });
    const seen: ChangeEvent[] = [];
    bus.subscribe((event) => {
      seen.push(event);
    });
    await pubsub.publish('changes', 'not json');
    await pubsub.publish('changes', JSON.stringify({ v: 99 }));
    await pubsub.publish('changes', JSON.stringify({ v: 1, server: 's', className: 'A', objectId: 'x', op: 'update' }));
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(seen, []);
  });
});

describe('change feed: the wire form', () => {
  it('round-trips every value type, the ACL and the timestamps', () => {
    const fields: StoredObject['fields'] = {
      text: 'hi',
      n: 1.5,
      flag: false,
      nothing: null,
      when: new Date('2024-01-02T03:04:05.678Z'),
      owner: new Pointer('_User', 'u1'),
      place: new GeoPoint(48.85, 2.35),
      area: new Polygon([
        [0, 0],
        [0, 1],
        [1, 1],
        [0, 0],
      ]),
      file: new ParseFile('abc_photo.png'),
      bytes: new Bytes('aGVsbG8='),
      nested: { list: [1, 'two', new Date('2020-01-01T00:00:00.000Z'), { deep: new Pointer('Doc', 'd1') }] },
      __op: 'plain data',
    };
    const events: ChangeEvent[] = [
      { id: 'c1', className: 'Doc', op: 'create', objectId: 'o1', at: T0, after: state('o1', fields) },
      {
        id: 'c2',
        className: 'Doc',
        op: 'update',
        objectId: 'o1',
        at: T1,
        before: state('o1', fields),
        after: state('o1', {}),
      },
      {
        id: 'c3',
        className: 'Doc',
        op: 'delete',
        objectId: 'o1',
        at: T1,
        before: { objectId: 'o1', fields: { n: 2 } },
      },
    ];
    for (const event of events) {
      const text = encodeChange({ server: 's1', event });
      const decoded = decodeChange(text);
      assert.equal(decoded.server, 's1');
      assert.deepStrictEqual(decoded.event, event);
      // A server skips its own relayed messages by this prefix, unparsed: it must name the publisher alone.
      assert.ok(text.startsWith(changeMessagePrefix('s1')));
      assert.ok(!text.startsWith(changeMessagePrefix('s')));
      assert.ok(!encodeChange({ server: 's10', event }).startsWith(changeMessagePrefix('s1')));
    }
  });

  it('a message from a server older than change ids gets an id every receiver derives alike', () => {
    const event: UpdateEvent = update('o1', 2).event;
    const withoutId = JSON.parse(encodeChange({ server: 's1', event })) as Record<string, unknown>;
    delete withoutId['id'];
    const legacy = JSON.stringify(withoutId);
    const first = decodeChange(legacy).event;
    assert.equal(decodeChange(legacy).event.id, first.id, 'the same on every receiver');
    assert.notEqual(first.id, event.id);
    assert.deepStrictEqual({ ...first, id: event.id }, event);
    // Another write of the object at another time, or by another server, is another change.
    const later = JSON.stringify({ ...withoutId, at: '2025-03-01T10:00:01.001Z' });
    assert.notEqual(decodeChange(later).event.id, first.id);
    const elsewhere = JSON.stringify({ ...withoutId, server: 's2' });
    assert.notEqual(decodeChange(elsewhere).event.id, first.id);
  });

  it('events never carry internal fields; an object without any is not copied', () => {
    const plain = state('p', { name: 'x' });
    assert.equal(publicState(plain), plain);
    const user = state('u', { username: 'ann', email: 'a@x.io', _hashed_password: 'h', _email_verify_token: 't' });
    assert.deepStrictEqual(publicState(user).fields, { username: 'ann', email: 'a@x.io' });
    assert.deepStrictEqual(publicState(user).ACL, user.ACL);
  });
});
