import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SchemaRegistry } from '../schema/index.js';
import { openStorage } from '../storage/index.js';
import { createStorageJobStatusStore } from './job-stores.js';

describe('the _JobStatus store', () => {
  it('recovers only the unfinished rows Strata wrote, not running rows parse-server left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-jobs-store-'));
    const storage = await openStorage(`sqlite:${join(dir, 'store.db')}`);
    try {
      await storage.initialize();
      const schemas = new SchemaRegistry({ store: storage });
      const store = createStorageJobStatusStore({ storage, schemas });
      const schema = await schemas.get('_JobStatus');
      assert.ok(schema);
      // As parse-server writes it: no params, no attempts.
      await storage.insert({
        schema,
        object: { objectId: 'parseServer', ACL: {}, fields: { jobName: 'old', source: 'api', status: 'running' } },
      });
      const running = await store.create({ jobName: 'mine', params: { a: 1 }, source: 'api' });
      const done = await store.create({ jobName: 'mine', params: {}, source: 'api' });
      await store.update(done, { status: 'succeeded', finishedAt: new Date() });
      assert.deepEqual(
        (await store.unfinished()).map((row) => ({ id: row.objectId, params: row.params })),
        [{ id: running, params: { a: 1 } }],
      );
      // A scheduled run's id is fixed: creating it again keeps the first row.
      assert.equal(
        await store.create({ objectId: 'fixedId123', jobName: 'mine', params: {}, source: 'schedule' }),
        'fixedId123',
      );
      await store.update('fixedId123', { countAttempt: true });
      assert.equal(
        await store.create({ objectId: 'fixedId123', jobName: 'mine', params: {}, source: 'schedule' }),
        'fixedId123',
      );
      assert.equal((await store.get('fixedId123'))?.attempts, 1);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
