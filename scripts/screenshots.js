#!/usr/bin/env node
/* global document -- page.evaluate runs its function in the browser */
// `npm run screenshots`: the dashboard's screenshots in docs/dashboard/, one or more per page. It starts a
// built strata server (SQLite, in a temporary directory) with demo data and cloud code
// (scripts/screenshots-cloud.js), signs in as a dashboard user in Debian's chromium (playwright-core,
// /usr/bin/chromium, never a downloaded browser), opens every page and writes <name>.png.
//
//   npm run build && npm run screenshots [-- --out docs/dashboard]
//
// Not a test: it asserts nothing beyond each page showing its heading, and waits a moment for charts.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcrypt';
import { chromium } from 'playwright-core';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const outArg = process.argv.indexOf('--out');
const OUT = resolve(ROOT, outArg === -1 ? 'docs/dashboard' : process.argv[outArg + 1]);
const CHROMIUM = '/usr/bin/chromium';
const APP_ID = 'demo-app';
const MASTER_KEY = 'demo-master-key';
const METRICS_KEY = 'demo-metrics-key';
const VIEWPORT = { width: 1280, height: 800 };
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function freePort() {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function startServer(dir) {
  const port = await freePort();
  const usersFile = join(dir, 'dashboard-users.json');
  writeFileSync(
    usersFile,
    JSON.stringify({ users: [{ username: 'admin', passwordHash: bcrypt.hashSync('demo', 4) }] }),
  );
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'server/bin/strata.js'),
      'start',
      ...['--port', String(port), '--data-dir', dir, '--app-id', APP_ID, '--master-key', MASTER_KEY],
      ...['--dashboard-users-file', usersFile, '--cloud', join(ROOT, 'scripts/screenshots-cloud.js')],
      ...['--slow-query-ms', '0', '--metrics-key', METRICS_KEY, '--log-level', 'info'],
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`strata exited with ${child.exitCode} before it answered`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return { child, url };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('strata did not answer /health in 60 s');
}

