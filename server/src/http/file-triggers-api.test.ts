import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FILE_TRIGGER_CLASS } from '../cloud/index.js';
import { uploadRaw } from './files.test-util.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;

describe('Parse.File triggers (@File) around uploads and deletes', () => {
  let server: TestServer;
  const seen: Array<{ name: string; object: Json; master: unknown }> = [];

  before(async () => {
    server = await startTestServer({
      cloudSetup: (registry) => {
        for (const triggerName of ['beforeSave', 'afterSave', 'beforeDelete', 'afterDelete'] as const) {
          registry.defineTrigger({
            triggerName,
            className: FILE_TRIGGER_CLASS,
            source: 'strata',
            handler: async (request) => {
              const object = request.object as Json;
              seen.push({ name: triggerName, object: { ...object }, master: request.master });
              const name = String(object['name']);
              if (triggerName === 'beforeSave' && name.endsWith('refused.txt')) throw 'No such files.';
              if (triggerName === 'beforeDelete' && name.endsWith('keep.txt')) throw new Error('Keep this one.');
              return undefined;
            },
          });
        }
      },
    });
  });
  after(() => server.close());
  beforeEach(() => {
    seen.length = 0;
  });

  it('an upload runs beforeSave then afterSave with the file; a refusal is 130, answered before the store is written', async () => {
    const ok = await uploadRaw({
      mountURL: server.mountURL,
      name: 'hello.txt',
      body: Buffer.from('hello'),
      contentType: 'text/plain',
      master: true,
    });
    assert.equal(ok.status, 201, ok.body.toString());
    assert.deepEqual(
      seen.map((s) => s.name),
      ['beforeSave', 'afterSave'],
    );
    assert.equal(seen[0]?.object['className'], FILE_TRIGGER_CLASS);
    assert.match(String(seen[0]?.object['name']), /hello\.txt$/);
    assert.equal(seen[0]?.object['contentType'], 'text/plain');
    assert.equal(seen[1]?.object['size'], 5);
    assert.equal(seen[0]?.master, true);

    seen.length = 0;
    const refused = await uploadRaw({
      mountURL: server.mountURL,
      name: 'refused.txt',
      body: Buffer.from('nope'),
      contentType: 'text/plain',
      master: true,
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json, { code: 130, error: 'No such files.' });
    assert.deepEqual(
      seen.map((s) => s.name),
      ['beforeSave'],
    );
  });

  it('a delete runs beforeDelete and afterDelete; a refusal is 153 and the file stays', async () => {
    const kept = await uploadRaw({
      mountURL: server.mountURL,
      name: 'keep.txt',
      body: Buffer.from('keep'),
      contentType: 'text/plain',
      master: true,
    });
    const keptName = String(kept.json['name']);
    seen.length = 0;
    const refused = await server.call({ method: 'DELETE', path: `/files/${keptName}`, master: true });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, { code: 153, error: 'Keep this one.' });
    const stillThere = await fetch(String(kept.json['url']));
    assert.equal(stillThere.status, 200);

    const gone = await uploadRaw({
      mountURL: server.mountURL,
      name: 'gone.txt',
      body: Buffer.from('gone'),
      contentType: 'text/plain',
      master: true,
    });
    seen.length = 0;
    const deleted = await server.call({ method: 'DELETE', path: `/files/${String(gone.json['name'])}`, master: true });
    assert.equal(deleted.status, 200);
    assert.deepEqual(
      seen.map((s) => s.name),
      ['beforeDelete', 'afterDelete'],
    );
    assert.equal(seen[0]?.object['size'], 4);
  });
});
