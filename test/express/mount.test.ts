/**
 * Strata mounted in a real express 5 app, as Parse Server users mount it (`app.use('/parse', strata.handler)`),
 * driven with supertest and with the official Parse SDK; and the standalone server, which must not load express.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { createStrata } from '../../server/src/index.js';
import type { Strata } from '../../server/src/index.js';
import { useParse } from '../helpers/index.js';

const APP_ID = 'express-app';
const MASTER_KEY = 'express-master';
const CLIENT_KEY = 'express-client';
const keys = { 'X-Parse-Application-Id': APP_ID, 'X-Parse-REST-API-Key': CLIENT_KEY };

async function makeStrata(dir: string): Promise<Strata> {
  return createStrata(
    {
      appId: APP_ID,
      masterKey: MASTER_KEY,
      restAPIKey: CLIENT_KEY,
      javascriptKey: CLIENT_KEY,
      clientKey: CLIENT_KEY,
      databaseURI: `sqlite:${join(dir, 'strata.db')}`,
      dataDir: dir,
      allowClientClassCreation: true,
      logLevel: 'silent',
    },
    {
      cloud: (registry) => {
        registry.defineFunction({
          name: 'hello',
          source: 'strata',
          handler: async () => ({ result: 'hello from strata in express' }),
        });
      },
    },
  );
}

describe('createStrata mounted in an express 5 app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-express-'));
  let strata: Strata;
  let app: express.Express;

  before(async () => {
    strata = await makeStrata(dir);
    app = express();
    app.get('/hello', (_req, res) => {
      res.json({ from: 'the host app' });
    });
    app.use('/parse', strata.handler);
  });
  after(async () => {
    await strata.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the REST API under the mount: create, get, query', async () => {
    const created = await request(app).post('/parse/classes/GameScore').set(keys).send({ score: 1337, player: 'Sean' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = (created.body as { objectId: string }).objectId;
    assert.match(created.headers['location'] ?? '', new RegExp(`/parse/classes/GameScore/${id}$`));
    const got = await request(app).get(`/parse/classes/GameScore/${id}`).set(keys);
    assert.equal(got.status, 200);
    assert.equal((got.body as { score: number }).score, 1337);
    const found = await request(app)
      .get('/parse/classes/GameScore')
      .query({ where: JSON.stringify({ player: 'Sean' }) })
      .set(keys);
    assert.deepEqual(
      (found.body as { results: { objectId: string }[] }).results.map((r) => r.objectId),
      [id],
    );
  });

  it("leaves the host app's own routes alone", async () => {
    const response = await request(app).get('/hello');
    assert.deepEqual(response.body, { from: 'the host app' });
  });

  it('answers Parse errors for what it does not serve (never falls through to express)', async () => {
    const missing = await request(app).get('/parse/nope').set(keys);
    assert.equal(missing.status, 404);
    assert.match(JSON.stringify(missing.body), /Cannot GET/);
    const stranger = await request(app).get('/parse/classes/GameScore').set({ 'X-Parse-Application-Id': 'other' });
    assert.equal(stranger.status, 403);
    assert.deepEqual(stranger.body, { error: 'unauthorized' });
  });

  it('answers health, readiness and metrics at the mount', async () => {
    assert.deepEqual((await request(app).get('/parse/health')).body, { status: 'ok' });
    const ready = await request(app).get('/parse/ready');
    assert.equal(ready.status, 200);
    assert.equal((ready.body as { status: string }).status, 'ready');
    const metrics = await request(app).get('/parse/metrics');
    assert.equal(metrics.status, 200);
    assert.match(
      metrics.text,
      /strata_http_requests_total\{method="POST",route="\/classes\/:className",status="201"\} 1/,
    );
  });

  it('works behind a body parser the host app installed first (express.json())', async () => {
    const parsing = express();
    parsing.use(express.json());
    parsing.use('/parse', strata.handler);
    const created = await request(parsing).post('/parse/classes/Parsed').set(keys).send({ n: 1 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const fn = await request(parsing).post('/parse/functions/hello').set(keys).send({});
    assert.deepEqual(fn.body, { result: 'hello from strata in express' });
    // The JS SDK's body form (credentials in a text/plain JSON body), after express.text() read it.
    const textParsing = express();
    textParsing.use(express.text({ type: '*/*' }));
    textParsing.use('/parse', strata.handler);
    const bodyForm = await request(textParsing)
      .post('/parse/classes/Parsed')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ _method: 'GET', _ApplicationId: APP_ID, _JavaScriptKey: CLIENT_KEY }));
    assert.equal(bodyForm.status, 200, JSON.stringify(bodyForm.body));
    assert.equal((bodyForm.body as { results: unknown[] }).results.length, 1);
  });

  it('serves the official Parse SDK through the express server', async () => {
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const Parse = useParse({
        serverURL: `http://127.0.0.1:${port}/parse`,
        appId: APP_ID,
        masterKey: MASTER_KEY,
        javascriptKey: CLIENT_KEY,
      });
      const score = new Parse.Object('SdkScore');
      score.set('points', 7);
      await score.save();
      const query = new Parse.Query('SdkScore');
      const found = await query.get(score.id ?? '');
      assert.equal(found.get('points'), 7);
      assert.equal(await Parse.Cloud.run('hello'), 'hello from strata in express');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('createStrata options', () => {
  it('rejects an unknown or invalid option with a message naming it', async () => {
    await assert.rejects(
      createStrata({ appId: 'a', masterKey: 'm', ...({ mountPth: '/x' } as object) }),
      /createStrata\(\): unknown option "mountPth"/,
    );
    await assert.rejects(createStrata({ appId: 'a', masterKey: 'm', port: -1 }), /port/);
  });
});

describe('the standalone server', () => {
  it('never loads express (mounting apps load it; `strata start` stays small)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-noexpress-'));
    try {
      const embed = fileURLToPath(new URL('../../server/src/index.ts', import.meta.url));
      const script = `
        import { createRequire } from 'node:module';
        const { createStrata } = await import(${JSON.stringify(embed)});
        const strata = await createStrata({ appId: 'a', masterKey: 'm', databaseURI: 'sqlite:${join(dir, 'x.db')}', dataDir: ${JSON.stringify(dir)}, port: 0, host: '127.0.0.1', logLevel: 'silent' });
        await strata.listen();
        const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/node_modules/express/'));
        await strata.close();
        process.stdout.write(JSON.stringify(loaded));
      `;
      const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
      });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
