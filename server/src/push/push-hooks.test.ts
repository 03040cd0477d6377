/**
 * `createApp({ pushHooks })`: `beforePush` sees the checked push and may change its data or refuse it (its
 * error reaches the caller, nothing is recorded); `afterPush` is told when the push finished. Log provider.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, ParseError } from '../errors/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import type { PushHookRequest } from './index.js';

describe('push hooks', () => {
  let server: TestServer;
  const seen: PushHookRequest[] = [];
  const finished: { pushStatusId: string; status: string }[] = [];
  before(async () => {
    server = await startTestServer({
      pushHooks: {
        beforePush: (request) => {
          seen.push(request);
          if (request.data['alert'] === 'forbidden') {
            return Promise.reject(new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'No such words.' }));
          }
          return Promise.resolve({ ...request, data: { ...request.data, stamped: true } });
        },
        afterPush: (outcome) => {
          finished.push(outcome);
          return Promise.resolve();
        },
      },
    });
  });
  after(() => server.close());

  it('beforePush changes or refuses a push; afterPush hears it finish', async () => {
    const refused = await server.call({
      method: 'POST',
      path: '/push',
      master: true,
      body: { channels: ['a'], data: { alert: 'forbidden' } },
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, { code: 141, error: 'No such words.' });
    const sent = await server.call({
      method: 'POST',
      path: '/push',
      master: true,
      body: { channels: ['a'], data: { alert: 'ok' } },
    });
    assert.equal(sent.status, 200);
    const id = sent.headers.get('x-parse-push-status-id') as string;
    const deadline = Date.now() + 30_000;
    while (!finished.some((f) => f.pushStatusId === id)) {
      assert.ok(Date.now() < deadline, 'afterPush never ran');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(finished, [{ pushStatusId: id, status: 'succeeded' }]);
    const status = (await server.call({ path: `/classes/_PushStatus/${id}`, master: true })).body as Record<
      string,
      unknown
    >;
    assert.deepEqual(JSON.parse(String(status['payload'])), { alert: 'ok', stamped: true });
    assert.deepEqual(
      seen.map((s) => s.source),
      ['rest', 'rest'],
    );
    const all = (await server.call({ path: '/classes/_PushStatus', master: true })).body as { results: unknown[] };
    assert.equal(all.results.length, 1);
  });
});
