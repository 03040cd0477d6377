/**
 * The data browser on a 1,000,000-row class in Debian's chromium: the first rows appear without counting or
 * skipping through the class, and scrolling loads the next page after the last objectId (cursor paging).
 * The rows are written straight into the SQLite file (through REST they would take minutes); the times are
 * printed, never asserted (bench/ measures speed).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { chromiumSkipReason, launchChromium } from './chromium.js';

const ROWS = 1_000_000;
// Hashed once: a session cookie is bound to the hash it was issued under.
const USERS = [{ username: 'admin', passwordHash: bcrypt.hashSync('admin-password', 4) }];
const skip = chromiumSkipReason();
if (skip !== undefined) console.log(`dashboard large class test skipped: ${skip}`);

describe('data browser on a 1,000,000-row class', skip === undefined ? {} : { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'strata-large-class-'));

  before(async () => {
    const file = join(dir, 'big.db');
    server = await startTestServer({
      databaseURI: `sqlite:${file}`,
      passwordHashCost: 4,
      dashboardUsers: () => USERS,
    });
    const created = await server.call({
      method: 'POST',
      path: '/classes/Big',
      master: true,
      body: { n: 0, label: 'template' },
    });
    assert.equal(created.status, 201);
    // Copies the one row REST wrote (its stored dates and permissions) a million times, each with its own
    // objectId and n, in one statement.
    const started = performance.now();
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 10000');
      const table = (
        db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%Big%'`).get() as {
          name: string;
        }
      ).name;
      const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map(
        (c) => c.name,
      );
      const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;
      const values = columns.map((c) =>
        c === 'objectId' ? `printf('r%09d', x)` : c === 'n' ? 'x' : c === 'label' ? `'row ' || x` : `t.${quoted(c)}`,
      );
      db.exec(
        `WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < ${ROWS - 1}) ` +
          `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) ` +
          `SELECT ${values.join(', ')} FROM cnt, (SELECT * FROM ${quoted(table)} LIMIT 1) AS t`,
      );
      const total = (db.prepare(`SELECT count(*) AS n FROM ${quoted(table)}`).get() as { n: number }).n;
      assert.equal(total, ROWS);
    } finally {
      db.close();
    }
    console.log(`seeded ${ROWS.toLocaleString()} rows in ${Math.round(performance.now() - started)} ms`);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the first rows, then the next page on scroll (times printed, not asserted)', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const paths: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/classes/Big')) paths.push(decodeURIComponent(request.url()));
    });

    const loadStarted = performance.now();
    await page.goto(`${server.url}/dashboard/`);
    await page.getByLabel('Username').waitFor();
    const firstLoad = performance.now() - loadStarted;
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('admin-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('navigation', { name: 'Dashboard' })
      .waitFor()
      .catch(async (err: unknown) => {
        await page.screenshot({ path: join(tmpdir(), 'dash-large-signin.png') });
        throw err;
      });

    const started = performance.now();
    await page.goto(`${server.url}/dashboard/#/test-app/browser/Big`);
    await page.locator('[data-object-id="r000000001"]').waitFor();
    const firstRows = performance.now() - started;
    await page.getByText('200 rows loaded').waitFor();

    const scrolled = performance.now();
    await page.getByRole('grid', { name: 'Big rows' }).evaluate((grid) => grid.scrollTo(0, grid.scrollHeight));
    // Virtualized: the rows scrolled past leave the DOM, so the count of loaded rows tells the page arrived.
    await page.waitForFunction(() => {
      const match = /([\d,]+) rows loaded/.exec(document.body.innerText);
      return match !== null && Number((match[1] ?? '').replace(/,/g, '')) >= 400;
    });
    const nextPage = performance.now() - scrolled;
    console.log(
      `dashboard: first load ${Math.round(firstLoad)} ms; first rows of ${ROWS.toLocaleString()} ` +
        `${Math.round(firstRows)} ms; next page on scroll ${Math.round(nextPage)} ms`,
    );
    // The second page continues after the last objectId of the first: no skip through the class.
    const pages = paths.filter((p) => p.includes('limit=200'));
    assert.ok(pages.length >= 2, paths.join('\n'));
    assert.ok(!pages.some((p) => /[?&]skip=/.test(p)), pages.join('\n'));
    assert.ok(
      pages.some((p) => p.includes('"objectId":{"$gt":')),
      pages.join('\n'),
    );

    // The class list shows the database's estimate; nothing counted the million rows until asked.
    const classes = page.getByRole('navigation', { name: 'Classes' });
    await classes.getByRole('link', { name: /Big\s*≈ 1,000,000/ }).waitFor();
    assert.ok(!paths.some((p) => /[?&]count=1/.test(p)), paths.join('\n'));
    const counting = performance.now();
    await page.getByRole('button', { name: 'Count exactly' }).click();
    await page.getByText('Exactly 1,000,000 objects.').waitFor();
    console.log(
      `dashboard: exact count of ${ROWS.toLocaleString()} rows on demand ${Math.round(performance.now() - counting)} ms`,
    );
    assert.ok(paths.some((p) => /[?&]count=1/.test(p)));
    await page.close();
  });
});
