/**
 * A LiveQuery subscription whose afterLiveQueryEvent hook falls behind loses events, not itself: past 1,000
 * events waiting for the hook, each new one is dropped (its `seq` skipped, so a resume from before it resyncs)
 * and the client gets an error frame (141) instead; once the hook catches up the subscription goes on. The
 * GraphQL door does the same (`graphql/subscription-hooks.test.ts`). The hook is held by the test, so what waits
 * and what is dropped is decided by the order of the writes, not by a clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServerWithHeldHook } from '../testing/held-live-hook.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { MAX_PENDING_HOOK_EVENTS } from './event-hooks.js';
import { LiveTestKit } from './live-kit.test-util.js';

type Json = Record<string, unknown>;

describe('LiveQuery: an afterLiveQueryEvent that falls behind', { timeout: 120_000 }, () => {
  let server: TestServer;
  const kit = new LiveTestKit(() => server);
  let release = (): void => {};
  let blocked: Promise<void>;

  before(async () => {
    ({ server, blocked, release } = await startServerWithHeldHook('Behind'));
  });
  after(async () => {
    release();
    await kit.closeAll();
    await server?.close();
  });

  it('drops the events past the bound with an error frame each, skips their seq, and goes on', async () => {
    const target = await kit.create('Behind', { n: 0 });
    const c = await kit.client();
    const start = c.frames.length;
    assert.equal((await c.subscribe(1, { className: 'Behind', where: {} })).op, 'subscribed');
    // The hook holds the first event; every later event of the subscription waits behind it, in order.
    await kit.create('Behind', { n: 1 });
    await blocked;
    // MAX_PENDING_HOOK_EVENTS updates of another object: the last of them is the first past the bound.
    const requests = Array.from({ length: MAX_PENDING_HOOK_EVENTS }, (_, i) => ({
      method: 'PUT',
      path: `/parse/classes/Behind/${target}`,
      body: { n: -i },
    }));
    const batch = await server.call({ method: 'POST', path: '/batch', body: { requests }, master: true });
    assert.equal(batch.status, 200, JSON.stringify(batch.body).slice(0, 300));
    assert.ok((batch.body as unknown[]).every((entry) => (entry as { success?: unknown }).success !== undefined));
    // Past the bound: dropped, each told.
    await kit.create('Behind', { n: 1001 });
    await kit.create('Behind', { n: 1002 });
    const errors = (): Json[] => c.frames.slice(start).filter((f) => f.op === 'error' && f['requestId'] === 1);
    await c.next(() => errors().length === 3, { from: start });
    for (const error of errors()) {
      assert.equal(error['code'], 141);
      assert.equal(error['error'], 'afterLiveQueryEvent fell behind: events were dropped');
    }

    // The hook catches up: what waited is sent in order, the dropped ones never, and new events come.
    release();
    await kit.create('Behind', { n: 2000 });
    await c.next((f) => f.op === 'create' && (f['object'] as Json)['n'] === 2000, { from: start });
    const events = c.frames
      .slice(start)
      .filter((f) => f['requestId'] === 1 && (f.op === 'create' || f.op === 'update'));
    const creates = events.filter((f) => f.op === 'create').map((f) => [f['seq'], (f['object'] as Json)['n']]);
    // A dropped event's seq is skipped when it is dropped, before the events still waiting are numbered: 1..3
    // are the three dropped, then n=1 (4), the updates that waited (5..1003), then n=2000.
    assert.deepEqual(creates, [
      [4, 1],
      [MAX_PENDING_HOOK_EVENTS + 4, 2000],
    ]);
    const updates = events.filter((f) => f.op === 'update').map((f) => f['seq'] as number);
    assert.deepEqual(
      updates,
      Array.from({ length: MAX_PENDING_HOOK_EVENTS - 1 }, (_, i) => i + 5),
    );
    assert.ok(!c.closed, 'the socket stays open');
  });
});
