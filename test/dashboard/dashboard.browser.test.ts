/**
 * The dashboard in Debian's chromium against a real Strata server: sign-in and sign-out, a cell of every
 * Parse type edited through its editor (checked in the database through REST, not through the page), and a
 * read-only user who can look but whose writes the server refuses. Saves a screenshot of each page.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LogBuffer, createLogger } from '../../server/src/infra/index.js';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { chromiumSkipReason, launchChromium } from './chromium.js';
import { DASHBOARD_USERS, SHOTS, dashboardPages } from './pages.js';

const skip = chromiumSkipReason();
if (skip !== undefined) console.log(`dashboard browser test skipped: ${skip}`);

const FIELDS = {
  title: { type: 'String' },
  score: { type: 'Number' },
  done: { type: 'Boolean' },
  due: { type: 'Date' },
  meta: { type: 'Object' },
  tags: { type: 'Array' },
  place: { type: 'GeoPoint' },
  area: { type: 'Polygon' },
  attachment: { type: 'File' },
  owner: { type: 'Pointer', targetClass: '_User' },
  members: { type: 'Relation', targetClass: '_User' },
  blob: { type: 'Bytes' },
};

describe('dashboard in chromium', skip === undefined ? {} : { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let objectId = '';
  let aliceId = '';

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // The app's log lines go to a buffer (what GET /scriptlog and the Logs page show), not to stdout.
    const logs = new LogBuffer();
    server = await startTestServer({
      readOnlyMasterKey: 'dash-ro-key',
      passwordHashCost: 4,
      dashboardUsers: () => DASHBOARD_USERS,
      logs,
      logger: createLogger({ level: 'info', destination: { write: () => undefined }, buffer: logs }),
    });
    assert.equal(
      (
        await server.call({
          method: 'POST',
          path: '/schemas/Everything',
          master: true,
          body: { className: 'Everything', fields: FIELDS },
        })
      ).status,
      200,
    );
    const alice = await server.call({
      method: 'POST',
      path: '/users',
      body: { username: 'alice', password: 'alice-password' },
    });
    aliceId = String((alice.body as { objectId: string }).objectId);
    await server.call({
      method: 'POST',
      path: '/roles',
      master: true,
      body: { name: 'Staff', ACL: { '*': { read: true } } },
    });
    const created = await server.call({
      method: 'POST',
      path: '/classes/Everything',
      master: true,
      body: { title: 'first' },
    });
    objectId = String((created.body as { objectId: string }).objectId);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const { signIn } = dashboardPages(() => server.url);

  const stored = async (): Promise<Record<string, unknown>> =>
    (await server.call({ path: `/classes/Everything/${objectId}`, master: true })).body as Record<string, unknown>;

  const openCell = async (page: Page, field: string): Promise<void> => {
    await page.locator(`[data-object-id="${objectId}"] [data-field="${field}"]`).dblclick();
    try {
      await page.locator('dialog.editor').waitFor({ timeout: 5000 });
    } catch (err) {
      await page.screenshot({ path: '/tmp/dash-fail.png' });
      throw new Error(`the editor of ${field} did not open`, { cause: err });
    }
  };

  const saveEditor = async (page: Page): Promise<void> => {
    await page
      .locator('dialog.editor')
      .getByRole('button', { name: /^(Save|Add to relation)$/ })
      .click();
    await page.locator('dialog.editor').waitFor({ state: 'detached' });
  };

  it('signs in, edits a cell of every type, and signs out', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${server.url}/dashboard/`);
    await page.getByLabel('Username').waitFor();
    await page.screenshot({ path: join(SHOTS, 'sign-in.png') });
    await signIn(page, 'admin', 'admin-password');
    await page.screenshot({ path: join(SHOTS, 'overview.png') });
    assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');

    await page.goto(`${server.url}/dashboard/#/test-app/browser/Everything`);
    await page.locator(`[data-object-id="${objectId}"]`).waitFor();

    const textEdits: Array<[string, string]> = [
      ['title', 'edited in chromium'],
      ['score', '42'],
      ['due', '2025-02-03T04:05:06Z'],
      ['meta', '{"a":1,"b":[true]}'],
      ['tags', '["x",2]'],
      ['area', '[[0,0],[0,1],[1,1]]'],
      ['owner', aliceId],
      ['blob', 'aGVsbG8='],
    ];
    for (const [field, value] of textEdits) {
      await openCell(page, field);
      await page.locator('dialog.editor').locator('textarea, input').first().fill(value);
      await saveEditor(page);
    }
    // An invalid JSON object is refused in the page, and nothing is sent.
    await openCell(page, 'meta');
    await page.locator('dialog.editor textarea').fill('{not json');
    await page.locator('dialog.editor').getByRole('button', { name: 'Save' }).click();
    await page.locator('dialog.editor').getByRole('alert').waitFor();
    await page.locator('dialog.editor').getByRole('button', { name: 'Cancel' }).click();

    await openCell(page, 'done');
    await page.locator('dialog.editor select').selectOption('false');
    await saveEditor(page);

    await openCell(page, 'place');
    await page.getByLabel('Latitude').fill('48.85');
    await page.getByLabel('Longitude').fill('2.35');
    await saveEditor(page);

    await openCell(page, 'attachment');
    await page
      .locator('dialog.editor input[type=file]')
      .setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello file') });
    await saveEditor(page);

    await openCell(page, 'members');
    await page.locator('dialog.editor textarea').fill(aliceId);
    await saveEditor(page);

    await openCell(page, 'ACL');
    await page.getByLabel('Public write').uncheck();
    await page.getByLabel('Find user by username').fill('ali');
    await page.locator('dialog.editor').getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: new RegExp(`Add alice \\(${aliceId}\\)`) }).click();
    await page.getByLabel(`${aliceId} write`).check();
    await page.getByLabel('Add a user or a role').selectOption('role');
    await page.getByLabel('Find role by name').fill('Sta');
    await page.locator('dialog.editor').getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: 'Add role:Staff' }).click();
    await page.screenshot({ path: join(SHOTS, 'acl-editor.png') });
    await saveEditor(page);
    await page.screenshot({ path: join(SHOTS, 'data-browser.png') });

    const row = await stored();
    assert.equal(row['title'], 'edited in chromium');
    assert.equal(row['score'], 42);
    assert.equal(row['done'], false);
    assert.deepEqual(row['due'], { __type: 'Date', iso: '2025-02-03T04:05:06.000Z' });
    assert.deepEqual(row['meta'], { a: 1, b: [true] });
    assert.deepEqual(row['tags'], ['x', 2]);
    assert.deepEqual(row['place'], { __type: 'GeoPoint', latitude: 48.85, longitude: 2.35 });
    // The server closes the ring, as Parse does.
    assert.deepEqual(row['area'], {
      __type: 'Polygon',
      coordinates: [
        [0, 0],
        [0, 1],
        [1, 1],
        [0, 0],
      ],
    });
    assert.deepEqual(row['owner'], { __type: 'Pointer', className: '_User', objectId: aliceId });
    assert.deepEqual(row['blob'], { __type: 'Bytes', base64: 'aGVsbG8=' });
    const file = row['attachment'] as { name: string; url: string };
    assert.match(file.name, /hello\.txt$/);
    assert.equal(await (await fetch(file.url)).text(), 'hello file');
    assert.deepEqual(row['ACL'], {
      '*': { read: true },
      [aliceId]: { read: true, write: true },
      'role:Staff': { read: true },
    });
    const related = await server.call({
      path: `/classes/_User?where=${encodeURIComponent(JSON.stringify({ $relatedTo: { object: { __type: 'Pointer', className: 'Everything', objectId }, key: 'members' } }))}`,
      master: true,
    });
    assert.deepEqual(
      (related.body as { results: Array<{ objectId: string }> }).results.map((u) => u.objectId),
      [aliceId],
    );

    // Pointer navigation opens the target row.
    await page.getByRole('link', { name: `Open _User ${aliceId}` }).click();
    await page.locator(`[data-object-id="${aliceId}"]`).waitFor();

    // Schema: create a class, add a required field, and edit its CLP and protected fields.
    await page.getByRole('link', { name: 'Schema' }).click();
    await page.getByLabel('New class').fill('Secret');
    await page.getByRole('button', { name: 'Create class' }).click();
    await page.getByRole('heading', { name: 'Secret', level: 1 }).waitFor();
    await page.getByLabel('Field name').fill('note');
    await page.getByLabel('Required').check();
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByRole('rowheader', { name: 'note' }).waitFor();
    await page.getByLabel('Public create').uncheck();
    await page.getByLabel('Public delete').uncheck();
    await page.getByLabel('Add a role or user').fill('role:Staff');
    await page.getByRole('button', { name: 'Add row' }).click();
    await page.getByLabel('role:Staff create').check();
    await page.getByLabel('Protected fields for *').fill('note');
    await page.getByLabel('Protected fields for *').blur();
    await page.screenshot({ path: join(SHOTS, 'schema-clp.png') });
    await page.getByRole('button', { name: 'Save permissions' }).click();
    await page.getByText('Permissions saved').waitFor();
    const secret = (await server.call({ path: '/schemas/Secret', master: true })).body as {
      fields: Record<string, { type: string; required?: boolean }>;
      classLevelPermissions: Record<string, unknown>;
    };
    assert.deepEqual(secret.fields['note'], { type: 'String', required: true });
    assert.deepEqual(secret.classLevelPermissions['create'], { 'role:Staff': true });
    assert.deepEqual(secret.classLevelPermissions['delete'], {});
    assert.deepEqual(secret.classLevelPermissions['find'], { '*': true });
    assert.deepEqual(secret.classLevelPermissions['protectedFields'], { '*': ['note'] });

    // The server's request log lines, from /scriptlog, with their request ids.
    await page.getByRole('link', { name: 'Logs' }).click();
    await page
      .locator('.log-table tbody tr')
      .first()
      .waitFor()
      .catch(async (err: unknown) => {
        await page.screenshot({ path: '/tmp/dash-logs.png' });
        throw err;
      });
    await page.getByLabel('Level').selectOption('error');
    await page.getByLabel('Level').selectOption('info');
    await page.locator('.log-table button.link').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'logs.png') });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').waitFor();
    const afterSignOut = await page.evaluate(async () => (await fetch('/dashboard/api/session')).status);
    assert.equal(afterSignOut, 401);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a read-only user sees the data, has no write controls, and the server refuses their writes', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, 'viewer', 'viewer-password');
    await page.goto(`${server.url}/dashboard/#/test-app/browser/Everything`);
    await page.locator(`[data-object-id="${objectId}"]`).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add row' }).isDisabled(), true);
    await page.getByText('read-only').waitFor();
    const before = await stored();
    const answer = await page.evaluate(async (id) => {
      const session = (await (await fetch('/dashboard/api/session')).json()) as { csrfToken: string };
      const response = await fetch(`/dashboard/api/apps/test-app/classes/Everything/${id}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
        body: JSON.stringify({ title: 'changed by a read-only user' }),
      });
      return { status: response.status, body: (await response.json()) as { code?: number } };
    }, objectId);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 119);
    assert.equal((await stored())['title'], before['title']);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').waitFor();
    await page.close();
  });
});
