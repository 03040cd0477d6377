import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../server/src/app.js';
import type { StrataApp } from '../../server/src/app.js';
import { resolveOptions } from '../../server/src/config/index.js';
import type { Config } from '../../server/src/config/index.js';
import { createLogger } from '../../server/src/infra/index.js';
import { ErrorCodes, StrataError, createClient } from './index.js';
import type { StrataClient } from './index.js';

// End-to-end: a real Strata server on a temp SQLite file, spoken to over real HTTP by the SDK.
interface GameScore {
  player: string;
  score: number;
  cheat?: boolean;
}

const APP_ID = 'sdk-test-app';
const CLIENT_KEY = 'sdk-test-client-key';

describe('@strata/sdk against a real server', () => {
  let dir = '';
  let app: StrataApp | undefined;
  let client: StrataClient;
  let serverURL = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-sdk-'));
    const config: Config = Object.freeze({
      // Every option's real default first, so a new server option never breaks this test.
      ...resolveOptions({ cwd: dir, env: {} }),
      port: 0,
      host: '127.0.0.1',
      mountPath: '/parse',
      dataDir: dir,
      databaseURI: `sqlite:${join(dir, 'strata.db')}`,
      role: 'all',
      appId: APP_ID,
      masterKey: 'sdk-test-master-key',
      clientKey: CLIENT_KEY,
      javascriptKey: CLIENT_KEY,
      restAPIKey: CLIENT_KEY,
      dotNetKey: CLIENT_KEY,
      allowClientClassCreation: true,
      masterKeyIps: ['127.0.0.1', '::1'],
      maintenanceKeyIps: ['127.0.0.1', '::1'],
      maxBodySize: 1024 * 1024,
      maxNestingDepth: 64,
      defaultLimit: 100,
      logLevel: 'silent',
      allowOrigin: ['*'],
    });
    app = await createApp({ config, logger: createLogger({ level: 'silent' }) });
    const { port } = await app.listen();
    serverURL = `http://127.0.0.1:${port}/parse`;
    client = createClient({ serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
  });

  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, gets, finds, updates and deletes an object', async () => {
    const scores = client.collection<GameScore>('GameScore');
    const created = await scores.create({ player: 'Sean', score: 1337 });
    assert.match(created.objectId, /^[A-Za-z0-9]{10}$/);
    assert.match(created.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await scores.create({ player: 'Ana', score: 10 });

    const fetched = await scores.get(created.objectId);
    assert.equal(fetched.objectId, created.objectId);
    assert.equal(fetched.player, 'Sean');
    assert.equal(fetched.score, 1337);
    assert.equal(fetched.createdAt, created.createdAt);

    const high = await scores.find({ where: { score: { $gt: 100 } } });
    assert.deepEqual(
      high.map((s) => s.player),
      ['Sean'],
    );
    const ordered = await scores.find({ order: 'score', keys: ['player'] });
    assert.deepEqual(
      ordered.map((s) => [s.player, s.score]),
      [
        ['Ana', undefined],
        ['Sean', undefined],
      ],
    );
    assert.deepEqual(
      (await scores.find({ order: '-score', limit: 1 })).map((s) => s.player),
      ['Sean'],
    );

    const updated = await scores.update(created.objectId, { score: 2000 });
    assert.match(updated.updatedAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal((await scores.get(created.objectId)).score, 2000);

    await scores.delete(created.objectId);
    await assert.rejects(scores.get(created.objectId), (err: unknown) => {
      assert.ok(err instanceof StrataError);
      assert.equal(err.code, ErrorCodes.OBJECT_NOT_FOUND);
      assert.equal(err.status, 404);
      return true;
    });
  });

  it('reports a wrong client key as an unauthorized StrataError', async () => {
    const wrong = createClient({ serverURL, appId: APP_ID, clientKey: 'wrong' });
    await assert.rejects(wrong.collection<GameScore>('GameScore').find(), (err: unknown) => {
      assert.ok(err instanceof StrataError);
      assert.equal(err.status, 403);
      assert.equal(err.message, 'unauthorized');
      return true;
    });
  });

  it('reaches the server with a raw request', async () => {
    assert.deepEqual(await client.request({ method: 'GET', path: '/health' }), { status: 'ok' });
  });

  it('reports an unreachable server as code 100 with status 0', async () => {
    const offline = createClient({ serverURL: 'http://127.0.0.1:1/parse', appId: APP_ID });
    await assert.rejects(offline.request({ method: 'GET', path: '/health' }), (err: unknown) => {
      assert.ok(err instanceof StrataError);
      assert.equal(err.code, 100);
      assert.equal(err.status, 0);
      return true;
    });
  });
});
