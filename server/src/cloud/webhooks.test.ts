/**
 * Webhooks end to end (spec/cloud.md §9): hooks registered through `/hooks` on a real Strata server, called
 * by `/functions/:name` and by object saves, finds and deletes, against a real local HTTP server standing in
 * for the developer's endpoint. Checks what goes out (headers, the webhook key, the request body) and what
 * comes back (results, patches, every kind of failure mapped to a Parse error).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { savePatchFrom } from './webhooks-handlers.js';
import type { SaveTriggerRequest } from './types.js';
import { startWebhookTarget, unusedUrl } from './webhook-target.test-util.js';
import type { ReceivedCall, WebhookTarget } from './webhook-target.test-util.js';

const WEBHOOK_KEY = 'webhook-secret-for-tests';
const WEBHOOK_TIMEOUT_MS = 400;

type Body = Record<string, unknown>;

/** Polls until `ok()` (afterSave runs off the response path in some setups); fails clearly after 20 s. */
async function eventually(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('webhooks called by a running server', () => {
  let target: WebhookTarget;
  let server: TestServer;

  before(async () => {
    target = await startWebhookTarget();
    server = await startTestServer({
      // The target listens on loopback, which webhooks reach only when allowed (the SSRF guard).
      outboundAllowIps: ['127.0.0.1'],
      webhookKey: WEBHOOK_KEY,
      webhookTimeout: WEBHOOK_TIMEOUT_MS,
      cloudSetup: (registry) => {
        registry.defineFunction({ name: 'swap', source: 'strata', handler: async () => ({ result: 'in-process' }) });
      },
    });
  });
  after(async () => {
    await server.close();
    await target.close();
  });

  const master = (method: string, path: string, body?: unknown): ReturnType<TestServer['call']> =>
    server.call({ method, path, master: true, ...(body === undefined ? {} : { body }) });
  const registerFunction = async (functionName: string, path: string): Promise<void> => {
    const response = await master('POST', '/hooks/functions', { functionName, url: `${target.url}${path}` });
    assert.equal(response.status, 200, JSON.stringify(response.body));
  };
  const registerTrigger = async (className: string, triggerName: string, path: string): Promise<void> => {
    const response = await master('POST', '/hooks/triggers', { className, triggerName, url: `${target.url}${path}` });
    assert.equal(response.status, 200, JSON.stringify(response.body));
  };
  const only = (path: string): ReceivedCall => {
    const calls = target.callsTo(path);
    assert.equal(calls.length, 1, `calls to ${path}: ${calls.length}`);
    return calls[0] as ReceivedCall;
  };

  describe('function webhooks', () => {
    it('posts the request with the webhook key and answers with its success value', async () => {
      await registerFunction('hello', '/hello');
      target.answer('/hello', {
        json: { success: { greeting: 'hi', when: { __type: 'Date', iso: '2020-01-01T00:00:00.000Z' } } },
      });
      const response = await server.call({
        method: 'POST',
        path: '/functions/hello',
        body: { name: 'Ada' },
        headers: { 'X-Parse-Cloud-Context': '{"trace":"t1"}', 'X-Parse-Installation-Id': 'install-1' },
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, {
        result: { greeting: 'hi', when: { __type: 'Date', iso: '2020-01-01T00:00:00.000Z' } },
      });
      const call = only('/hello');
      assert.equal(call.method, 'POST');
      assert.match(String(call.headers['content-type']), /^application\/json/);
      assert.equal(call.headers['x-parse-webhook-key'], WEBHOOK_KEY);
      assert.equal(call.body['functionName'], 'hello');
      assert.deepEqual(call.body['params'], { name: 'Ada' });
      assert.equal(call.body['master'], false);
      assert.deepEqual(call.body['context'], { trace: 't1' });
      assert.equal(call.body['installationId'], 'install-1');
      assert.equal(call.body['log'], undefined, 'the logger is not sent');
      assert.equal(call.body['config'], undefined);
      const headers = call.body['headers'] as Record<string, unknown>;
      assert.equal(typeof headers, 'object');
      assert.equal(headers['x-parse-application-id'], 'test-app');
      assert.equal(headers['x-parse-rest-api-key'], undefined, 'the app keys are not forwarded');
    });

    it('sends the logged-in user, and never forwards the master key', async () => {
      await registerFunction('whoami', '/whoami');
      target.answer('/whoami', (call) => ({
        json: { success: (call.body['user'] as Body | undefined)?.['username'] ?? null },
      }));
      const signUp = await server.call({
        method: 'POST',
        path: '/users',
        body: { username: 'webhook-user', password: 'pw-12345' },
      });
      assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
      const { sessionToken, objectId } = signUp.body as { sessionToken: string; objectId: string };
      const asUser = await server.call({
        method: 'POST',
        path: '/functions/whoami',
        body: {},
        headers: { 'X-Parse-Session-Token': sessionToken },
      });
      assert.deepEqual(asUser.body, { result: 'webhook-user' });
      const userCall = target.callsTo('/whoami')[0] as ReceivedCall;
      const user = userCall.body['user'] as Body;
      assert.equal(user['objectId'], objectId);
      assert.equal(user['className'], '_User');

      const asMaster = await server.call({ method: 'POST', path: '/functions/whoami', body: {}, master: true });
      assert.deepEqual(asMaster.body, { result: null });
      const masterCall = target.callsTo('/whoami')[1] as ReceivedCall;
      assert.equal(masterCall.body['master'], true);
      assert.equal(masterCall.body['user'], undefined);
      const forwarded = JSON.stringify(masterCall.body);
      assert.ok(!forwarded.includes('test-master-key'), 'the master key never leaves the server');
    });

    it('maps the webhook error forms to Parse errors', async () => {
      const cases: { answer: Parameters<WebhookTarget['answer']>[1]; code: number; error: string | RegExp }[] = [
        { answer: { json: { error: 'not today' } }, code: 141, error: 'not today' },
        { answer: { json: { error: { code: 137, error: 'already there' } } }, code: 137, error: 'already there' },
        { answer: { json: { error: { code: 9001, message: 'custom' } } }, code: 9001, error: 'custom' },
        { answer: { json: { error: { reason: 'odd' } } }, code: 141, error: /odd/ },
        { answer: { json: { error: 'server says no' }, status: 500 }, code: 141, error: 'server says no' },
        { answer: { text: '<html>oops</html>' }, code: 141, error: 'Malformed response' },
        { answer: { text: '', status: 502 }, code: 141, error: /HTTP status 502/ },
        { answer: { json: { unexpected: true }, status: 503 }, code: 141, error: /HTTP status 503/ },
        {
          answer: { text: 'x'.repeat(2 * 1024 * 1024), contentType: 'application/json' },
          code: 141,
          error: /larger than/,
        },
        {
          answer: { text: '', status: 302, headers: { Location: `${target.url}/elsewhere` } },
          code: 141,
          error: /could not be reached/,
        },
      ];
      await registerFunction('failing', '/failing');
      for (const { answer, code, error } of cases) {
        target.answer('/failing', answer);
        expectError(await server.call({ method: 'POST', path: '/functions/failing', body: {} }), { code, error });
      }
      assert.equal(target.callsTo('/elsewhere').length, 0, 'redirects are not followed');
    });

    it('answers success with no value as an empty result, and tolerates a null error', async () => {
      await registerFunction('quiet', '/quiet');
      target.answer('/quiet', { json: { success: 'fine', error: null } });
      assert.deepEqual((await server.call({ method: 'POST', path: '/functions/quiet', body: {} })).body, {
        result: 'fine',
      });
      target.answer('/quiet', { json: {} });
      const empty = await server.call({ method: 'POST', path: '/functions/quiet', body: {} });
      assert.equal(empty.status, 200);
    });

    it('fails with 141 when the webhook does not answer in time, and the server keeps serving', async () => {
      await registerFunction('slow', '/slow');
      target.answer('/slow', { hang: true });
      expectError(await server.call({ method: 'POST', path: '/functions/slow', body: {} }), {
        code: 141,
        error: `The webhook for function "slow" did not answer within ${WEBHOOK_TIMEOUT_MS} ms.`,
      });
      const health = await server.call({ path: '/health' });
      assert.equal(health.status, 200);
    });

    it('fails with 141 when nothing listens at the url', async () => {
      const url = await unusedUrl();
      assert.equal((await master('POST', '/hooks/functions', { functionName: 'gone', url })).status, 200);
      expectError(await server.call({ method: 'POST', path: '/functions/gone', body: {} }), {
        code: 141,
        error: 'The webhook for function "gone" could not be reached.',
      });
    });

    it('replaces the in-process function of the same name while it exists', async () => {
      const run = async (): Promise<unknown> =>
        (await server.call({ method: 'POST', path: '/functions/swap', body: {} })).body;
      assert.deepEqual(await run(), { result: 'in-process' });
      await registerFunction('swap', '/swap');
      target.answer('/swap', { json: { success: 'webhook' } });
      assert.deepEqual(await run(), { result: 'webhook' });
      assert.equal((await master('PUT', '/hooks/functions/swap', { __op: 'Delete' })).status, 200);
      assert.deepEqual(await run(), { result: 'in-process' });
      assert.equal(target.callsTo('/swap').length, 1);
    });

    it('calls the new url after an update', async () => {
      await registerFunction('moving', '/old');
      target.answer('/old', { json: { success: 'old' } });
      target.answer('/new', { json: { success: 'new' } });
      assert.deepEqual((await server.call({ method: 'POST', path: '/functions/moving', body: {} })).body, {
        result: 'old',
      });
      await master('PUT', '/hooks/functions/moving', { url: `${target.url}/new` });
      assert.deepEqual((await server.call({ method: 'POST', path: '/functions/moving', body: {} })).body, {
        result: 'new',
      });
    });
  });

  describe('trigger webhooks', () => {
    it('beforeSave: the object it answers is what gets saved, on create and on update', async () => {
      await registerTrigger('Score', 'beforeSave', '/score-before-save');
      target.answer('/score-before-save', (call) => {
        const object = { ...(call.body['object'] as Body) };
        object['points'] = Number(object['points']) * 2;
        object['checked'] = true;
        // Parse strips these from a beforeSave answer: sending them must not matter.
        object['createdAt'] = '1999-01-01T00:00:00.000Z';
        object['className'] = 'SomethingElse';
        return { json: { success: object } };
      });
      const created = await server.call({ method: 'POST', path: '/classes/Score', body: { points: 5, player: 'ada' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { objectId } = created.body as { objectId: string };
      const first = only('/score-before-save');
      assert.equal(first.headers['x-parse-webhook-key'], WEBHOOK_KEY);
      assert.equal(first.body['triggerName'], 'beforeSave');
      assert.deepEqual(
        { ...(first.body['object'] as Body) },
        { className: 'Score', points: 5, player: 'ada' },
        'a create sends the new object with its className',
      );
      assert.equal(first.body['original'], undefined);

      const stored = (await server.call({ path: `/classes/Score/${objectId}` })).body as Body;
      assert.equal(stored['points'], 10);
      assert.equal(stored['checked'], true);
      assert.equal(stored['player'], 'ada');
      assert.notEqual(stored['createdAt'], '1999-01-01T00:00:00.000Z');

      const updated = await server.call({ method: 'PUT', path: `/classes/Score/${objectId}`, body: { points: 7 } });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      const second = target.callsTo('/score-before-save')[1] as ReceivedCall;
      const sentObject = second.body['object'] as Body;
      assert.equal(sentObject['objectId'], objectId);
      assert.equal(sentObject['points'], 7);
      assert.equal(sentObject['player'], 'ada', 'an update sends the whole object with the changes applied');
      assert.equal((second.body['original'] as Body)['points'], 10);
      const after = (await server.call({ path: `/classes/Score/${objectId}` })).body as Body;
      assert.equal(after['points'], 14);
    });

    it('beforeSave: a field the answer leaves out is not saved', async () => {
      await registerTrigger('Secret', 'beforeSave', '/secret-before-save');
      target.answer('/secret-before-save', (call) => {
        const { secret: _secret, ...rest } = call.body['object'] as Body;
        return { json: { success: rest } };
      });
      const created = await server.call({
        method: 'POST',
        path: '/classes/Secret',
        body: { secret: 's3', visible: 1 },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const stored = (await server.call({ path: `/classes/Secret/${(created.body as Body)['objectId'] as string}` }))
        .body as Body;
      assert.equal(stored['visible'], 1);
      assert.equal(stored['secret'], undefined);
    });

    it('beforeSave: an error answer rejects the save and nothing is stored', async () => {
      await registerTrigger('Guarded', 'beforeSave', '/guarded-before-save');
      target.answer('/guarded-before-save', { json: { error: 'Guarded objects are read-only' } });
      expectError(await server.call({ method: 'POST', path: '/classes/Guarded', body: { value: 1 } }), {
        code: 141,
        error: 'Guarded objects are read-only',
      });
      target.answer('/guarded-before-save', { text: 'not json' });
      expectError(await server.call({ method: 'POST', path: '/classes/Guarded', body: { value: 2 } }), {
        code: 141,
        error: 'Malformed response',
      });
      target.answer('/guarded-before-save', { hang: true });
      expectError(await server.call({ method: 'POST', path: '/classes/Guarded', body: { value: 3 } }), {
        code: 141,
        error: /did not answer within/,
      });
      const found = await server.call({ path: '/classes/Guarded', master: true });
      assert.deepEqual((found.body as { results: unknown[] }).results, []);
    });

    it('afterSave: receives the saved object; its failure does not fail the save', async () => {
      await registerTrigger('Logged', 'afterSave', '/logged-after-save');
      target.answer('/logged-after-save', { json: { error: 'ignored' } });
      const created = await server.call({ method: 'POST', path: '/classes/Logged', body: { message: 'hello' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { objectId } = created.body as { objectId: string };
      await eventually('the afterSave webhook call', () => target.callsTo('/logged-after-save').length === 1);
      const call = only('/logged-after-save');
      assert.equal(call.body['triggerName'], 'afterSave');
      const object = call.body['object'] as Body;
      assert.equal(object['className'], 'Logged');
      assert.equal(object['objectId'], objectId);
      assert.equal(object['message'], 'hello');
      assert.equal(typeof object['createdAt'], 'string');
    });

    it('beforeDelete: an error answer keeps the object; a success answer lets the delete happen', async () => {
      const created = await server.call({ method: 'POST', path: '/classes/Keep', body: { name: 'k' } });
      const { objectId } = created.body as { objectId: string };
      await registerTrigger('Keep', 'beforeDelete', '/keep-before-delete');
      target.answer('/keep-before-delete', { json: { error: { code: 119, error: 'Keep objects stay' } } });
      expectError(await server.call({ method: 'DELETE', path: `/classes/Keep/${objectId}` }), {
        code: 119,
        error: 'Keep objects stay',
      });
      assert.equal((await server.call({ path: `/classes/Keep/${objectId}` })).status, 200);
      const refused = only('/keep-before-delete');
      assert.equal(refused.body['triggerName'], 'beforeDelete');
      assert.equal((refused.body['object'] as Body)['objectId'], objectId);
      assert.equal((refused.body['object'] as Body)['className'], 'Keep');

      target.answer('/keep-before-delete', { json: { success: true } });
      const deleted = await server.call({ method: 'DELETE', path: `/classes/Keep/${objectId}` });
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
      assert.equal((await server.call({ path: `/classes/Keep/${objectId}` })).status, 404);
    });

    it('afterFind: the objects it answers are the results', async () => {
      for (const n of [1, 2, 3]) await server.call({ method: 'POST', path: '/classes/Listed', body: { n } });
      await registerTrigger('Listed', 'afterFind', '/listed-after-find');
      target.answer('/listed-after-find', (call) => {
        const objects = call.body['objects'] as Body[];
        return { json: { success: objects.filter((o) => o['n'] !== 2) } };
      });
      const found = await server.call({ path: '/classes/Listed', headers: {} });
      assert.equal(found.status, 200, JSON.stringify(found.body));
      const results = (found.body as { results: Body[] }).results;
      assert.deepEqual(results.map((o) => o['n']).sort(), [1, 3]);
      const call = only('/listed-after-find');
      assert.equal(call.body['triggerName'], 'afterFind');
      assert.equal((call.body['objects'] as unknown[]).length, 3);
    });

    it('stops calling a trigger webhook once it is deleted', async () => {
      await registerTrigger('Temp', 'beforeSave', '/temp-before-save');
      target.answer('/temp-before-save', { json: { error: 'blocked' } });
      expectError(await server.call({ method: 'POST', path: '/classes/Temp', body: { a: 1 } }), {
        code: 141,
        error: 'blocked',
      });
      await master('PUT', '/hooks/triggers/Temp/beforeSave', { __op: 'Delete' });
      const created = await server.call({ method: 'POST', path: '/classes/Temp', body: { a: 2 } });
      assert.equal(created.status, 201);
      assert.equal(target.callsTo('/temp-before-save').length, 1);
    });
  });
});

describe('webhooks without a webhook key', () => {
  it('omits the X-Parse-Webhook-Key header', async () => {
    const target = await startWebhookTarget();
    const server = await startTestServer({ outboundAllowIps: ['127.0.0.1'] });
    try {
      await server.call({
        method: 'POST',
        path: '/hooks/functions',
        master: true,
        body: { functionName: 'keyless', url: `${target.url}/keyless` },
      });
      target.answer('/keyless', { json: { success: 1 } });
      assert.deepEqual((await server.call({ method: 'POST', path: '/functions/keyless', body: {} })).body, {
        result: 1,
      });
      const call = target.callsTo('/keyless')[0] as ReceivedCall;
      assert.equal(call.headers['x-parse-webhook-key'], undefined);
    } finally {
      await server.close();
      await target.close();
    }
  });
});

describe('webhooks to private addresses (SSRF)', () => {
  it('refuses a loopback webhook unless --outbound-allow-ips lists it, and the client learns no address', async () => {
    const target = await startWebhookTarget();
    const server = await startTestServer({});
    try {
      const port = new URL(target.url).port;
      const urls = [
        `${target.url}/direct`,
        `http://localhost:${port}/by-name`,
        `http://[::ffff:127.0.0.1]:${port}/mapped`,
        `http://2130706433:${port}/decimal`,
      ];
      for (const [i, url] of urls.entries()) {
        const functionName = `private${i}`;
        const registered = await server.call({
          method: 'POST',
          path: '/hooks/functions',
          master: true,
          body: { functionName, url },
        });
        assert.equal(registered.status, 200, url);
        const response = await server.call({ method: 'POST', path: `/functions/${functionName}`, body: {} });
        assert.equal(response.status, 400, url);
        assert.deepEqual(response.body, {
          code: 141,
          error: `The webhook for function "${functionName}" could not be reached.`,
        });
      }
      await server.call({
        method: 'POST',
        path: '/hooks/triggers',
        master: true,
        body: { className: 'Guarded', triggerName: 'beforeSave', url: `${target.url}/before-save` },
      });
      const saved = await server.call({ method: 'POST', path: '/classes/Guarded', body: { a: 1 } });
      assert.equal(saved.status, 400);
      const stored = await server.call({ method: 'GET', path: '/classes/Guarded', master: true });
      assert.deepEqual(stored.body, { results: [] });
      assert.deepEqual(target.calls, []);
    } finally {
      await server.close();
      await target.close();
    }
  });
});

describe('beforeSave webhook answer → patch over the client write', () => {
  const request = (options: { object: Body; original?: Body; dirtyKeys: string[] }): SaveTriggerRequest =>
    ({
      triggerName: 'beforeSave',
      object: { className: 'Thing', ...options.object },
      ...(options.original === undefined ? {} : { original: { className: 'Thing', ...options.original } }),
      dirtyKeys: options.dirtyKeys,
    }) as unknown as SaveTriggerRequest;

  it('keeps the write as it is for a non-object or identical answer', () => {
    const req = request({ object: { a: 1 }, dirtyKeys: ['a'] });
    assert.equal(savePatchFrom(req, true), undefined);
    assert.equal(savePatchFrom(req, null), undefined);
    assert.equal(savePatchFrom(req, [1]), undefined);
    assert.equal(savePatchFrom(req, { className: 'Thing', a: 1 }), undefined);
  });

  it('sets what changed, ignores server fields, unsets a left-out new field, restores a left-out changed one', () => {
    const req = request({
      object: { objectId: 'o1', a: 2, b: { x: 1 }, kept: 'k', fresh: 'f' },
      original: { objectId: 'o1', a: 1, b: { x: 1 }, kept: 'k' },
      dirtyKeys: ['a', 'fresh'],
    });
    const answer = JSON.parse(
      '{"objectId":"zzz","createdAt":"x","updatedAt":"y","className":"Other","b":{"x":1},"kept":"k","added":true,"__proto__":{"polluted":true}}',
    ) as unknown;
    assert.deepEqual(savePatchFrom(req, answer), {
      changes: { added: true, a: 1, fresh: { __op: 'Delete' } },
    });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
