import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StrataError } from '../errors.js';
import { APP_ID, MASTER_KEY, startServer } from '../test-server.test-util.js';
import type { SdkTestServer } from '../test-server.test-util.js';
import { createAdminClient, masterKeyTransport } from './index.js';
import type { AdminClient } from './index.js';

describe('@strata/sdk/admin against a real server', () => {
  let server: SdkTestServer;
  let admin: AdminClient;
  before(async () => {
    server = await startServer({
      cloud: (registry) => {
        registry.defineFunction({
          name: 'double',
          handler: (request) => Promise.resolve({ result: Number(request.params['n']) * 2 }),
          source: 'strata',
        });
        registry.defineJob({ name: 'noop', handler: () => Promise.resolve('done'), source: 'strata' });
      },
    });
    admin = createAdminClient({
      transport: masterKeyTransport({ serverURL: server.serverURL, appId: APP_ID, masterKey: MASTER_KEY }),
    });
  });
  after(() => server.close());

  it('manages schemas: create with a field, add an index, read back, delete', async () => {
    await admin.schemas.create({
      className: 'AdminThing',
      fields: { score: { type: 'Number', required: true, defaultValue: 0 } },
    });
    await admin.schemas.update('AdminThing', { indexes: { score_1: { score: 1 } } });
    const schema = await admin.schemas.get('AdminThing');
    assert.equal(schema.fields['score']?.type, 'Number');
    assert.equal(schema.fields['score']?.defaultValue, 0);
    assert.deepEqual(schema.indexes?.['score_1'], { score: 1 });
    assert.ok((await admin.schemas.list()).some((s) => s.className === 'AdminThing'));
    await admin.schemas.remove('AdminThing');
    await assert.rejects(
      admin.schemas.get('AdminThing'),
      (err: unknown) => err instanceof StrataError && err.code === 103,
    );
  });

  it('writes, pages and counts objects, and runs a batch', async () => {
    const a = await admin.objects.create('AdminRow', { n: 1 });
    await admin.objects.create('AdminRow', { n: 2 });
    assert.equal(await admin.objects.count('AdminRow'), 2);
    const after = await admin.objects.find('AdminRow', { where: { objectId: { $gt: a.objectId } }, order: 'objectId' });
    assert.ok(after.every((row) => row.objectId > a.objectId));
    await admin.objects.update('AdminRow', a.objectId, { n: 10 });
    assert.equal((await admin.objects.get('AdminRow', a.objectId))['n'], 10);
    const results = await admin.objects.batch([{ method: 'DELETE', path: `/parse/classes/AdminRow/${a.objectId}` }]);
    assert.deepEqual(results, [{ success: {} }]);
    assert.equal(await admin.objects.count('AdminRow'), 1);
  });

  it('reads and writes Parse Config, runs functions and jobs, uploads files, reports server info', async () => {
    await admin.config.update({ params: { motd: 'hi', secret: 's' }, masterKeyOnly: { secret: true } });
    const config = await admin.config.get();
    assert.equal(config.params['motd'], 'hi');
    assert.equal(config.masterKeyOnly?.['secret'], true);
    assert.equal(await admin.functions.run('double', { n: 21 }), 42);
    const jobId = await admin.jobs.run('noop');
    assert.match(jobId, /^\w{10}$/);
    assert.deepEqual((await admin.jobs.data()).jobs, ['noop']);
    const file = await admin.files.upload('hello.txt', new Blob(['hello'], { type: 'text/plain' }));
    assert.match(file.name, /hello\.txt$/);
    assert.equal(await (await fetch(file.url)).text(), 'hello');
    await admin.files.remove(file.name);
    const info = await admin.serverInfo();
    assert.equal(typeof info.parseServerVersion, 'string');
  });

  it('rejects a wrong master key with the server error', async () => {
    const wrong = createAdminClient({
      transport: masterKeyTransport({ serverURL: server.serverURL, appId: APP_ID, masterKey: 'nope' }),
    });
    await assert.rejects(wrong.schemas.list(), (err: unknown) => err instanceof StrataError && err.status === 403);
  });
});
