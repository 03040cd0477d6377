/**
 * Accessibility of every dashboard page in Debian's chromium: axe-core (WCAG 2 A and AA rules: labels,
 * contrast, names, structure) runs on the sign-in page and on each page of the navigation, with data in it;
 * at a phone's width every page fits the screen (no sideways scrolling of the page) and the menu opens from
 * the keyboard. Any violation fails the test and is printed with the elements it concerns.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcrypt';
import type { Browser, Page } from 'playwright-core';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { chromiumSkipReason, launchChromium } from './chromium.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const skip = chromiumSkipReason();
if (skip !== undefined) console.log(`dashboard accessibility test skipped: ${skip}`);

const USERS = [{ username: 'admin', passwordHash: bcrypt.hashSync('admin-password', 4) }];
/** Every page of the navigation, with the sub-pages that have their own layout. */
const PAGES = [
  'overview',
  'browser/Note',
  'schema/Note',
  'users/users',
  'users/roles',
  'cloud',
  'jobs',
  'push',
  'files',
  'config',
  'webhooks',
  'logs',
  'console',
  'console/graphql',
  'slow-queries',
];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

async function audit(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  });
  return (violations as Violation[]).map(
    (v) =>
      `${v.id} (${v.impact ?? 'unknown'}): ${v.help}\n` +
      v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`.replace(/\n/g, ' ')).join('\n'),
  );
}

describe('dashboard accessibility in chromium', skip === undefined ? {} : { skip }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await startTestServer({ passwordHashCost: 4, slowQueryMs: 0, dashboardUsers: () => USERS });
    for (const text of ['first', 'second']) {
      await server.call({ method: 'POST', path: '/classes/Note', master: true, body: { text, n: 1 } });
    }
    await server.call({ method: 'POST', path: '/roles', master: true, body: { name: 'Editors', ACL: {} } });
    await server.call({ method: 'POST', path: '/users', body: { username: 'bob', password: 'bob-pass' } });
    await server.call({ method: 'PUT', path: '/config', master: true, body: { params: { greeting: 'hi' } } });
    await server.call({ path: '/classes/Note?where=%7B%22text%22%3A%22first%22%7D', master: true });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = async (page: Page): Promise<void> => {
    await page.goto(`${server.url}/dashboard/`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('admin-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // At a phone's width the navigation is behind the menu button.
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  };

  it('axe finds no WCAG 2 A/AA violation on any page', async () => {
    // The dashboard's CSP allows only its own scripts: the test injects axe past it.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    await page.goto(`${server.url}/dashboard/`);
    await page.getByLabel('Username').waitFor();
    const found: string[] = (await audit(page)).map((v) => `sign-in: ${v}`);
    await signIn(page);
    for (const route of PAGES) {
      await page.goto(`${server.url}/dashboard/#/test-app/${route}`);
      await page.locator('main h1, main [role=grid]').first().waitFor();
      // Let the page's first requests settle, so what axe sees is the page with its data.
      await page.waitForLoadState('networkidle');
      found.push(...(await audit(page)).map((v) => `${route}: ${v}`));
    }
    await page.close();
    assert.deepEqual(found, [], `\n${found.join('\n')}`);
  });

  it('fits a phone screen and opens the menu from the keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await signIn(page);
    const tooWide: string[] = [];
    for (const route of PAGES) {
      await page.goto(`${server.url}/dashboard/#/test-app/${route}`);
      await page.locator('main h1, main [role=grid]').first().waitFor();
      await page.waitForLoadState('networkidle');
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        screen: window.innerWidth,
      }));
      if (widths.page > widths.screen + 1) tooWide.push(`${route}: ${widths.page}px on a ${widths.screen}px screen`);
    }
    assert.deepEqual(tooWide, []);
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.focus();
    await page.keyboard.press('Enter');
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Files' }).click();
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    await page.close();
  });
});