/** Demo data through REST with the master key, as an admin's scripts would write it. */
async function seed(url) {
  // A string body is a file's text; anything else is JSON.
  const call = async (method, path, body) => {
    const answer = await fetch(`${url}/parse${path}`, {
      method,
      headers: {
        'X-Parse-Application-Id': APP_ID,
        'X-Parse-Master-Key': MASTER_KEY,
        'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const json = await answer.json().catch(() => ({}));
    if (answer.status >= 400) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(json)}`);
    return json;
  };
  const users = {};
  for (const name of ['alice', 'bob', 'carol']) {
    const made = await call('POST', '/users', {
      username: name,
      password: `${name}-password`,
      email: `${name}@example.com`,
    });
    users[name] = made.objectId;
  }
  await call('POST', '/roles', {
    name: 'Staff',
    ACL: { '*': { read: true } },
    users: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_User', objectId: users.alice }] },
  });
  await call('POST', '/schemas/Game', {
    className: 'Game',
    fields: {
      title: { type: 'String', required: true },
      score: { type: 'Number', defaultValue: 0 },
      finished: { type: 'Boolean' },
      playedAt: { type: 'Date' },
      place: { type: 'GeoPoint' },
      owner: { type: 'Pointer', targetClass: '_User' },
      tags: { type: 'Array' },
      meta: { type: 'Object' },
    },
    classLevelPermissions: {
      find: { '*': true },
      get: { '*': true },
      count: { '*': true },
      create: { 'role:Staff': true },
      update: { 'role:Staff': true, pointerFields: ['owner'] },
      delete: { 'role:Staff': true },
      addField: {},
      protectedFields: { '*': ['meta'] },
    },
    indexes: { score_1: { score: 1 } },
  });
  const owners = Object.values(users);
  const requests = Array.from({ length: 40 }, (_, i) => ({
    method: 'POST',
    path: '/parse/classes/Game',
    body: {
      title: ['Chess', 'Go', 'Backgammon', 'Checkers', 'Hex'][i % 5] + ` #${i + 1}`,
      score: (i * 37) % 100,
      finished: i % 3 === 0,
      playedAt: { __type: 'Date', iso: new Date(Date.UTC(2026, 10, 1 + (i % 28), 18, i)).toISOString() },
      place: { __type: 'GeoPoint', latitude: 48.85 + i / 100, longitude: 2.35 - i / 100 },
      owner: { __type: 'Pointer', className: '_User', objectId: owners[i % owners.length] },
      tags: i % 2 === 0 ? ['ranked'] : ['casual', 'weekend'],
      meta: { moves: 20 + i },
      ACL: { '*': { read: true }, [owners[i % owners.length]]: { write: true } },
    },
  }));
  await call('POST', '/batch', { requests });
  await call('POST', '/files/rules.txt', 'The rules of every game we play.');
  await call('POST', '/files/unused-board.txt', 'A file no object refers to.');
  await call('PUT', '/config', {
    params: { welcome: 'Welcome to the club', maxPlayers: 8, apiSecret: 'not for clients' },
    masterKeyOnly: { apiSecret: true },
  });
  await call('POST', '/hooks/functions', { functionName: 'remoteRating', url: 'https://hooks.example.com/rating' });
  await call('POST', '/hooks/triggers', {
    className: 'Game',
    triggerName: 'afterSave',
    url: 'https://hooks.example.com/game-saved',
  });
  for (let i = 0; i < 5; i++) await call('POST', '/functions/hello', { name: `player ${i}` });
  await call('POST', '/jobs/recountScores', {});
  await call('GET', `/classes/Game?where=${encodeURIComponent('{"finished":true,"title":"Go #2"}')}&order=-playedAt`);
  await call('GET', `/classes/Game?where=${encodeURIComponent('{"score":{"$gt":50}}')}`);
  return users;
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!existsSync(join(ROOT, 'dashboard/dist/index.html')))
    throw new Error('the dashboard is not built: npm run build');
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'strata-screenshots-'));
  const { child, url } = await startServer(dir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const written = [];
  try {
    const users = await seed(url);
    const page = await browser.newPage({ viewport: VIEWPORT });
    // `tall`: the page scrolls inside <main>, so the window is made as tall as its content for the shot.
    const shot = async (name, options = {}) => {
      await sleep(400);
      const path = join(OUT, `${name}.png`);
      if (options.tall === true) {
        const height = await page.evaluate(() => {
          const main = document.querySelector('main');
          return main === null ? 0 : main.scrollHeight + main.getBoundingClientRect().top + 16;
        });
        await page.setViewportSize({
          width: VIEWPORT.width,
          height: Math.min(Math.max(height, VIEWPORT.height), 2400),
        });
        await sleep(300);
      }
      await page.screenshot({ path });
      if (options.tall === true) await page.setViewportSize(VIEWPORT);
      written.push(`${name}.png (${Math.round(statSync(path).size / 1024)} kB)`);
    };
    const open = async (route, heading) => {
      await page.goto(`${url}/dashboard/#/${APP_ID}/${route}`);
      await page.getByRole('heading', { name: heading, level: 1 }).first().waitFor();
    };

    await page.goto(`${url}/dashboard/`);
    await page.getByLabel('Username').waitFor();
    await shot('sign-in');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();

    await open('overview', APP_ID);
    await page.locator('canvas').first().waitFor();
    await shot('overview', { tall: true });

    await open('browser/Game', 'Game');
    await page.locator('[role=row][data-object-id]').first().waitFor();
    await shot('data-browser');
    await page.locator('[role=row][data-object-id]').first().locator('[data-field="ACL"]').dblclick();
    await page.locator('dialog.editor').waitFor();
    await shot('acl-editor');
    await page.locator('dialog.editor').getByRole('button', { name: 'Cancel' }).click();
    const csv =
      'title,score,finished\r\nShogi #1,61,true\r\nShogi #2,lots,false\r\nShogi #3,-5,true\r\nShogi #4,12,false\r\n';
    await page
      .locator('.grid-toolbar input[type=file]')
      .setInputFiles({ name: 'games.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page
      .getByRole('region', { name: 'Import report' })
      .getByRole('button', { name: 'Close import report' })
      .waitFor();
    await shot('import-report');

    await page.goto(`${url}/dashboard/#/${APP_ID}/browser/Game?as=${users.bob}`);
    await page.getByText('Browsing as').first().waitFor();
    await page.locator('[role=row][data-object-id]').first().waitFor();
    await shot('browse-as-user');

    await open('schema/Game', 'Game');
    await shot('schema-clp', { tall: true });
    await open('users', 'Users, roles and sessions');
    await shot('users-sessions', { tall: true });
    await open('cloud', 'Cloud code');
    await shot('cloud-code');
    await open('jobs', 'Jobs');
    await shot('jobs', { tall: true });
    await open('push', 'Push notifications');
    await shot('push', { tall: true });
    await open('files', 'Files');
    await shot('files');
    await open('config', 'Config');
    await shot('config');
    await open('webhooks', 'Webhooks');
    await shot('webhooks');
    await open('logs', 'Logs');
    await shot('logs');
    await open('console', 'API console');
    await shot('api-console');
    await open('console/graphql', 'API console');
    await shot('api-console-graphql');
    await open('slow-queries', 'Slow queries');
    await shot('slow-queries');
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done()));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${written.length} screenshots in ${OUT}:\n  ${written.join('\n  ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
