/**
 * `Parse.Hooks` of the official `parse` SDK (a client nobody here wrote) against a real Strata server: it
 * creates, reads, updates and removes function and trigger webhooks, and `Parse.Cloud.run` reaches a function
 * webhook served by a real local HTTP endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ParseModule from 'parse/node';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { startWebhookTarget } from './webhook-target.test-util.js';
import type { WebhookTarget } from './webhook-target.test-util.js';

// The runtime default export is the SDK object; its typings describe a namespace whose `default` is that object.
const Parse = ParseModule as unknown as typeof ParseModule.default;

interface HooksApi {
  getFunctions(): Promise<unknown>;
  getFunction(name: string): Promise<unknown>;
  createFunction(name: string, url: string): Promise<unknown>;
  updateFunction(name: string, url: string): Promise<unknown>;
  removeFunction(name: string): Promise<unknown>;
  getTriggers(): Promise<unknown>;
  getTrigger(className: string, triggerName: string): Promise<unknown>;
  createTrigger(className: string, triggerName: string, url: string): Promise<unknown>;
  updateTrigger(className: string, triggerName: string, url: string): Promise<unknown>;
  removeTrigger(className: string, triggerName: string): Promise<unknown>;
}

describe('Parse.Hooks (official SDK) against Strata', () => {
  let server: TestServer;
  let target: WebhookTarget;
  let hooks: HooksApi;

  before(async () => {
    target = await startWebhookTarget();
    // Its webhook target listens on loopback, reachable only when allowed (the SSRF guard).
    server = await startTestServer({ webhookKey: 'sdk-hook-key', outboundAllowIps: ['127.0.0.1'] });
    Parse.initialize(APP_ID, CLIENT_KEY, MASTER_KEY);
    Parse.serverURL = server.mountURL;
    hooks = (Parse as unknown as { Hooks: HooksApi }).Hooks;
  });
  after(async () => {
    await server.close();
    await target.close();
  });

  it('manages function webhooks, and Parse.Cloud.run calls one', async () => {
    const url = `${target.url}/sdk-fn`;
    assert.deepEqual(await hooks.createFunction('sdkFn', url), { functionName: 'sdkFn', url });
    assert.deepEqual(await hooks.getFunctions(), [{ functionName: 'sdkFn', url }]);
    assert.deepEqual(await hooks.getFunction('sdkFn'), { functionName: 'sdkFn', url });

    target.answer('/sdk-fn', (call) => ({
      json: { success: { echoed: (call.body['params'] as Record<string, unknown>)['word'] } },
    }));
    assert.deepEqual(await Parse.Cloud.run('sdkFn', { word: 'ping' }), { echoed: 'ping' });
    assert.equal(target.callsTo('/sdk-fn')[0]?.headers['x-parse-webhook-key'], 'sdk-hook-key');

    target.answer('/sdk-fn', { json: { error: 'refused by the webhook' } });
    await assert.rejects(Parse.Cloud.run('sdkFn', {}), (err: unknown) => {
      assert.ok(err instanceof Parse.Error);
      assert.equal(err.code, 141);
      assert.equal(err.message, 'refused by the webhook');
      return true;
    });

    const moved = `${target.url}/sdk-fn-2`;
    assert.deepEqual(await hooks.updateFunction('sdkFn', moved), { functionName: 'sdkFn', url: moved });
    await hooks.removeFunction('sdkFn');
    await assert.rejects(hooks.getFunction('sdkFn'), (err: unknown) => {
      assert.ok(err instanceof Parse.Error);
      assert.equal(err.code, 143);
      assert.equal(err.message, 'no function named: sdkFn is defined');
      return true;
    });
    await assert.rejects(hooks.createFunction('sdkFn', 'ftp://example.com/x'), { code: 143 });
  });

  it('manages trigger webhooks', async () => {
    const url = `${target.url}/sdk-trigger`;
    assert.deepEqual(await hooks.createTrigger('SdkThing', 'beforeSave', url), {
      className: 'SdkThing',
      triggerName: 'beforeSave',
      url,
    });
    await assert.rejects(hooks.createTrigger('SdkThing', 'beforeSave', url), {
      code: 143,
      message: 'class SdkThing already has trigger beforeSave',
    });
    assert.deepEqual(await hooks.getTriggers(), [{ className: 'SdkThing', triggerName: 'beforeSave', url }]);
    assert.deepEqual(await hooks.getTrigger('SdkThing', 'beforeSave'), {
      className: 'SdkThing',
      triggerName: 'beforeSave',
      url,
    });

    target.answer('/sdk-trigger', (call) => ({
      json: { success: { ...(call.body['object'] as Record<string, unknown>), stamped: 'by webhook' } },
    }));
    const saved = await new Parse.Object('SdkThing').save({ name: 'x' });
    assert.equal(saved.get('stamped'), 'by webhook');
    const fetched = await new Parse.Query('SdkThing').get(saved.id as string);
    assert.equal(fetched.get('stamped'), 'by webhook');

    await hooks.updateTrigger('SdkThing', 'beforeSave', `${target.url}/elsewhere`);
    await hooks.removeTrigger('SdkThing', 'beforeSave');
    assert.deepEqual(await hooks.getTriggers(), []);
    await assert.rejects(hooks.createTrigger('SdkThing', 'beforeNothing', url), {
      code: 143,
      message: 'invalid hook declaration',
    });
  });
});
