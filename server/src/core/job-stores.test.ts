import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../infra/index.js';
import { SchemaRegistry } from '../schema/index.js';
import { openStorage } from '../storage/index.js';
import type { ChangeEvent } from './change-event.js';
import { ChangeBus } from './change-feed.js';
import { createStorageJobStatusStore } from './job-stores.js';

describe('the _JobStatus store', () => {
  it('recovers only the unfinished rows Strata wrote, not running rows parse-server left behind; publishes its writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-jobs-store-'));
    const storage = await openStorage(`sqlite:${join(dir, 'store.db')}`);
    try {
      await storage.initialize();
      const schemas = new SchemaRegistry({ store: storage });
      const changes = await ChangeBus.create({ logger: createLogger({ level: 'silent' }) });
      const events: ChangeEvent[] = [];
      changes.subscribe((event) => void events.push(event));
      const store = createStorageJobStatusStore({ storage, schemas, changes });
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
      // Every row the store wrote is on the change feed (through core's object writes), with before and after;
      // the duplicate create of a scheduled run's row published nothing.
      assert.deepEqual(
        events.map(
          (e) =>
            `${e.className} ${e.op} ${e.objectId} ${String(e.before?.fields['status'])}->${String(e.after?.fields['status'])}`,
        ),
        [
          `_JobStatus create ${running} undefined->running`,
          `_JobStatus create ${done} undefined->running`,
          `_JobStatus update ${done} running->succeeded`,
          '_JobStatus create fixedId123 undefined->running',
          '_JobStatus update fixedId123 running->running',
        ],
      );
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
