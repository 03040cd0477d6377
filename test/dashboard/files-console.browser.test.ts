/**
 * The dashboard's files page, API console and class counts in Debian's chromium against a real Strata server:
 * files listed a page at a time, an image and a text file previewed, a file deleted (checked through REST),
 * the orphan report; REST and GraphQL requests run through the dashboard server as the signed-in user (the
 * browser never sees a key, a read-only user's writes are refused by the app); the overview's p99 per route
 * and per cloud function and LiveQuery connections from /metrics. Saves screenshots.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../../server/src/testing/test-server.test-util.js';
import { RawLiveClient } from '../../server/src/live/live-client.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { chromiumSkipReason, launchChromium } from './chromium.js';
import { DASHBOARD_USERS, SHOTS, dashboardPages } from './pages.js';

const skip = chromiumSkipReason();
if (skip !== undefined) console.log(`dashboard files and console test skipped: ${skip}`);

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('dashboard files page and API console in chromium', skip === undefined ? {} : { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  const stored: Record<string, string> = {};

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer({
      readOnlyMasterKey: 'dash-ro-key',
      passwordHashCost: 4,
      dashboardUsers: () => DASHBOARD_USERS,
      cloudSetup: (registry) => {
        registry.defineFunction({
          name: 'hello',
          source: 'parse',
          handler: () => Promise.resolve({ result: 'hi' }),
        });
      },
    });
    const upload = async (name: string, body: Uint8Array | string, type: string): Promise<string> => {
      const res = await fetch(`${server.mountURL}/files/${name}`, {
        method: 'POST',
        headers: { 'X-Parse-Application-Id': 'test-app', 'X-Parse-Master-Key': MASTER_KEY, 'Content-Type': type },
        body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
      });
      assert.equal(res.status, 201);
      return ((await res.json()) as { name: string }).name;
    };
    stored['logo'] = await upload('logo.png', PNG, 'image/png');
    stored['readme'] = await upload('readme.txt', 'Hello from a stored text file', 'text/plain');
    stored['old'] = await upload('old.txt', 'nobody points here', 'text/plain');
    const made = await server.call({
      method: 'POST',
      path: '/classes/Product',
      master: true,
      body: {
        name: 'Lamp',
        photo: { __type: 'File', name: stored['logo'] },
        manual: { __type: 'File', name: stored['readme'] },
      },
    });
    assert.equal(made.status, 201);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const { signIn, open } = dashboardPages(() => server.url);

  it('lists, previews and deletes files, and reports the orphans', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await signIn(page, 'admin', 'admin-password');
    await open(page, 'files');
    for (const name of Object.values(stored)) await page.locator(`[data-file="${name}"]`).waitFor();

    // An image preview is served through the dashboard server and actually decodes.
    await page.getByRole('button', { name: `Preview ${stored['logo']}` }).click();
    const image = page.getByRole('img', { name: `Preview of ${stored['logo']}` });
    await image.waitFor();
    await page.waitForFunction((alt) => {
      const img = document.querySelector<HTMLImageElement>(`img[alt="${alt}"]`);
      return img !== null && img.complete && img.naturalWidth === 1;
    }, `Preview of ${stored['logo']}`);
    await page.getByRole('button', { name: `Preview ${stored['readme']}` }).click();
    await page.getByText('Hello from a stored text file').waitFor();
    await page.screenshot({ path: join(SHOTS, 'files.png') });

    // The orphan report: only the file no object refers to.
    await page.getByLabel('Only orphans (not referenced by any object)').check();
    await page.locator(`[data-file="${stored['old']}"]`).waitFor();
    await page.locator(`[data-file="${stored['logo']}"]`).waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-file]').count(), 1);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Delete ${stored['old']}` }).click();
    await page.getByRole('status').getByText(`Deleted ${stored['old']}`).waitFor();
    await page.getByText('No orphans on this page of files.').waitFor();
    const gone = await fetch(`${server.mountURL}/files/test-app/${stored['old']}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(errors, []);
    await page.close();

    // A read-only user sees the files but cannot delete one.
    const viewer = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(viewer, 'viewer', 'viewer-password');
    await open(viewer, 'files');
    await viewer.locator(`[data-file="${stored['logo']}"]`).waitFor();
    assert.equal(await viewer.getByRole('button', { name: `Delete ${stored['logo']}` }).isDisabled(), true);
    await viewer.close();
  });

  it('runs REST and GraphQL requests as the dashboard user, never with a key in the browser', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const sentHeaders: string[] = [];
    page.on('request', (request) => sentHeaders.push(JSON.stringify(request.headers())));
    await signIn(page, 'admin', 'admin-password');
    await open(page, 'console');
    await page.getByLabel('Method').selectOption('POST');
    await page.getByLabel('Path').fill('/classes/Note');
    await page.getByLabel('Body (JSON)').fill('{"text": "from the console"}');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('status').getByText('HTTP 201').waitFor();
    const notes = (await server.call({ path: '/classes/Note', master: true })).body as {
      results: Array<{ text: string }>;
    };
    assert.deepEqual(
      notes.results.map((n) => n.text),
      ['from the console'],
    );
    // Bad JSON is caught before anything is sent.
    await page.getByLabel('Body (JSON)').fill('{not json');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('alert').getByText('The body is not valid JSON').waitFor();
    await page.screenshot({ path: join(SHOTS, 'api-console.png') });

    await page.getByRole('link', { name: 'GraphQL' }).click();
    await page.getByLabel('Query').fill('query { notes { count } }');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('status').getByText('HTTP 200').waitFor();
    await page.getByLabel('Response body').getByText('"count": 1').waitFor();
    await page.screenshot({ path: join(SHOTS, 'api-console-graphql.png') });
    assert.ok(!sentHeaders.some((h) => h.includes(MASTER_KEY) || h.includes('dash-ro-key')));
    assert.ok(!(await page.content()).includes(MASTER_KEY));
    await page.close();

    // A read-only user reads through the console, but the app refuses their writes (REST and GraphQL).
    const viewer = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(viewer, 'viewer', 'viewer-password');
    await open(viewer, 'console');
    await viewer.getByLabel('Path').fill('/classes/Note');
    await viewer.getByRole('button', { name: 'Send request' }).click();
    await viewer.getByRole('status').getByText('HTTP 200').waitFor();
    await viewer.getByLabel('Response body').getByText('from the console').waitFor();
    await viewer.getByLabel('Method').selectOption('POST');
    await viewer.getByLabel('Body (JSON)').fill('{"text": "read-only write"}');
    await viewer.getByRole('button', { name: 'Send request' }).click();
    await viewer
      .getByRole('status')
      .getByText(/HTTP 4\d\d/)
      .waitFor();
    await viewer.getByRole('link', { name: 'GraphQL' }).click();
    await viewer
      .getByLabel('Query')
      .fill('mutation { createNote(input: { fields: { text: "read-only graphql" } }) { note { objectId } } }');
    await viewer.getByRole('button', { name: 'Run query' }).click();
    await viewer.getByLabel('Response body').getByText('errors').waitFor();
    const after = (await server.call({ path: '/classes/Note', master: true })).body as { results: unknown[] };
    assert.equal(after.results.length, 1);
    await viewer.close();
  });

  it('shows class counts from one call', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const paths: string[] = [];
    page.on('request', (request) => paths.push(decodeURIComponent(request.url())));
    await signIn(page, 'admin', 'admin-password');
    await open(page, 'browser');
    await page
      .getByRole('navigation', { name: 'Classes' })
      .getByRole('link', { name: /Product\s*1$/ })
      .waitFor();
    assert.equal(paths.filter((p) => p.includes('/classCounts')).length, 1);
    assert.ok(!paths.some((p) => /[?&]count=1/.test(p)), paths.join('\n'));

    // Export: a download streamed by the dashboard server, not assembled in the page.
    await open(page, 'browser/Product');
    await page.getByText('1 rows loaded').waitFor();
    for (const format of ['CSV', 'JSON'] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: `Export ${format}` }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `Product.${format.toLowerCase()}`);
      const path = await download.path();
      const text = await readFile(path, 'utf8');
      if (format === 'CSV') assert.match(text, /Lamp/);
      else assert.equal((JSON.parse(text) as Array<{ name: string }>)[0]?.name, 'Lamp');
    }
    await page.close();
  });

  it('charts p99 per route and per cloud function and LiveQuery connections from /metrics', async () => {
    for (let i = 0; i < 3; i++) {
      const ran = await server.call({ method: 'POST', path: '/functions/hello', body: {} });
      assert.equal(ran.status, 200);
    }
    const live = await RawLiveClient.open(server.mountURL);
    await live.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await signIn(page, 'admin', 'admin-password');
      await open(page, 'overview');
      await page.getByText('LiveQuery: 1 connection, 0 subscriptions').waitFor();
      await page.locator('[data-latency="function hello"]').waitFor();
      await page.locator('[data-latency="POST /functions/:functionName"]').waitFor();
      await page.getByRole('img', { name: 'p99 latency per route over time' }).locator('canvas').waitFor();
      // A second scrape gives the per-interval p99.
      await page.locator('[data-latency="function hello"] td').nth(1).filter({ hasText: /ms$/ }).waitFor();
      await page.screenshot({ path: join(SHOTS, 'overview-metrics.png'), fullPage: true });
      await page.close();
    } finally {
      await live.close();
    }
  });
});
