/**
 * The dashboard's admin pages in Debian's chromium against a real Strata server: users, roles and sessions
 * (a session revoked stops working), config with a master-key-only parameter (hidden from the client key),
 * webhooks, cloud code (a function run with params) and jobs (a run with its progress and log lines, a
 * schedule). Every effect is checked through REST, not through the page. A read-only user sees each page and
 * the server refuses their writes. Saves a screenshot of each page.
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
if (skip !== undefined) console.log(`dashboard admin pages test skipped: ${skip}`);

describe('dashboard admin pages in chromium', skip === undefined ? {} : { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let bobId = '';
  let bobToken = '';
  // The job waits for this before finishing, so the page sees it running.
  let releaseJob: () => void = () => undefined;
  const jobMayFinish = new Promise<void>((done) => {
    releaseJob = done;
  });

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const logs = new LogBuffer();
    server = await startTestServer({
      readOnlyMasterKey: 'dash-ro-key',
      passwordHashCost: 4,
      // Every find is recorded, so the slow queries page has something to show without a slow machine.
      slowQueryMs: 0,
      dashboardUsers: () => DASHBOARD_USERS,
      logs,
      logger: createLogger({ level: 'info', destination: { write: () => undefined }, buffer: logs }),
      cloudSetup: (registry) => {
        registry.defineFunction({
          name: 'double',
          source: 'parse',
          handler: (request) => Promise.resolve({ result: { doubled: Number(request.params['n']) * 2 } }),
        });
        registry.defineTrigger({
          triggerName: 'beforeSave',
          className: 'Order',
          source: 'strata',
          handler: () => Promise.resolve(undefined),
        });
        registry.defineJob({
          name: 'importOrders',
          source: 'parse',
          handler: async (request) => {
            request.log.info(`importing ${String(request.params['batch'])}`);
            await request.progress(40);
            await request.message('halfway');
            await jobMayFinish;
            request.log.info('import finished');
            return 'imported';
          },
        });
      },
    });
    const bob = await server.call({ method: 'POST', path: '/users', body: { username: 'bob', password: 'bob-pass' } });
    bobId = String((bob.body as { objectId: string }).objectId);
    bobToken = String((bob.body as { sessionToken: string }).sessionToken);
    await server.call({ method: 'POST', path: '/roles', master: true, body: { name: 'Editors', ACL: {} } });
    browser = await launchChromium();
  });

  after(async () => {
    releaseJob();
    await browser?.close();
    await server?.close();
  });

  const { signIn, open } = dashboardPages(() => server.url);
  const status = (page: Page): ReturnType<Page['getByRole']> => page.locator('p[role=status]');

  it('manages users, roles, sessions, config, webhooks, cloud code and jobs', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await signIn(page, 'admin', 'admin-password');

    // Roles: bob joins Editors through the role's users relation.
    await open(page, 'users/roles');
    await page.getByRole('button', { name: 'Editors' }).click();
    await page.getByLabel('Add a user (username or id)').fill('bob');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('button', { name: 'Remove bob from Editors' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'roles.png') });
    const inRole = await server.call({
      path: `/users?where=${encodeURIComponent(JSON.stringify({ $relatedTo: { object: { __type: 'Pointer', className: '_Role', objectId: await roleId('Editors') }, key: 'users' } }))}`,
      master: true,
    });
    assert.deepEqual(
      (inRole.body as { results: Array<{ objectId: string }> }).results.map((u) => u.objectId),
      [bobId],
    );

    // Sessions: bob's session is listed and revoked; his token stops working.
    assert.equal(
      (await server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': bobToken } })).status,
      200,
    );
    await open(page, 'users/users');
    await page.getByRole('button', { name: 'Sessions of bob', exact: true }).click();
    await page.locator('[data-session-id]').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'users-sessions.png') });
    await page.getByRole('button', { name: 'Revoke all sessions of bob' }).click();
    await status(page).getByText('Signed bob out everywhere').waitFor();
    const afterRevoke = await server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': bobToken } });
    assert.equal(afterRevoke.status, 400);
    assert.equal((afterRevoke.body as { code: number }).code, 209);

    // Config: a public parameter and a master-key-only one; the client key sees only the first.
    await open(page, 'config');
    await page.getByLabel('New parameter').fill('welcome');
    await page.getByLabel('Value', { exact: true }).fill('"hello"');
    await page.getByRole('button', { name: 'Add parameter' }).click();
    await page.locator('[data-param=welcome]').waitFor();
    await page.getByLabel('New parameter').fill('apiSecret');
    await page.getByLabel('Value', { exact: true }).fill('{"token": "s3cret"}');
    await page.getByLabel('Master key only').check();
    await page.getByRole('button', { name: 'Add parameter' }).click();
    await page.locator('[data-param=apiSecret]').waitFor();
    await page.getByRole('button', { name: 'Edit welcome' }).click();
    await page.getByLabel('Value of welcome').fill('"hi there"');
    await page.getByRole('button', { name: 'Save welcome' }).click();
    await status(page).getByText('Saved welcome').waitFor();
    await page.screenshot({ path: join(SHOTS, 'config.png') });
    assert.deepEqual(((await server.call({ path: '/config' })).body as { params: unknown }).params, {
      welcome: 'hi there',
    });
    assert.deepEqual(await server.call({ path: '/config', master: true }).then((r) => r.body), {
      params: { welcome: 'hi there', apiSecret: { token: 's3cret' } },
      masterKeyOnly: { welcome: false, apiSecret: true },
    });
    // An invalid value is refused in the page, nothing is sent.
    await page.getByLabel('New parameter').fill('broken');
    await page.getByLabel('Value', { exact: true }).fill('not json');
    await page.getByRole('button', { name: 'Add parameter' }).click();
    await page.getByRole('alert').getByText('not valid JSON').waitFor();

    // Webhooks: a function webhook and a trigger webhook, stored in _Hooks.
    await open(page, 'webhooks');
    await page.getByLabel('Function name').fill('remoteSum');
    await page.getByLabel('Function URL').fill('https://hooks.example.com/sum');
    await page.getByRole('button', { name: 'Add function webhook' }).click();
    await page.getByRole('button', { name: 'Delete webhook remoteSum' }).waitFor();
    await page.getByLabel('Class').fill('Order');
    await page.getByLabel('Trigger', { exact: true }).selectOption('afterSave');
    await page.getByLabel('Trigger URL').fill('https://hooks.example.com/order');
    await page.getByRole('button', { name: 'Add trigger webhook' }).click();
    await page.getByRole('button', { name: 'Delete webhook afterSave Order' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'webhooks.png') });
    assert.deepEqual((await server.call({ path: '/hooks/triggers', master: true })).body, [
      { className: 'Order', triggerName: 'afterSave', url: 'https://hooks.example.com/order' },
    ]);
    await page.getByRole('button', { name: 'Delete webhook remoteSum' }).click();
    await status(page).getByText('Deleted remoteSum').waitFor();
    assert.deepEqual((await server.call({ path: '/hooks/functions', master: true })).body, []);

    // Cloud code: what is registered, and a function run with params.
    await open(page, 'cloud');
    await page
      .getByRole('cell', { name: 'Order' })
      .or(page.getByRole('rowheader', { name: 'Order' }))
      .waitFor();
    await page.getByLabel('Params of double (JSON)').fill('{"n": 21}');
    await page.getByRole('button', { name: 'Run double' }).click();
    const result = page.getByLabel('Result of double');
    await result.waitFor();
    assert.deepEqual(JSON.parse(await result.innerText()), { doubled: 42 });
    await page.screenshot({ path: join(SHOTS, 'cloud-code.png') });

    // Jobs: a run with params, its progress and message while running, then its log lines.
    await page.getByRole('link', { name: 'importOrders' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByLabel('Params (JSON)', { exact: true }).fill('{"batch": 7}');
    await page.getByRole('button', { name: 'Run now' }).click();
    await status(page).getByText('Started importOrders').waitFor();
    const runRow = page.locator('[data-run-id]').first();
    await runRow.getByText('halfway').waitFor();
    await runRow.locator('progress[value="40"]').waitFor();
    await page.getByText('importing 7').waitFor();
    releaseJob();
    await runRow.getByText('succeeded').waitFor();
    await page.getByText('import finished').waitFor();
    const runs = (await server.call({ path: '/classes/_JobStatus', master: true })).body as {
      results: Array<Record<string, unknown>>;
    };
    assert.equal(runs.results.length, 1);
    assert.equal(runs.results[0]?.['status'], 'succeeded');
    assert.deepEqual(runs.results[0]?.['params'], { batch: 7 });

    // A schedule, stored as parse-dashboard stores it.
    await page.getByLabel('Description').fill('nightly import');
    await page.getByLabel('Time of day (UTC)').fill('03:30');
    await page.getByRole('button', { name: 'Add schedule' }).click();
    await page.getByRole('button', { name: 'Delete schedule nightly import' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'jobs.png') });
    const schedules = (await server.call({ path: '/cloud_code/jobs', master: true })).body as Array<
      Record<string, unknown>
    >;
    assert.equal(schedules.length, 1);
    assert.equal(schedules[0]?.['jobName'], 'importOrders');
    assert.equal(schedules[0]?.['timeOfDay'], '03:30:00.000Z');

    // Overview: requests and errors per hour (uPlot) and the cloud function just run, from /usage.
    await open(page, 'overview');
    await page.locator('[data-usage="double"]').getByRole('cell', { name: '1', exact: true }).first().waitFor();
    await page.getByRole('img', { name: 'Requests and errors per hour' }).locator('canvas').waitFor();
    await page.screenshot({ path: join(SHOTS, 'overview-usage.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a read-only user sees each page without write controls, and the server refuses their writes', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, 'viewer', 'viewer-password');
    await open(page, 'config');
    await page.locator('[data-param=welcome]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit welcome' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Add parameter' }).isDisabled(), true);
    await open(page, 'users/sessions');
    await page.getByRole('heading', { name: 'Sessions (newest first)' }).waitFor();
    await open(page, 'jobs');
    await page.getByRole('button', { name: 'Delete schedule nightly import' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Run now' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Delete schedule nightly import' }).isDisabled(), true);
    await open(page, 'webhooks');
    assert.equal(await page.getByRole('button', { name: 'Delete webhook afterSave Order' }).isDisabled(), true);

    // Around the page: each write goes to the server with the read-only master key and is refused (119).
    const writes: Array<[string, string, unknown]> = [
      ['PUT', '/config', { params: { welcome: 'changed' } }],
      ['POST', '/jobs/importOrders', {}],
      ['POST', '/hooks/functions', { functionName: 'x', url: 'https://example.com/x' }],
      ['POST', '/roles', { name: 'Intruders', ACL: {} }],
    ];
    // No named inner functions: the page would not know the transpiler's helpers.
    const answers = await page.evaluate(async (list) => {
      const session = (await (await fetch('/dashboard/api/session')).json()) as { csrfToken: string };
      const codes: Array<number | undefined> = [];
      for (const [method, path, body] of list) {
        const response = await fetch(`/dashboard/api/apps/test-app${path}`, {
          method,
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
          body: JSON.stringify(body),
        });
        codes.push(((await response.json()) as { code?: number }).code);
      }
      return codes;
    }, writes);
    assert.deepEqual(answers, [119, 119, 119, 119]);
    const config = (await server.call({ path: '/config', master: true })).body as { params: Record<string, unknown> };
    assert.equal(config.params['welcome'], 'hi there');
    const jobs = (await server.call({ path: '/classes/_JobStatus', master: true })).body as { results: unknown[] };
    assert.equal(jobs.results.length, 1);
    await page.close();
  });

  it("browses a class as a user: the grid shows what the user's ACL allows, nothing more", async () => {
    const ids: Record<string, string> = {};
    for (const [text, acl] of [
      ['public note', { '*': { read: true } }],
      ['bob only', { [bobId]: { read: true } }],
      ['nobody', {}],
    ] as const) {
      const created = await server.call({
        method: 'POST',
        path: '/classes/Note',
        master: true,
        body: { text, ACL: acl },
      });
      ids[text] = String((created.body as { objectId: string }).objectId);
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, 'admin', 'admin-password');
    await open(page, 'browser/Note');
    await page.locator(`[data-object-id="${ids['nobody']}"]`).waitFor();
    await page.getByLabel('Browse as user').fill('bob');
    await page.getByRole('button', { name: 'Browse as', exact: true }).click();
    await page.getByRole('status').getByText('Browsing as').waitFor();
    await page.locator(`[data-object-id="${ids['bob only']}"]`).waitFor();
    await page.locator(`[data-object-id="${ids['public note']}"]`).waitFor();
    assert.equal(await page.locator(`[data-object-id="${ids['nobody']}"]`).count(), 0);
    await page.screenshot({ path: join(SHOTS, 'browse-as-user.png') });
    await page.getByRole('link', { name: 'Stop browsing as bob' }).click();
    await page.locator(`[data-object-id="${ids['nobody']}"]`).waitFor();
    await page.close();

    // A read-only dashboard user has no such control (opening a session is a write).
    const viewer = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(viewer, 'viewer', 'viewer-password');
    await open(viewer, 'browser/Note');
    await viewer.locator(`[data-object-id="${ids['nobody']}"]`).waitFor();
    assert.equal(await viewer.getByLabel('Browse as user').count(), 0);
    await viewer.close();
  });

  it('lists slow queries by shape and creates the suggested index', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({
      method: 'POST',
      path: '/parse/classes/Invoice',
      body: { customer: `c${i % 3}`, total: i },
    }));
    await server.call({ method: 'POST', path: '/batch', master: true, body: { requests: rows } });
    await server.call({ method: 'DELETE', path: '/slowQueries', master: true });
    const where = encodeURIComponent(JSON.stringify({ customer: 'c1' }));
    await server.call({ path: `/classes/Invoice?where=${where}&order=-total`, master: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, 'admin', 'admin-password');
    await open(page, 'slow-queries');
    const row = page.locator('[data-shape="customer:$eq order -total"]');
    await row.getByText('no (full scan)').waitFor();
    await page.screenshot({ path: join(SHOTS, 'slow-queries.png') });
    await row.getByRole('button', { name: 'Create index on Invoice { customer: 1, total: -1 }' }).click();
    await status(page).getByText('Created index customer_1_total_-1 on Invoice').waitFor();
    const schema = (await server.call({ path: '/schemas/Invoice', master: true })).body as {
      indexes: Record<string, unknown>;
    };
    assert.deepEqual(schema.indexes['customer_1_total_-1'], { customer: 1, total: -1 });
    // Measured again, the same shape is served by the new index.
    await page.getByRole('button', { name: 'Clear and measure again' }).click();
    await status(page).getByText('Cleared').waitFor();
    await server.call({ path: `/classes/Invoice?where=${where}&order=-total`, master: true });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await row.getByRole('cell', { name: 'yes', exact: true }).waitFor();
    await page.close();

    const viewer = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(viewer, 'viewer', 'viewer-password');
    await open(viewer, 'slow-queries');
    await viewer.locator('[data-shape="customer:$eq order -total"]').waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Clear and measure again' }).isDisabled(), true);
    await viewer.close();
  });

  it('composes a push with the audience builder and preview, sends it, and follows its status', async () => {
    for (const [deviceType, deviceToken, channels] of [
      ['ios', 'ios-token-1', ['news']],
      ['android', 'android-token-1', ['news']],
      ['ios', 'ios-token-2', ['sports']],
    ] as const) {
      const made = await server.call({
        method: 'POST',
        path: '/installations',
        body: { deviceType, deviceToken, channels, installationId: `${deviceToken}-id` },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, 'admin', 'admin-password');
    await open(page, 'push');
    await page.getByText('Reaches 3 devices').waitFor();
    await page.getByLabel('android').uncheck();
    await page.getByLabel('web').uncheck();
    await page.getByLabel('Channels (comma-separated)').fill('news');
    await page.getByText('Reaches 1 device', { exact: true }).waitFor();
    await page.getByLabel('Audience name').fill('iOS news readers');
    await page.getByRole('button', { name: 'Save as audience' }).click();
    await status(page).getByText('Saved audience iOS news readers').waitFor();
    await page.getByLabel('Title').fill('Breaking');
    await page.getByLabel('Message', { exact: true }).fill('Strata ships a dashboard');
    await page.getByLabel('Preview').getByText('Strata ships a dashboard').waitFor();
    await page.getByRole('button', { name: 'Send push' }).click();
    await status(page).getByText('Push sent').waitFor();
    const row = page.locator('[data-push-id]').first();
    await row.getByText('Strata ships a dashboard').waitFor();
    await row.getByRole('cell', { name: 'succeeded' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, 'push.png') });
    const pushes = (await server.call({ path: '/classes/_PushStatus', master: true })).body as {
      results: Array<Record<string, unknown>>;
    };
    assert.equal(pushes.results.length, 1);
    assert.deepEqual(JSON.parse(String(pushes.results[0]?.['payload'])), {
      alert: 'Strata ships a dashboard',
      title: 'Breaking',
    });
    assert.equal(pushes.results[0]?.['numSent'], 1);
    const audiences = (await server.call({ path: '/push_audiences', master: true })).body as {
      results: Array<{ name: string; query: unknown }>;
    };
    assert.deepEqual(
      audiences.results.map((a) => [a.name, a.query]),
      [['iOS news readers', { deviceType: { $in: ['ios'] }, channels: { $in: ['news'] } }]],
    );
    await page.close();

    const viewer = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(viewer, 'viewer', 'viewer-password');
    await open(viewer, 'push');
    await viewer.locator('[data-push-id]').first().waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Send push' }).isDisabled(), true);
    const refused = await viewer.evaluate(async () => {
      const session = (await (await fetch('/dashboard/api/session')).json()) as { csrfToken: string };
      const response = await fetch('/dashboard/api/apps/test-app/push', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
        body: JSON.stringify({ channels: ['news'], data: { alert: 'from a read-only user' } }),
      });
      return ((await response.json()) as { code?: number }).code;
    });
    assert.equal(refused, 119);
    assert.equal(
      ((await server.call({ path: '/classes/_PushStatus', master: true })).body as { results: unknown[] }).results
        .length,
      1,
    );
    await viewer.close();
  });

  async function roleId(name: string): Promise<string> {
    const found = await server.call({
      path: `/roles?where=${encodeURIComponent(JSON.stringify({ name }))}`,
      master: true,
    });
    return String((found.body as { results: Array<{ objectId: string }> }).results[0]?.objectId);
  }
});
