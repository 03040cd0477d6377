/**
 * Cloud code's `beforePush` / `afterPush` (issue 16 item 6), registered with Strata's typed API (the same
 * registry `Parse.Cloud.beforePush` fills; test/compat/push.test.ts drives that one): beforePush sees the
 * sender and the checked push, changes it (re-checked like a request body: a hook cannot send an invalid
 * push), refuses it with its own Parse error, a hung hook times out with 141, a validator guards it;
 * nothing is recorded when refused; a client key never reaches the hook. afterPush hears the status id and
 * counts once; its failure is only logged. Hooks are listed by `/cloud_code/registry`. Log provider.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCloudAPI, StrataCloudError } from '../cloud/index.js';
import type { AfterPushContext, BeforePushContext } from '../cloud/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;

describe('push cloud hooks (beforePush / afterPush)', () => {
  let server: TestServer;
  const seen: BeforePushContext[] = [];
  const finished: AfterPushContext[] = [];
  const embedderSaw: Json[] = [];
  before(async () => {
    server = await startTestServer({
      cloudTimeout: 1500,
      readOnlyMasterKey: 'push-read-only',
      pushHooks: {
        // The embedder's hook runs after cloud code's: it sees what cloud code changed.
        beforePush: (request) => {
          embedderSaw.push(request.data);
          return Promise.resolve(undefined);
        },
      },
      cloudSetup: (registry) => {
        const cloud = createCloudAPI(registry);
        cloud.beforePush(
          async (request) => {
            seen.push(request);
            const alert = request.push.data['alert'];
            if (alert === 'forbidden') throw new StrataCloudError(142, 'That word is not allowed in a push.');
            if (alert === 'hang') await new Promise((r) => setTimeout(r, 5000));
            if (alert === 'break it') return { ...request.push, data: { ...request.push.data, badge: 'lots' } };
            if (alert === 'to vips') return { where: { channels: 'vip' }, data: { alert: 'VIPs only' } };
            request.push.data['checked'] = true;
            return undefined;
          },
          // Validators skip master-key requests unless told otherwise (Parse's rule), and a push is always one.
          { validateMasterKey: true, fields: { alert: { type: String, required: true } } },
        );
        cloud.afterPush((request) => {
          finished.push(request);
          if (request.numSent === 1) throw new Error('afterPush failing on purpose');
        });
      },
    });
    for (const [id, channels] of [
      ['inst-a', ['news']],
      ['inst-b', ['news', 'vip']],
      ['inst-c', ['other']],
    ] as const) {
      const r = await server.call({
        method: 'POST',
        path: '/installations',
        body: { installationId: id, deviceType: 'android', deviceToken: `token-${id}`, channels },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });
  after(() => server.close());

  const send = (body: Json, options: { master?: boolean; headers?: Record<string, string> } = {}) =>
    server.call({ method: 'POST', path: '/push', master: options.master ?? true, body, ...options });
  const statuses = async (): Promise<Json[]> =>
    ((await server.call({ path: '/classes/_PushStatus', master: true })).body as { results: Json[] }).results;
  const finishedOf = async (id: string): Promise<AfterPushContext> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const found = finished.find((f) => f.pushStatusId === id);
      if (found !== undefined) return found;
      assert.ok(Date.now() < deadline, `afterPush never ran for ${id}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('beforePush sees the sender and the checked push, and its change is what is sent', async () => {
    const sent = await send({ channels: ['news'], data: { alert: 'hello' }, expiration_interval: 3600 });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const id = sent.headers.get('x-parse-push-status-id') as string;
    const request = seen.at(-1) as BeforePushContext;
    assert.equal(request.master, true);
    assert.equal(request.source, 'rest');
    assert.deepEqual(request.push, {
      where: { channels: { $in: ['news'] } },
      data: { alert: 'hello', checked: true },
      expiration_interval: 3600,
    });
    assert.equal(typeof request.headers['x-parse-application-id'], 'string');
    const done = await finishedOf(id);
    assert.equal(done.status, 'succeeded');
    assert.equal(done.numSent, 2);
    assert.equal(done.numFailed, 0);
    assert.deepEqual(done.sentPerType, { android: 2 });
    assert.equal(done.master, true);
    const status = (await server.call({ path: `/classes/_PushStatus/${id}`, master: true })).body as Json;
    assert.deepEqual(JSON.parse(String(status['payload'])), { alert: 'hello', checked: true });
    assert.equal(status['expiration_interval'], 3600);
    assert.deepEqual(embedderSaw.at(-1), { alert: 'hello', checked: true });
  });

  it('a returned push replaces the audience; afterPush failing is only logged', async () => {
    const sent = await send({ channels: ['news'], data: { alert: 'to vips' } });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const id = sent.headers.get('x-parse-push-status-id') as string;
    const done = await finishedOf(id);
    assert.equal(done.numSent, 1, 'only inst-b is on vip');
    const status = (await server.call({ path: `/classes/_PushStatus/${id}`, master: true })).body as Json;
    assert.deepEqual(JSON.parse(String(status['query'])), { channels: 'vip' });
    assert.equal(status['status'], 'succeeded');
    assert.equal(finished.filter((f) => f.pushStatusId === id).length, 1);
  });

  it('refusals reach the sender with a clear code; nothing is recorded', async () => {
    const before = (await statuses()).length;
    const refused = await send({ channels: ['news'], data: { alert: 'forbidden' } });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, { code: 142, error: 'That word is not allowed in a push.' });
    // The changed push is checked like a body: an invalid badge is 115, as from a caller.
    const broken = await send({ channels: ['news'], data: { alert: 'break it' } });
    assert.equal(broken.status, 400);
    assert.equal((broken.body as Json)['code'], 115);
    // The validator's `fields` rule runs on the push's data.
    const noAlert = await send({ channels: ['news'], data: { title: 'no alert' } });
    assert.equal(noAlert.status, 400);
    assert.equal((noAlert.body as Json)['code'], 142);
    const hung = await send({ channels: ['news'], data: { alert: 'hang' } });
    assert.equal(hung.status, 400);
    assert.equal((hung.body as Json)['code'], 141);
    assert.equal((await statuses()).length, before);
  });

  it('a client key or the read-only master key never reaches the hook', async () => {
    const hooked = seen.length;
    const client = await send({ channels: ['news'], data: { alert: 'spam' } }, { master: false });
    assert.equal(client.status, 403);
    const readOnly = await send(
      { channels: ['news'], data: { alert: 'spam' } },
      { master: false, headers: { 'X-Parse-Master-Key': 'push-read-only' } },
    );
    assert.equal(readOnly.status, 400, JSON.stringify(readOnly.body));
    assert.deepEqual(readOnly.body, { code: 119, error: "read-only masterKey isn't allowed to send a push." });
    assert.equal(seen.length, hooked);
  });

  it('both hooks are listed for the dashboard', async () => {
    const listed = (await server.call({ path: '/cloud_code/registry', master: true })).body as {
      triggers: { className: string; triggerName: string; source: string }[];
    };
    assert.deepEqual(
      listed.triggers.filter((t) => t.className === '@Push'),
      [
        { className: '@Push', triggerName: 'afterPush', source: 'strata' },
        { className: '@Push', triggerName: 'beforePush', source: 'strata' },
      ],
    );
  });
});
