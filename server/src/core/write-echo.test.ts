/**
 * A write's answer echoes what the server computed and what triggers set (types.md §5), but never a field the
 * caller may not read of the object (protectedFields): found by the permission matrix's webhook door, where a
 * beforeSave answering with the object plus a protected field showed that field to the writer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CloudRegistry, JsonObject } from '../cloud/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;

function registerHooks(cloud: CloudRegistry): void {
  cloud.defineTrigger({
    triggerName: 'beforeSave',
    className: 'Card',
    source: 'strata',
    handler: async (request) => {
      const changes: JsonObject = { label: 'set by beforeSave' };
      if (request.object['pin'] === undefined) changes['pin'] = 'PIN-FROM-BEFORE-SAVE';
      return { changes };
    },
  });
  cloud.defineTrigger({
    triggerName: 'afterSave',
    className: 'Card',
    source: 'strata',
    handler: async (request) => ({ ...request.object, pin: 'PIN-FROM-AFTER-SAVE', label: 'set by afterSave' }),
  });
}

describe('a write answer echoes no protected field', () => {
  let server: TestServer;
  let token = '';

  before(async () => {
    server = await startTestServer({ cloudSetup: registerHooks });
    const schema = await server.call({
      method: 'POST',
      path: '/schemas/Card',
      master: true,
      body: {
        className: 'Card',
        fields: { pin: { type: 'String' }, label: { type: 'String' }, hits: { type: 'Number' } },
        classLevelPermissions: {
          find: { '*': true },
          get: { '*': true },
          count: { '*': true },
          create: { '*': true },
          update: { '*': true },
          delete: { '*': true },
          addField: { '*': true },
          protectedFields: { '*': ['pin', 'hits'] },
        },
      },
    });
    assert.equal(schema.status, 200, JSON.stringify(schema.body));
    const user = await server.call({ method: 'POST', path: '/users', body: { username: 'u', password: 'pw' } });
    token = String((user.body as Json)['sessionToken']);
  });

  after(async () => {
    await server?.close();
  });

  for (const caller of ['client key', 'session'] as const) {
    it(`as ${caller}: a trigger's change of a protected field and an Increment of one are not echoed`, async () => {
      const headers: Record<string, string> = caller === 'session' ? { 'X-Parse-Session-Token': token } : {};
      const created = await server.call({ method: 'POST', path: '/classes/Card', headers, body: { hits: 1 } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const body = created.body as Json;
      // The readable change and afterSave's readable field are echoed; the protected ones are not.
      assert.equal(body['label'], 'set by afterSave');
      assert.equal(body['pin'], undefined, JSON.stringify(body));
      assert.ok(!JSON.stringify(body).includes('PIN-FROM'), JSON.stringify(body));
      const id = String(body['objectId']);
      const updated = await server.call({
        method: 'PUT',
        path: `/classes/Card/${id}`,
        headers,
        body: { hits: { __op: 'Increment', amount: 0 } },
      });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.equal((updated.body as Json)['hits'], undefined, 'the counter’s value would be read through Increment 0');
      assert.equal((updated.body as Json)['pin'], undefined);
      // The write itself happened: the master key reads the stored values.
      const stored = await server.call({ path: `/classes/Card/${id}`, master: true });
      assert.equal((stored.body as Json)['pin'], 'PIN-FROM-BEFORE-SAVE');
      assert.equal((stored.body as Json)['hits'], 1);
    });
  }

  it('the master key still gets every echo', async () => {
    const created = await server.call({ method: 'POST', path: '/classes/Card', master: true, body: { hits: 1 } });
    assert.equal(created.status, 201);
    assert.equal((created.body as Json)['pin'], 'PIN-FROM-AFTER-SAVE');
    const id = String((created.body as Json)['objectId']);
    const updated = await server.call({
      method: 'PUT',
      path: `/classes/Card/${id}`,
      master: true,
      body: { hits: { __op: 'Increment', amount: 2 } },
    });
    assert.equal((updated.body as Json)['hits'], 3);
  });
});
