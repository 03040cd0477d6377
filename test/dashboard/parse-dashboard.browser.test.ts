/**
 * Parse's own parse-dashboard 9.x (issue 18 item 8) against a real Strata server, in Debian's chromium: the
 * dashboard's process runs as its CLI runs it (`--dev`: no dashboard login, plain HTTP), the browser talks to
 * Strata with the master key as parse-dashboard always does. Logs page: this server's info and error lines
 * (`/scriptlog`). Push: a saved audience (`/push_audiences`, channel `news`) picked in the composer, a
 * message typed and sent; the one installation on that channel gets it at a local FCM fake with the right
 * payload and the other does not; `_PushStatus` says succeeded; the Past Pushes page lists it. The push
 * pages show only because `/serverInfo` says push is served.
 *
 * parse-dashboard lives in its own package (test/parse-dashboard/, not a workspace: its React 16 tree
 * would displace the dashboard's React 19 at the root): `cd test/parse-dashboard && npm ci --ignore-scripts`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LogBuffer, createLogger } from '../../server/src/infra/index.js';
import { startFcmFake } from '../../server/src/push/fakes/fcm-fake.test-util.js';
import type { FcmFake } from '../../server/src/push/fakes/fcm-fake.test-util.js';
import { APP_ID, MASTER_KEY, startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { chromiumSkipReason, launchChromium } from './chromium.js';
import { freePort } from '../helpers/free-port.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const PARSE_DASHBOARD = join(ROOT, 'test/parse-dashboard/node_modules/parse-dashboard/bin/parse-dashboard');
const SHOTS =
  process.env['STRATA_SCREENSHOTS'] === undefined
    ? join(tmpdir(), 'strata-dashboard-shots')
    : resolve(ROOT, process.env['STRATA_SCREENSHOTS']);
const APP = 'strata-app';
const INFO_LINE = 'order 1001 imported (shown by parse-dashboard)';
const ERROR_LINE = 'order 1002 rejected (shown by parse-dashboard)';
const MESSAGE = 'Your order has shipped';

function skipReason(): string | undefined {
  const browser = chromiumSkipReason();
  if (browser !== undefined) return browser;
  if (existsSync(PARSE_DASHBOARD)) return undefined;
  const missing = 'parse-dashboard is not installed (cd test/parse-dashboard && npm ci --ignore-scripts)';
  if (process.env['STRATA_REQUIRE_SERVICES'] === '1') throw new Error(missing);
  return missing;
}
const skip = skipReason();
if (skip !== undefined) console.log(`parse-dashboard test skipped: ${skip}`);

describe('parse-dashboard 9.x against Strata (logs and push pages)', skip === undefined ? {} : { skip }, () => {
  let dir: string;
  let fcm: FcmFake;
  let server: TestServer;
  let dashboard: ChildProcess;
  let dashboardURL: string;
  let browser: Browser;
  let page: Page;
  const dashboardOutput: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'strata-parse-dashboard-'));
    fcm = await startFcmFake({ dir });
    const logs = new LogBuffer();
    server = await startTestServer({
      logs,
      logger: createLogger({ level: 'info', destination: { write: () => undefined }, buffer: logs }),
      pushFcmServiceAccount: fcm.serviceAccountFile,
      pushFcmUrl: fcm.url,
      cloudSetup: (registry) => {
        registry.defineFunction({
          name: 'importOrders',
          source: 'strata',
          handler: (request) => {
            request.log.info(INFO_LINE);
            request.log.error(ERROR_LINE);
            return Promise.resolve({ result: 'ok' });
          },
        });
      },
    });
    assert.equal((await server.call({ method: 'POST', path: '/functions/importOrders', body: {} })).status, 200);
    // Two devices registered as an app does (client key): one reads the news channel, one does not.
    for (const [installationId, channel] of [
      ['device-news', 'news'],
      ['device-sports', 'sports'],
    ] as const) {
      const created = await server.call({
        method: 'POST',
        path: '/installations',
        body: { installationId, deviceType: 'android', deviceToken: `ok-${channel}`, channels: [channel] },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    // An audience saved earlier (parse-dashboard's audience dialog writes the same `/push_audiences` row).
    const audience = await server.call({
      method: 'POST',
      path: '/push_audiences',
      master: true,
      body: { name: 'News readers', query: { deviceType: { $in: ['android'] }, channels: { $in: ['news'] } } },
    });
    assert.equal(audience.status, 201, JSON.stringify(audience.body));

    const port = await freePort();
    dashboardURL = `http://127.0.0.1:${port}`;
    dashboard = spawn(
      process.execPath,
      [
        PARSE_DASHBOARD,
        '--dev',
        ...['--appId', APP_ID, '--masterKey', MASTER_KEY, '--serverURL', server.mountURL, '--appName', APP],
        ...['--host', '127.0.0.1', '--port', String(port)],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [dashboard.stdout, dashboard.stderr]) {
      stream?.on('data', (chunk: Buffer) => dashboardOutput.push(chunk.toString('utf8')));
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const up = await fetch(dashboardURL).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) break;
      assert.ok(dashboard.exitCode === null, `parse-dashboard exited: ${dashboardOutput.join('')}`);
      assert.ok(Date.now() < deadline, `parse-dashboard did not start: ${dashboardOutput.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    if (dashboard !== undefined && dashboard.exitCode === null) {
      const exited = new Promise((r) => dashboard.once('exit', r));
      dashboard.kill('SIGTERM');
      await exited;
    }
    await server?.close();
    await fcm?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('/serverInfo tells parse-dashboard a parse-server version and that push is served', async () => {
    const info = (await server.call({ path: '/serverInfo', master: true })).body as {
      parseServerVersion: string;
      features: { push: Record<string, boolean>; logs: Record<string, boolean> };
    };
    assert.equal(info.parseServerVersion, '9.10.0');
    assert.deepEqual(info.features.push, {
      immediatePush: true,
      scheduledPush: true,
      storedPushData: true,
      pushAudiences: true,
      localization: true,
    });
    assert.equal(info.features.logs['level'], true);
  });

  it('the Logs page shows this server info and error lines', async () => {
    await page.goto(`${dashboardURL}/apps/${APP}/logs/info`);
    await page.getByText(INFO_LINE).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'parse-dashboard-logs.png') });
    await page.goto(`${dashboardURL}/apps/${APP}/logs/error`);
    await page.getByText(ERROR_LINE).first().waitFor({ timeout: 30_000 });
    // The error tab asks for level=error: info lines are not in it.
    assert.equal(await page.getByText(INFO_LINE).count(), 0);
  });

  it('a push composed in the push page reaches the channel through FCM and is listed as sent', async () => {
    await page.goto(`${dashboardURL}/apps/${APP}/push/new`);
    await page.getByText('News readers').first().waitFor({ timeout: 30_000 });
    await page.getByText('News readers').first().click();
    await page.getByPlaceholder('Type your message…').fill(MESSAGE);
    await page.screenshot({ path: join(SHOTS, 'parse-dashboard-push-compose.png'), fullPage: true });
    await page.getByRole('button', { name: 'Send push' }).click();

    const deadline = Date.now() + 60_000;
    while (!fcm.messages.some((m) => m['token'] === 'ok-news')) {
      assert.ok(Date.now() < deadline, 'the push never reached the FCM fake');
      await new Promise((r) => setTimeout(r, 100));
    }
    const message = fcm.messages.find((m) => m['token'] === 'ok-news') as Record<string, unknown>;
    const data = message['data'] as Record<string, unknown>;
    assert.equal(JSON.parse(String(data['data']))['alert'], MESSAGE);
    assert.ok(!fcm.messages.some((m) => m['token'] === 'ok-sports'), 'the sports device is not in the audience');

    const statuses = (await server.call({ path: '/classes/_PushStatus', master: true })).body as {
      results: Record<string, unknown>[];
    };
    assert.equal(statuses.results.length, 1);
    const status = statuses.results[0] as Record<string, unknown>;
    for (;;) {
      const now = (await server.call({ path: `/classes/_PushStatus/${String(status['objectId'])}`, master: true }))
        .body as Record<string, unknown>;
      if (now['status'] === 'succeeded') {
        assert.equal(now['numSent'], 1);
        assert.equal(now['source'], 'rest');
        break;
      }
      assert.ok(Date.now() < deadline, `the push did not finish: ${JSON.stringify(now)}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    await page.goto(`${dashboardURL}/apps/${APP}/push/activity`);
    await page.getByText(MESSAGE).first().waitFor({ timeout: 30_000 });
    // The campaign's status, read from _PushStatus.status: parse-dashboard shows "succeeded" as Sent.
    await page
      .getByText(/^sent$/i)
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'parse-dashboard-push-activity.png'), fullPage: true });
    // Its details page (one _PushStatus by id) opens from the list.
    await page.getByText(MESSAGE).first().click();
    await page.waitForURL(new RegExp(`/push/${String(status['objectId'])}$`), { timeout: 30_000 });
    await page.getByText(MESSAGE).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'parse-dashboard-push-details.png'), fullPage: true });
  });
});
