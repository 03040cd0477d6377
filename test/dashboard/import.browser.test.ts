/**
 * The data browser's streamed import in Debian's chromium against a real Strata server: a CSV with some bad
 * rows is uploaded through the page, the report lists each refused row (row number, Parse code, message)
 * and the counts, and the good rows are in the database (checked through REST, not through the page) and in
 * the grid; the streamed export then downloads them. A read-only user's Import is disabled.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { chromiumSkipReason, launchChromium } from './chromium.js';
import { DASHBOARD_USERS, SHOTS, dashboardPages } from './pages.js';

const skip = chromiumSkipReason();
if (skip !== undefined) console.log(`dashboard import browser test skipped: ${skip}`);

describe('data browser import in chromium', skip === undefined ? {} : { skip }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer({
      readOnlyMasterKey: 'import-ro-key',
      passwordHashCost: 4,
      dashboardUsers: () => DASHBOARD_USERS,
    });
    const made = await server.call({
      method: 'POST',
      path: '/schemas/Book',
      master: true,
      body: {
        className: 'Book',
        fields: { title: { type: 'String' }, pages: { type: 'Number' }, read: { type: 'Boolean' } },
      },
    });
    assert.equal(made.status, 200);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const { signIn } = dashboardPages(() => server.url);

  it('imports a CSV with bad rows: each refused row is listed, the others are created', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await signIn(page, 'admin', 'admin-password');
    await page.goto(`${server.url}/dashboard/#/test-app/browser/Book`);
    await page.getByRole('grid', { name: 'Book rows' }).waitFor();
    const csv = [
      'title,pages,read',
      'Dune,412,true',
      'Emma,many,false',
      'Ulysses,730,perhaps',
      'Beloved,324,false',
      'Middlemarch,880',
      'Walden,352,true',
    ].join('\r\n');
    await page
      .locator('.grid-toolbar input[type=file]')
      .setInputFiles({ name: 'books.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const report = page.getByRole('region', { name: 'Import report' });
    await report.getByText('Imported books.csv: 6 rows, 3 created, 0 updated, 3 failed').waitFor();
    const failures = await report.locator('tbody tr').allInnerTexts();
    assert.equal(failures.length, 3);
    assert.match(failures[0] ?? '', /^2\s+111\s+pages: "many" is not a number/);
    assert.match(failures[1] ?? '', /^3\s+111\s+read: "perhaps" is not true or false/);
    assert.match(failures[2] ?? '', /^5\s+107\s+Line 6: 2 cells, but the header names 3 fields/);
    await page.locator('[role=row][data-object-id]').nth(2).waitFor();
    await page.screenshot({ path: join(SHOTS, 'import-report.png') });

    const found = await server.call({ path: '/classes/Book?order=title', master: true });
    const books = (found.body as { results: Array<Record<string, unknown>> }).results;
    assert.deepEqual(
      books.map((b) => [b['title'], b['pages'], b['read']]),
      [
        ['Beloved', 324, false],
        ['Dune', 412, true],
        ['Walden', 352, true],
      ],
    );
    assert.equal(await page.locator('[role=row][data-object-id]').count(), 3);
    await report.getByRole('button', { name: 'Close import report' }).click();
    await report.waitFor({ state: 'detached' });

    // And back out: the streamed export downloads what was imported.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'Book.csv');
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\r\n');
    assert.equal(lines.length, 4, lines.join(' | '));
    assert.ok(lines[0]?.split(',').includes('title'));
    assert.deepEqual(lines.slice(1).filter((l) => /,Dune,|,Walden,|,Beloved,/.test(`,${l},`)).length, 3);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("a read-only user's Import is disabled", async () => {
    const page = await browser.newPage();
    await signIn(page, 'viewer', 'viewer-password');
    await page.goto(`${server.url}/dashboard/#/test-app/browser/Book`);
    await page.getByRole('grid', { name: 'Book rows' }).waitFor();
    assert.equal(await page.locator('.grid-toolbar input[type=file]').isDisabled(), true);
    await page.close();
  });
});
