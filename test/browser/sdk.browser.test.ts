/**
 * `@strata/sdk` in a real browser: `sdk/src` bundled by esbuild, loaded as an ES module by a page served from
 * its own origin (a small node:http server), run in Debian's chromium through playwright-core against a real
 * Strata server on another origin (so CORS is exercised). The page signs up, creates, queries and uploads a
 * file; the test asserts what the page read back and checks the server's copy independently.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { APP_ID, CLIENT_KEY, startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import type * as sdkModule from '../../sdk/src/index.js';

type Sdk = typeof sdkModule;

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const CHROMIUM = '/usr/bin/chromium';

const chromiumSkip =
  existsSync(CHROMIUM) || process.env['STRATA_REQUIRE_SERVICES'] === '1'
    ? undefined
    : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
if (chromiumSkip !== undefined) console.log(`SDK browser test skipped: ${chromiumSkip}`);

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>strata sdk</title></head>
<body><script type="module">
import * as strata from '/sdk.js';
window.strata = strata;
document.title = 'ready';
</script></body></html>`;

/** Serves the page and the bundle from an origin other than the Strata server's. */
async function servePage(bundle: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/sdk.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(bundle);
    } else if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('@strata/sdk in chromium', chromiumSkip === undefined ? {} : { skip: chromiumSkip }, () => {
  let strata: TestServer;
  let page: { server: Server; origin: string };
  let browser: Browser;

  before(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing (STRATA_REQUIRE_SERVICES=1): apt-get install -y chromium`);
    strata = await startTestServer();
    const bundled = await build({
      entryPoints: [join(ROOT, 'sdk/src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const code = bundled.outputFiles[0]?.text;
    assert.ok(code !== undefined && code.length > 0, 'esbuild produced no bundle');
    page = await servePage(code);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    await new Promise((done) => page?.server.close(done));
    await strata?.close();
  });

  it('signs up, creates, queries and uploads a file from a page on another origin', async () => {
    const tab = await browser.newPage();
    const consoleErrors: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await tab.goto(`${page.origin}/`);
    await tab.waitForFunction(() => document.title === 'ready', undefined, { timeout: 20_000 });

    const result = await tab.evaluate(
      async (args) => {
        const sdk = (window as unknown as { strata: Sdk }).strata;
        const client = sdk.createClient({ serverURL: args.serverURL, appId: args.appId, clientKey: args.clientKey });
        const signedUp = await client.auth.signUp({ username: 'browser-ann', password: 'pw-from-chromium-1' });
        const current = await client.auth.currentUser();
        const todos = client.collection<{ title: string; done: boolean; rank: number }>('BrowserTodo');
        const first = await todos.create({ title: 'written in chromium', done: false, rank: 2 });
        await todos.create({ title: 'second', done: true, rank: 1 });
        const open = await todos.where({ done: false }).find();
        const ordered = await todos.query().order('rank').find();
        const file = await client.files.upload('hello.txt', new Blob(['hello from chromium'], { type: 'text/plain' }));
        const upload = { name: file.name, url: file.url, text: await (await fetch(file.url)).text() };
        return {
          origin: location.origin,
          userId: signedUp.objectId,
          hasSessionToken: typeof (await client.auth.sessionToken()) === 'string',
          currentUsername: current?.username,
          createdId: first.objectId,
          createdAtIsDate: first.createdAt instanceof Date,
          openTitles: open.map((todo) => todo.title),
          orderedTitles: ordered.map((todo) => todo.title),
          upload,
        };
      },
      { serverURL: strata.mountURL, appId: APP_ID, clientKey: CLIENT_KEY },
    );

    assert.notEqual(result.origin, new URL(strata.mountURL).origin, 'the page runs on another origin');
    assert.match(result.userId, /^[A-Za-z0-9]{10}$/);
    assert.equal(result.hasSessionToken, true);
    assert.equal(result.currentUsername, 'browser-ann');
    assert.equal(result.createdAtIsDate, true);
    assert.deepEqual(result.openTitles, ['written in chromium']);
    assert.deepEqual(result.orderedTitles, ['second', 'written in chromium']);

    // The server's own copy, read with the master key, matches what the page saw.
    const stored = await strata.call({ path: `/classes/BrowserTodo/${result.createdId}`, master: true });
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.equal((stored.body as Record<string, unknown>)['title'], 'written in chromium');
    const users = await strata.call({ path: `/users/${result.userId}`, master: true });
    assert.equal((users.body as Record<string, unknown>)['username'], 'browser-ann');

    assert.match(result.upload.name, /hello\.txt$/);
    assert.equal(result.upload.text, 'hello from chromium');
    const download = await fetch(result.upload.url);
    assert.equal(await download.text(), 'hello from chromium');
    assert.deepEqual(consoleErrors, []);
    await tab.close();
  });
});
