import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ParseError } from './errors/index.js';
import { startTestServer } from './testing/test-server.test-util.js';
import type { TestServer } from './testing/test-server.test-util.js';

function cloudDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cloud-load-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('createApp --cloud: loading cloud code', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('stops the start with the file and the error when the module throws while loading', async () => {
    const dir = cloudDir({
      'main.js': "Parse.Cloud.define('x', () => 1);\nthrow new Error('no config for the mailer');\n",
    });
    dirs.push(dir);
    await assert.rejects(
      () => startTestServer({ cloud: join(dir, 'main.js') }),
      (err: unknown) =>
        err instanceof ParseError &&
        err.message.includes(join(dir, 'main.js')) &&
        /no config for the mailer/.test(err.message) &&
        // Where in the developer's file, without the loader's namespace query.
        /main\.js:2:\d+\)+$/.test(err.message),
    );
  });

  it('stops the start on a syntax error in TypeScript cloud code, naming the file', async () => {
    const dir = cloudDir({ 'main.ts': 'const x: number = ;\n' });
    dirs.push(dir);
    await assert.rejects(
      () => startTestServer({ cloud: join(dir, 'main.ts') }),
      (err: unknown) =>
        err instanceof ParseError && err.message.includes('main.ts') && /failed to load/.test(err.message),
    );
  });

  it('refuses a --cloud path that does not exist', async () => {
    await assert.rejects(
      () => startTestServer({ cloud: '/nonexistent/cloud/main.js' }),
      (err: unknown) =>
        err instanceof ParseError && /--cloud \/nonexistent\/cloud\/main\.js: no such file/.test(err.message),
    );
  });

  it('refuses a registration Parse rejects (a beforeSave on _Session) at start', async () => {
    const dir = cloudDir({ 'main.js': "Parse.Cloud.beforeSave('_Session', () => {});\n" });
    dirs.push(dir);
    await assert.rejects(
      () => startTestServer({ cloud: join(dir, 'main.js') }),
      (err: unknown) => err instanceof ParseError && /not allowed on _Session/.test(err.message),
    );
  });
});

describe('createApp --cloud: Parse cloud code answers over HTTP', () => {
  let dir: string;
  let server: TestServer;

  before(async () => {
    dir = cloudDir({
      'package.json': '{"type":"module"}\n',
      // ESM TypeScript entry with a relative import, mixing Parse's API and a helper module.
      'main.ts': [
        "import { greet } from './lib/greet.js';",
        "import type ParseSDK from 'parse/node';",
        'declare const Parse: typeof ParseSDK;',
        "Parse.Cloud.define('hello', (request) => greet(request.params.name));",
        "Parse.Cloud.define('stats', async () => {",
        "  const item = new Parse.Object('LoadItem');",
        "  item.set('n', 1);",
        '  await item.save(null, { useMasterKey: true });',
        "  const count = await new Parse.Query('LoadItem').count({ useMasterKey: true });",
        '  return { count, item };',
        '});',
        "Parse.Cloud.define('fails', () => { throw new Parse.Error(3001, 'custom failure'); });",
        "Parse.Cloud.define('early', async () => new Parse.Query('LoadItem').find());",
      ].join('\n'),
      'lib/greet.ts': "export const greet = (name?: string): string => `Hello ${name ?? 'world'}`;\n",
    });
    server = await startTestServer({ cloud: join(dir, 'main.ts') });
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a function defined with Parse.Cloud.define', async () => {
    const response = await server.call({ method: 'POST', path: '/functions/hello', body: { name: 'Ada' } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { result: 'Hello Ada' });
  });

  it('answers Parse SDK calls made inside the function in-process, and encodes Parse.Objects fully', async () => {
    const response = await server.call({ method: 'POST', path: '/functions/stats', body: {} });
    assert.equal(response.status, 200);
    const result = (response.body as { result: { count: number; item: Record<string, unknown> } }).result;
    assert.equal(result.count, 1);
    assert.equal(result.item['__type'], 'Object');
    assert.equal(result.item['className'], 'LoadItem');
    assert.equal(result.item['n'], 1);
    assert.equal(typeof result.item['objectId'], 'string');
  });

  it('passes a Parse.Error code through to the client', async () => {
    const response = await server.call({ method: 'POST', path: '/functions/fails', body: {} });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body, { code: 3001, error: 'custom failure' });
  });

  it('runs queries without useMasterKey as an anonymous caller', async () => {
    const response = await server.call({ method: 'POST', path: '/functions/early', body: {} });
    assert.equal(response.status, 200);
    assert.ok(Array.isArray((response.body as { result: unknown[] }).result));
  });
});
