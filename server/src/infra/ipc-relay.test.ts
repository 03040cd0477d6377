import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipcCluster as cluster, turns } from '../testing/ipc-cluster.test-util.js';
import { createIpcPubSub } from './pubsub-ipc.js';
import type { PubSub } from './pubsub.js';

describe('IPC relay with interest (the primary of --workers N)', () => {
  it('sends a message with a topic only to the other workers that want it, one without a topic to all', async () => {
    const { workers, relayed } = cluster(3);
    const [a, b, c] = workers as [PubSub, PubSub, PubSub];
    const heard: string[] = [];
    for (const [name, worker] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      await worker.subscribe('changes', (m) => heard.push(`${name}:${m}`));
    }
    await b.interest?.declare('changes', ['Doc']);
    await c.interest?.declare('changes', []);
    await a.interest?.declare('changes', []);
    assert.equal(a.interest?.wanted('changes', 'Doc'), true);
    assert.equal(a.interest?.wanted('changes', 'Other'), false);
    assert.equal(b.interest?.wanted('changes', 'Doc'), false);
    await a.publish('changes', 'doc-1', { topic: 'Doc' });
    await a.publish('changes', 'other-1', { topic: 'Other' });
    await a.publish('changes', 'plain');
    await turns();
    assert.deepEqual(heard.sort(), ['a:plain', 'b:doc-1', 'b:plain', 'c:plain']);
    assert.deepEqual(
      relayed.map((seen) => seen.length),
      [1, 2, 1],
    );
  });

  it('a worker that has not declared gets every topic, and the others send it everything', async () => {
    const { workers } = cluster(2);
    const [a, b] = workers as [PubSub, PubSub];
    const heard: string[] = [];
    await b.subscribe('changes', (m) => heard.push(m));
    await a.interest?.declare('changes', []);
    await turns();
    assert.equal(a.interest?.wanted('changes', 'Anything'), true);
    await a.publish('changes', 'x', { topic: 'Anything' });
    await turns();
    assert.deepEqual(heard, ['x']);
  });

  it('a declaration resolves only once every other worker applies it, even one made equal by an earlier one', async () => {
    // Worker a is slow to read what the relay sends it.
    const { workers } = cluster(3, { lag: new Map([[0, 20]]) });
    const [a, b, c] = workers as [PubSub, PubSub, PubSub];
    await Promise.all(workers.map((w) => w.interest?.declare('changes', [])));
    assert.equal(a.interest?.wanted('changes', 'Doc'), false);
    // b and c both ask for Doc before a has applied either: c's declaration changes nothing for a (the primary
    // already told it), yet must wait for a's answer to the message that did.
    const seenAtResolve: Array<boolean | undefined> = [];
    await Promise.all([
      b.interest?.declare('changes', ['Doc']).then(() => seenAtResolve.push(a.interest?.wanted('changes', 'Doc'))),
      c.interest?.declare('changes', ['Doc']).then(() => seenAtResolve.push(a.interest?.wanted('changes', 'Doc'))),
    ]);
    assert.deepEqual(seenAtResolve, [true, true]);
  });

  it('a worker removed (dead) no longer holds its topics, nor keeps a declaration waiting', async () => {
    const { workers, relay } = cluster(3);
    const [a, b] = workers as [PubSub, PubSub, PubSub];
    await Promise.all(workers.map((w) => w.interest?.declare('changes', [])));
    await b.interest?.declare('changes', ['Doc']);
    assert.equal(a.interest?.wanted('changes', 'Doc'), true);
    relay.remove(1);
    await turns();
    assert.equal(a.interest?.wanted('changes', 'Doc'), false);
    // Worker 2 never answers once removed; a declaration of a's must not wait for it.
    relay.remove(2);
    await a.interest?.declare('changes', ['Doc']);
  });

  it('a worker that joins later is told what the others want once it speaks (before, it may not be listening)', async () => {
    const { workers, relay } = cluster(1);
    const [a] = workers as [PubSub];
    await a.interest?.declare('changes', ['_Role']);
    // Just forked: what the relay sends it now is lost, as before a process attaches its IPC listener.
    const listeners = new Set<(message: unknown) => void>();
    relay.add(1, (message) => {
      for (const listener of [...listeners]) setImmediate(() => listener(message));
    });
    await turns();
    const b = createIpcPubSub({
      send: (message) => setImmediate(() => relay.receive(1, message)),
      listen: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    assert.equal(b.interest?.wanted('changes', 'Doc'), true, 'told nothing yet: it sends everything');
    assert.equal(a.interest?.wanted('changes', 'Doc'), true, 'the newcomer wants everything until it declares');
    await b.interest?.declare('changes', ['_Role']);
    assert.equal(b.interest?.wanted('changes', 'Doc'), false);
    assert.equal(b.interest?.wanted('changes', '_Role'), true);
    await turns();
    assert.equal(a.interest?.wanted('changes', 'Doc'), false);
  });
});
