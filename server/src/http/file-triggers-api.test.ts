import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FILE_TRIGGER_CLASS, StrataCloudError, createCloudAPI } from '../cloud/index.js';
import type { CloudFile, HookRequestBase } from '../cloud/index.js';
import { uploadRaw } from './files.test-util.js';
import { APP_ID, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;

/** The request fields every file trigger must carry, as one comparable record. */
function requestFields(request: HookRequestBase): Json {
  return {
    ip: request.ip,
    custom: request.headers['x-custom'],
    context: { ...request.context },
    hasLog: typeof request.log?.info === 'function',
    config: request.config,
  };
}

describe('Parse.File triggers (@File) around uploads and deletes', () => {
  let server: TestServer;
  const seen: Array<{ name: string; object: Json; master: unknown; fields: Json }> = [];

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
              seen.push({
                name: triggerName,
                object: { ...object },
                master: request.master,
                fields: requestFields(request),
              });
              const name = String(object['name']);
              if (triggerName === 'beforeSave' && name.endsWith('refused.txt')) throw 'No such files.';
              if (triggerName === 'beforeDelete' && name.endsWith('keep.txt')) throw new Error('Keep this one.');
              // A protocol-level hook answering a malformed file: its bug is the upload's 130.
              if (triggerName === 'beforeSave' && name.endsWith('badshape.txt')) return { file: { name: 42 } } as never;
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
    // beforeSave knows the size the request declared (Content-Length); afterSave the stored size.
    assert.equal(seen[0]?.object['size'], 5);
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

    seen.length = 0;
    const malformed = await uploadRaw({
      mountURL: server.mountURL,
      name: 'badshape.txt',
      body: Buffer.from('bad'),
      contentType: 'text/plain',
      master: true,
    });
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.json, { code: 130, error: 'A file beforeSave returned a file with an invalid name.' });
    assert.deepEqual(
      seen.map((s) => s.name),
      ['beforeSave'],
    );
  });

  it('file triggers get the request: ip, raw headers, client context, logger and the secret-free config', async () => {
    const upload = await uploadRaw({
      mountURL: server.mountURL,
      name: 'fields.txt',
      body: Buffer.from('fields'),
      contentType: 'text/plain',
      master: true,
      headers: { 'X-Custom': 'upload', 'X-Parse-Cloud-Context': '{"why":"upload"}' },
    });
    assert.equal(upload.status, 201, upload.body.toString());
    const deleted = await server.call({
      method: 'DELETE',
      path: `/files/${String(upload.json['name'])}`,
      master: true,
      headers: { 'X-Custom': 'delete', 'X-Parse-Cloud-Context': '{"why":"delete"}' },
    });
    assert.equal(deleted.status, 200);
    const config = {
      appId: APP_ID,
      mountPath: '/parse',
      serverURL: server.mountURL.replace('127.0.0.1', 'localhost'),
      version: seen[0]?.fields['config'] === undefined ? undefined : (seen[0].fields['config'] as Json)['version'],
    };
    assert.equal(typeof config.version, 'string');
    const expected = (what: string): Json => ({
      ip: seen[0]?.fields['ip'],
      custom: what,
      context: { why: what },
      hasLog: true,
      config,
    });
    assert.match(String(seen[0]?.fields['ip']), /127\.0\.0\.1/);
    assert.deepEqual(
      seen.map((s) => [s.name, s.fields]),
      [
        ['beforeSave', expected('upload')],
        ['afterSave', expected('upload')],
        ['beforeDelete', expected('delete')],
        ['afterDelete', expected('delete')],
      ],
    );
    assert.equal(seen[1]?.object['url'], upload.json['url'], 'afterSave sees the stored url');
    assert.equal(seen[2]?.object['url'], upload.json['url'], 'beforeDelete sees the url of the file');
    const configText = JSON.stringify(seen[0]?.fields['config']);
    assert.doesNotMatch(configText, /test-master-key|test-client-key|Key/, 'no key reaches hooks');
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

/** Uploads `name` with a session-less client key (public uploads are on in these suites). */
function clientUpload(server: TestServer, name: string, headers: Record<string, string> = {}) {
  return uploadRaw({
    mountURL: server.mountURL,
    name,
    body: Buffer.from(`content of ${name}`),
    contentType: 'text/plain',
    headers,
  });
}

describe('a @File beforeSave swaps the file (typed API)', () => {
  let server: TestServer;
  const afterSaves: Json[] = [];
  const beforeSaves: Json[] = [];
  const beforeDeletes: Json[] = [];

  before(async () => {
    server = await startTestServer({
      fileUploadPublic: true,
      cloudSetup: (registry) => {
        const cloud = createCloudAPI(registry);
        cloud.defineFunction('serverConfig', ({ config }) => ({ ...config, frozen: Object.isFrozen(config) }));
        cloud.beforeSave<CloudFile>(FILE_TRIGGER_CLASS, ({ object }) => {
          beforeSaves.push({ ...object });
          const name = object.name;
          if (name.endsWith('_rename.txt')) object.name = 'renamed.md';
          if (name.endsWith('_meta.txt')) {
            object.metadata = { ...object.metadata, owner: 'ada' };
            object.tags = { kind: 'note' };
            object.contentType = 'text/csv';
          }
          if (name.endsWith('_elsewhere.txt')) {
            object.name = 'cdn.png';
            object.url = 'https://cdn.example.com/cdn.png';
          }
          if (name.endsWith('_html.txt')) object.contentType = 'text/html';
          if (name.endsWith('_traversal.txt')) object.name = '../../etc/passwd';
          if (name.endsWith('_proto.txt')) object.metadata = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
          if (name.endsWith('_coded.txt')) throw new StrataCloudError(142, 'Not this file.');
          if (name.endsWith('_plain.txt')) throw new Error('Plain refusal.');
        });
        cloud.afterSave<CloudFile>(FILE_TRIGGER_CLASS, ({ object }) => {
          afterSaves.push({ ...object });
        });
        cloud.beforeDelete<CloudFile>(FILE_TRIGGER_CLASS, ({ object }) => {
          beforeDeletes.push({ ...object });
        });
      },
    });
  });
  after(() => server.close());
  beforeEach(() => {
    afterSaves.length = 0;
    beforeSaves.length = 0;
    beforeDeletes.length = 0;
  });

  it('typed handlers get request.config: frozen, without keys', async () => {
    const response = await server.call({ method: 'POST', path: '/functions/serverConfig', body: {} });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const result = (response.body as { result: Json }).result;
    assert.deepEqual(result, {
      appId: APP_ID,
      mountPath: '/parse',
      serverURL: server.mountURL.replace('127.0.0.1', 'localhost'),
      version: result['version'],
      frozen: true,
    });
  });

  it('a new name is stored under its own unique prefix with the type of its extension; the bytes are the upload', async () => {
    const upload = await clientUpload(server, 'rename.txt');
    assert.equal(upload.status, 201, upload.body.toString());
    const name = String(upload.json['name']);
    assert.match(name, /^[0-9a-f]{32}_renamed\.md$/);
    assert.equal(upload.headers.location, upload.json['url']);
    const download = await fetch(String(upload.json['url']));
    assert.equal(download.status, 200);
    assert.equal(await download.text(), 'content of rename.txt');
    assert.match(String(download.headers.get('content-type')), /^text\/markdown/);
    assert.equal(afterSaves[0]?.['name'], name);
    assert.equal(afterSaves[0]?.['url'], upload.json['url']);
    const original = await fetch(String(upload.json['url']).replace(/renamed\.md$/, 'rename.txt'));
    assert.equal(original.status, 404, 'nothing is stored under the uploaded name');
    await original.arrayBuffer();
  });

  it('metadata, tags and content type changes are stored with the file', async () => {
    const upload = await clientUpload(server, 'meta.txt', { 'X-Parse-File-Metadata': '{"source":"client"}' });
    assert.equal(upload.status, 201, upload.body.toString());
    const name = String(upload.json['name']);
    assert.match(name, /_meta\.txt$/, 'the name is kept');
    const download = await fetch(String(upload.json['url']));
    assert.match(String(download.headers.get('content-type')), /^text\/csv/);
    assert.equal(await download.text(), 'content of meta.txt');
    assert.deepEqual(afterSaves[0]?.['metadata'], { source: 'client', owner: 'ada' });
    // Read back from the store: the delete trigger gets what the store holds.
    const deleted = await server.call({ method: 'DELETE', path: `/files/${name}`, master: true });
    assert.equal(deleted.status, 200);
    assert.deepEqual(
      [beforeDeletes[0]?.['metadata'], beforeDeletes[0]?.['tags'], beforeDeletes[0]?.['contentType']],
      [{ source: 'client', owner: 'ada' }, { kind: 'note' }, 'text/csv'],
    );
  });

  it('a file with a url is answered as is and nothing is stored', async () => {
    const upload = await clientUpload(server, 'elsewhere.txt');
    assert.equal(upload.status, 201, upload.body.toString());
    assert.deepEqual(upload.json, { url: 'https://cdn.example.com/cdn.png', name: 'cdn.png' });
    assert.equal(upload.headers.location, 'https://cdn.example.com/cdn.png');
    assert.deepEqual([afterSaves[0]?.['name'], afterSaves[0]?.['url']], ['cdn.png', 'https://cdn.example.com/cdn.png']);
    assert.equal(afterSaves[0]?.['size'], undefined, 'no size: nothing was stored');
    const uploadedName = String(beforeSaves[0]?.['name']);
    const stored = await fetch(`${server.mountURL}/files/${APP_ID}/${uploadedName}`);
    assert.equal(stored.status, 404);
    await stored.arrayBuffer();
  });

  it('a swap is held to the client rules, and refusals keep their codes; nothing is stored', async () => {
    const cases: Array<[string, number, number, RegExp]> = [
      ['html.txt', 400, 130, /content type text\/html is disabled/],
      ['traversal.txt', 400, 122, /invalid characters/],
      ['proto.txt', 400, 105, /__proto__/],
      ['coded.txt', 400, 142, /^Not this file\.$/],
      ['plain.txt', 400, 130, /^Plain refusal\.$/],
    ];
    for (const [file, status, code, message] of cases) {
      beforeSaves.length = 0;
      afterSaves.length = 0;
      const upload = await clientUpload(server, file);
      assert.equal(upload.status, status, `${file}: ${upload.body.toString()}`);
      assert.equal(upload.json['code'], code, file);
      assert.match(String(upload.json['error']), message, file);
      assert.equal(afterSaves.length, 0, `${file}: no afterSave`);
      const stored = await fetch(`${server.mountURL}/files/${APP_ID}/${String(beforeSaves[0]?.['name'])}`);
      assert.equal(stored.status, 404, `${file}: not stored`);
      await stored.arrayBuffer();
    }
    // The master key may store active content, as it may upload it.
    const master = await uploadRaw({
      mountURL: server.mountURL,
      name: 'html.txt',
      body: Buffer.from('<b>hi</b>'),
      contentType: 'text/plain',
      master: true,
    });
    assert.equal(master.status, 201, master.body.toString());
  });
});

const PARSE_MAIN_JS = `
Parse.Cloud.define('serverConfig', (request) => {
  if (!Object.isFrozen(request.config)) throw new Error('request.config can be changed');
  return request.config;
});
Parse.Cloud.job('configJob', (request) => request.config.applicationId + ' ' + request.config.mountPath);
Parse.Cloud.beforeSave(Parse.File, (request) => {
  const name = request.file.name();
  if (name.endsWith('_rename.txt')) return new Parse.File('renamed.txt', undefined, undefined, { by: 'parse' }, { t: '1' });
  if (name.endsWith('_elsewhere.txt')) {
    return Parse.File.fromJSON({ __type: 'File', name: 'cdn.png', url: 'https://cdn.example.com/cdn.png' });
  }
  if (name.endsWith('_mutate.txt')) request.file.addMetadata('owner', request.config.applicationId);
  if (name.endsWith('_content.txt')) return new Parse.File('other.txt', { base64: 'aGk=' });
  if (name.endsWith('_fields.txt')) {
    request.file.addMetadata('ip', String(request.ip));
    request.file.addMetadata('header', String(request.headers['x-custom']));
    request.file.addMetadata('context', String(request.context.why));
    request.file.addMetadata('log', typeof request.log.info);
  }
});
Parse.Cloud.afterSave(Parse.File, async (request) => {
  const event = new Parse.Object('FileEvent');
  event.set('name', request.file.name());
  event.set('url', request.file.url());
  event.set('metadata', request.file.metadata());
  event.set('tags', request.file.tags());
  event.set('mount', request.config.mount);
  await event.save(null, { useMasterKey: true });
});
`;

describe('a Parse.File beforeSave swaps the file (Parse API)', () => {
  let dir: string;
  let server: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-file-swap-'));
    writeFileSync(join(dir, 'main.js'), PARSE_MAIN_JS);
    server = await startTestServer({ cloud: join(dir, 'main.js'), fileUploadPublic: true, appName: 'Swap' });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lastEvent = async (): Promise<Json> => {
    const events = await server.call({ path: '/classes/FileEvent?order=-createdAt&limit=1', master: true });
    return ((events.body as { results: Json[] }).results[0] ?? {}) as Json;
  };

  it('request.config is a frozen view without keys, with Parse names', async () => {
    const response = await server.call({ method: 'POST', path: '/functions/serverConfig', body: {} });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const config = (response.body as { result: Json }).result;
    const serverURL = server.mountURL.replace('127.0.0.1', 'localhost');
    assert.deepEqual(config, {
      appId: APP_ID,
      applicationId: APP_ID,
      mountPath: '/parse',
      serverURL,
      mount: serverURL,
      appName: 'Swap',
      version: config['version'],
    });
    assert.equal(typeof config['version'], 'string');
  });

  it('jobs get request.config too', async () => {
    const started = await server.call({ method: 'POST', path: '/jobs/configJob', body: {}, master: true });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const id = started.headers.get('x-parse-job-status-id');
    const deadline = Date.now() + 20_000;
    let status: Json = {};
    while (Date.now() < deadline) {
      status = (await server.call({ path: `/classes/_JobStatus/${String(id)}`, master: true })).body as Json;
      if (status['status'] !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual([status['status'], status['message']], ['succeeded', `${APP_ID} /parse`]);
  });

  it('a returned Parse.File is stored instead: its name (own prefix), metadata and tags', async () => {
    const upload = await clientUpload(server, 'rename.txt', { 'X-Parse-File-Metadata': '{"lost":"yes"}' });
    assert.equal(upload.status, 201, upload.body.toString());
    assert.match(String(upload.json['name']), /^[0-9a-f]{32}_renamed\.txt$/);
    assert.equal(await (await fetch(String(upload.json['url']))).text(), 'content of rename.txt');
    const event = await lastEvent();
    assert.deepEqual(
      [event['name'], event['url'], event['metadata'], event['tags'], event['mount']],
      [
        upload.json['name'],
        upload.json['url'],
        { by: 'parse' },
        { t: '1' },
        server.mountURL.replace('127.0.0.1', 'localhost'),
      ],
    );
  });

  it('a returned Parse.File with a url is answered without storing; changes to request.file are kept', async () => {
    const elsewhere = await clientUpload(server, 'elsewhere.txt');
    assert.equal(elsewhere.status, 201, elsewhere.body.toString());
    assert.deepEqual(elsewhere.json, { url: 'https://cdn.example.com/cdn.png', name: 'cdn.png' });

    const mutated = await clientUpload(server, 'mutate.txt');
    assert.equal(mutated.status, 201, mutated.body.toString());
    assert.match(String(mutated.json['name']), /_mutate\.txt$/);
    assert.deepEqual((await lastEvent())['metadata'], { owner: APP_ID });
  });

  it('request.ip, headers, context and log reach the file trigger', async () => {
    const upload = await clientUpload(server, 'fields.txt', {
      'X-Custom': 'hello',
      'X-Parse-Cloud-Context': '{"why":"test"}',
    });
    assert.equal(upload.status, 201, upload.body.toString());
    const metadata = (await lastEvent())['metadata'] as Json;
    assert.match(String(metadata['ip']), /127\.0\.0\.1/);
    assert.deepEqual([metadata['header'], metadata['context'], metadata['log']], ['hello', 'test', 'function']);
  });

  it('a returned file with its own content is refused with 130 (uploads are streamed), nothing stored', async () => {
    const upload = await clientUpload(server, 'content.txt');
    assert.equal(upload.status, 400);
    assert.equal(upload.json['code'], 130);
    assert.match(String(upload.json['error']), /cannot replace the uploaded content/);
  });
});
