import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';

/**
 * Cloud code in a directory without `@strata/server` installed (a mounted `cloud/` directory, a temp dir):
 * `@strata/server/cloud` resolves to the running server's own module, whether the loader compiles the module
 * to CommonJS (a `.ts` without `"type": "module"`) or loads it as ESM (`.mjs`, `"type": "module"`).
 */
describe('cloud code importing @strata/server/cloud from outside a project that installs it', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh directory under the OS temp dir (no node_modules above it) holding `files`. */
  function cloudDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'strata-cloud-resolve-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }

  async function callHello(cloud: string): Promise<unknown> {
    const server = await startTestServer({ cloud });
    try {
      const response = await server.call({ method: 'POST', path: '/functions/hello', body: { name: 'Ada' } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return (response.body as { result?: unknown }).result;
    } finally {
      await server.close();
    }
  }

  const TYPED = `
import { defineFunction, StrataCloudError } from '@strata/server/cloud';
import type { FunctionContext } from '@strata/server/cloud';
defineFunction<{ name?: string }, string>('hello', (request: FunctionContext<{ name?: string }>) => {
  if (request.params.name === undefined) throw new StrataCloudError(142, 'name?');
  return 'Hello ' + request.params.name;
});
`;

  it('a .ts module compiled to CommonJS (no "type": "module")', async () => {
    const dir = cloudDir({ 'main.ts': TYPED });
    assert.equal(await callHello(join(dir, 'main.ts')), 'Hello Ada');
  });

  it('a .ts module under "type": "module", importing a sibling by its .js name', async () => {
    const dir = cloudDir({
      'package.json': '{"type":"module"}',
      'main.ts': "import './functions/hello.js';\n",
      'functions/hello.ts': TYPED,
    });
    assert.equal(await callHello(join(dir, 'main.ts')), 'Hello Ada');
  });

  it('an .mjs module, also reaching @strata/server/testing', async () => {
    const dir = cloudDir({
      'main.mjs': `
import { defineFunction } from '@strata/server/cloud';
import { loadCloudForTest } from '@strata/server/testing';
defineFunction('hello', (request) => typeof loadCloudForTest + ' ' + request.params.name);
`,
    });
    assert.equal(await callHello(join(dir, 'main.mjs')), 'function Ada');
  });

  it('a .cjs module', async () => {
    const dir = cloudDir({
      'main.cjs': `
const { defineFunction } = require('@strata/server/cloud');
defineFunction('hello', (request) => 'cjs ' + request.params.name);
`,
    });
    assert.equal(await callHello(join(dir, 'main.cjs')), 'cjs Ada');
  });

  it("a project's own installed copy wins over the server's", async () => {
    const own = `
globalThis.__strataOwnCopy = (globalThis.__strataOwnCopy ?? 0) + 1;
export * from ${JSON.stringify(new URL('../cloud-api.ts', import.meta.url).href)};
`;
    const dir = cloudDir({
      'package.json': '{"type":"module"}',
      'node_modules/@strata/server/package.json': JSON.stringify({
        name: '@strata/server',
        type: 'module',
        exports: { './cloud': './cloud.js' },
      }),
      'node_modules/@strata/server/cloud.js': own,
      'main.ts': TYPED,
    });
    const holder = globalThis as { __strataOwnCopy?: number };
    const before = holder.__strataOwnCopy ?? 0;
    assert.equal(await callHello(join(dir, 'main.ts')), 'Hello Ada');
    assert.equal(holder.__strataOwnCopy, before + 1);
  });

  it('other names still fail to load, naming the module', async () => {
    const dir = cloudDir({ 'main.mjs': "import '@strata/server/not-a-module';\n" });
    await assert.rejects(startTestServer({ cloud: join(dir, 'main.mjs') }), (err: Error) => {
      assert.match(err.message, /failed to load/);
      assert.match(err.message, /Cannot find (package|module) '@strata\/server/);
      return true;
    });
  });
});
