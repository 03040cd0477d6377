import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startTestServer } from './testing/test-server.test-util.js';

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const skip = redisURL === undefined && !requireServices ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (skip !== false) console.log(`# skipping Parse Config sync across servers: ${skip}`);

describe('Parse Config cache across two app servers sharing one database and Redis', { skip }, () => {
  it('a config saved through one server is served by the other, whose cache was warm', async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    const dir = mkdtempSync(join(tmpdir(), 'strata-config-sync-'));
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    const appId = `config-sync-${Date.now()}`;
    const a = await startTestServer({ databaseURI, redisURL, appId });
    const b = await startTestServer({ databaseURI, redisURL, appId });
    const headers = { 'X-Parse-Application-Id': appId };
    try {
      await a.call({ method: 'PUT', path: '/config', master: true, headers, body: { params: { level: 1 } } });
      // Server B loads (and caches) the config as it is now.
      assert.deepEqual((await b.call({ path: '/config', headers })).body, {
        params: { level: 1 },
        masterKeyOnly: { level: false },
      });
      await a.call({ method: 'PUT', path: '/config', master: true, headers, body: { params: { level: 2 } } });
      let level: unknown = 1;
      // The invalidation travels over Redis asynchronously: poll until it lands (bounded).
      for (let attempt = 0; attempt < 50 && level !== 2; attempt++) {
        await new Promise((r) => setTimeout(r, 20));
        level = ((await b.call({ path: '/config', headers })).body as { params: Record<string, unknown> }).params[
          'level'
        ];
      }
      assert.equal(level, 2);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a change, the cached config is served (a direct database edit is not seen)', async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    const dir = mkdtempSync(join(tmpdir(), 'strata-config-cache-'));
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    const appId = `config-cache-${Date.now()}`;
    const a = await startTestServer({ databaseURI, appId });
    const headers = { 'X-Parse-Application-Id': appId };
    try {
      await a.call({ method: 'PUT', path: '/config', master: true, headers, body: { params: { level: 1 } } });
      const first = await a.call({ path: '/config', headers });
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(join(dir, 'shared.db'));
      db.prepare(`UPDATE "_GlobalConfig$1_7" SET "params" = '{"level":9}'`).run();
      db.close();
      const second = await a.call({ path: '/config', headers });
      assert.deepEqual(second.body, first.body);
    } finally {
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
