/**
 * What the dashboard's browser tests share: where screenshots go, the two dashboard users (an admin and a
 * read-only viewer, hashed at bcrypt cost 4 so the tests stay fast), and signing in and opening a page of the
 * test app through the browser.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcrypt';
import type { Page } from 'playwright-core';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/**
 * docs/dashboard/ holds the committed screenshots: refreshed with STRATA_SCREENSHOTS=docs/dashboard, so an
 * ordinary run does not rewrite tracked files.
 */
export const SHOTS =
  process.env['STRATA_SCREENSHOTS'] === undefined
    ? join(tmpdir(), 'strata-dashboard-shots')
    : resolve(ROOT, process.env['STRATA_SCREENSHOTS']);

/** `admin` / `admin-password` and the read-only `viewer` / `viewer-password`. */
export const DASHBOARD_USERS = [
  { username: 'admin', passwordHash: bcrypt.hashSync('admin-password', 4) },
  { username: 'viewer', passwordHash: bcrypt.hashSync('viewer-password', 4), readOnly: true },
];

/** Signing in and opening `#/test-app/<route>` on the server whose URL `url()` gives (known once it started). */
export function dashboardPages(url: () => string): {
  signIn(page: Page, username: string, password: string): Promise<void>;
  open(page: Page, route: string): Promise<unknown>;
} {
  return {
    async signIn(page, username, password) {
      await page.goto(`${url()}/dashboard/`);
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
    },
    open: (page, route) => page.goto(`${url()}/dashboard/#/test-app/${route}`),
  };
}
