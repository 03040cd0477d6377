import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startTestServer } from './testing/test-server.test-util.js';

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const skip = redisURL === undefined && !requireServices ? 'STRATA_TEST_REDIS_URL is not set' : false;
if (skip !== false) console.log(`# skipping schema sync across servers: ${skip}`);

describe('schema cache across two app servers sharing one database and Redis', { skip }, () => {
  it('a field added through one server is visible through the other at once', async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    const dir = mkdtempSync(join(tmpdir(), 'strata-sync-'));
    const databaseURI = `sqlite:${join(dir, 'shared.db')}`;
    const appId = `sync-${Date.now()}`;
    const a = await startTestServer({ databaseURI, redisURL, appId });
    const b = await startTestServer({ databaseURI, redisURL, appId });
    try {
      const headers = { 'X-Parse-Application-Id': appId };
      await a.call({ method: 'POST', path: '/classes/Shared', body: { first: 1 }, headers });
      // Server B loads (and caches) the schema as it is now.
      const before = await b.call({ path: '/schemas/Shared', master: true, headers });
      assert.equal((before.body as { fields: Record<string, unknown> }).fields['second'], undefined);
      await a.call({ method: 'POST', path: '/classes/Shared', body: { second: 'x' }, headers });
      let fields: Record<string, unknown> = {};
      for (let attempt = 0; attempt < 50 && fields['second'] === undefined; attempt++) {
        await new Promise((r) => setTimeout(r, 20));
        fields = (
          (await b.call({ path: '/schemas/Shared', master: true, headers })).body as { fields: Record<string, unknown> }
        ).fields;
      }
      assert.deepEqual(fields['second'], { type: 'String' });
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
