/**
 * A GraphQL subscription whose afterLiveQueryEvent hook falls behind loses events, not itself: past 1,000 events
 * waiting for the hook, each new one is dropped and the subscriber gets its error (141) instead, and once the hook
 * catches up the subscription goes on, as on the LiveQuery door (`live/event-hooks.ts`). Real server, real
 * `graphql-ws` client; the hook is held by the test, so what waits and what is dropped is decided by the order of
 * the writes, not by a clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { startServerWithHeldHook } from '../testing/held-live-hook.test-util.js';
import { APP_ID, CLIENT_KEY } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

/** The GraphQL door's bound on events waiting for afterLiveQueryEvent (README, "GraphQL subscriptions"). */
const MAX_WAITING = 1000;

type Outcome =
  | { kind: 'next'; result: FormattedExecutionResult<Record<string, unknown>, unknown> }
  | { kind: 'error'; error: unknown }
  | { kind: 'end' };

describe('GraphQL subscriptions: an afterLiveQueryEvent that falls behind', { timeout: 120_000 }, () => {
  let server: TestServer;
  let client: Client;
  let release = (): void => {};
  let blocked: Promise<void>;

  before(async () => {
    ({ server, blocked, release } = await startServerWithHeldHook('GqlBehind'));
    client = createClient({
      url: `${server.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { 'X-Parse-Application-Id': APP_ID, 'X-Parse-Javascript-Key': CLIENT_KEY },
      retryAttempts: 0,
      lazy: false,
    });
  });
  after(async () => {
    release();
    await client?.dispose();
    await server?.close();
  });

  const create = async (fields: Record<string, unknown>): Promise<string> => {
    const created = await server.call({ method: 'POST', path: '/classes/GqlBehind', body: fields });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return (created.body as { objectId: string }).objectId;
  };

  it('drops the events past the bound with an error each, and the subscription goes on', async () => {
    // The class exists before the subscription names it.
    await create({ n: 0 });
    const outcomes: Outcome[] = [];
    let wake = (): void => {};
    const push = (outcome: Outcome): void => {
      outcomes.push(outcome);
      wake();
    };
    client.subscribe(
      { query: 'subscription { onCreateGqlBehind { n } }' },
      {
        next: (result) => push({ kind: 'next', result }),
        error: (error) => push({ kind: 'error', error }),
        complete: () => push({ kind: 'end' }),
      },
    );
    let taken = 0;
    const next = async (): Promise<Outcome> => {
      while (taken >= outcomes.length) await new Promise<void>((resolve) => (wake = resolve));
      return outcomes[taken++] as Outcome;
    };
    const n = (outcome: Outcome): unknown =>
      outcome.kind === 'next'
        ? (outcome.result.data?.['onCreateGqlBehind'] as { n?: unknown } | undefined)?.n
        : undefined;
    /** The next outcome that is not a probe's or the target's create (n <= 0). */
    const nextReal = async (): Promise<Outcome> => {
      for (;;) {
        const outcome = await next();
        const value = n(outcome);
        if (typeof value === 'number' && value <= 0) continue;
        return outcome;
      }
    };
    // graphql-transport-ws has no "subscribed" message: probes are written until one arrives.
    for (let attempt = 0; outcomes.length === 0; attempt++) {
      assert.ok(attempt < 200, 'the subscription never delivered a probe');
      await create({ n: -attempt });
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), delay(250)]);
    }
    const target = await create({ n: 0 });

    // The hook holds the first real event; every later event of the class waits behind it, in order.
    await create({ n: 1 });
    await blocked;
    // MAX_WAITING updates of another object (not sent on onCreate, but waiting for the hook all the same): the
    // last of them is the first past the bound.
    const requests = Array.from({ length: MAX_WAITING }, (_, i) => ({
      method: 'PUT',
      path: `/parse/classes/GqlBehind/${target}`,
      body: { n: -i },
    }));
    const batch = await server.call({ method: 'POST', path: '/batch', body: { requests }, master: true });
    assert.equal(batch.status, 200, JSON.stringify(batch.body).slice(0, 300));
    assert.ok((batch.body as unknown[]).every((entry) => (entry as { success?: unknown }).success !== undefined));
    // Past the bound: dropped, each told.
    await create({ n: 1001 });
    await create({ n: 1002 });
    for (let dropped = 0; dropped < 3; dropped++) {
      const outcome = await nextReal();
      assert.equal(
        outcome.kind,
        'next',
        `a dropped event is one result with an error, not the end: ${JSON.stringify(outcome)}`,
      );
      const errors = outcome.kind === 'next' ? (outcome.result.errors ?? []) : [];
      assert.equal(errors.length, 1, JSON.stringify(outcome));
      assert.equal(errors[0]?.extensions?.['code'], 141);
      assert.equal(errors[0]?.message, 'afterLiveQueryEvent fell behind: events were dropped');
    }

    // The hook catches up: what waited is sent, the dropped creates are not, and new events come.
    release();
    await create({ n: 2000 });
    const rest: unknown[] = [];
    for (;;) {
      const outcome = await nextReal();
      assert.equal(outcome.kind, 'next', JSON.stringify(outcome));
      rest.push(n(outcome));
      if (n(outcome) === 2000) break;
    }
    assert.deepEqual(rest, [1, 2000]);
  });
});
