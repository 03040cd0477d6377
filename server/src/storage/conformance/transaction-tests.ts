import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { MATCH_ALL } from '../../query/index.js';
import { classSchema, sortedIds, stored, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './harness.js';

const SCHEMA = classSchema('Tx', { n: { type: 'Number' } });

function isUnavailable(err: unknown): boolean {
  return err !== null && typeof err === 'object' && 'code' in err && err.code === 108;
}

/** transaction(): all or nothing. Skipped (with the reason printed) where the adapter answers 108. */
export function transactionTests(options: StorageConformanceOptions): void {
  describe('transactions', () => {
    const storage = useStorage(options);
    before(async () => {
      await storage().createClass(SCHEMA);
    });
    const skipIfUnavailable = (t: TestContext, err: unknown): boolean => {
      if (!isUnavailable(err)) return false;
      const reason = `${options.name}: transaction() answered 108 COMMAND_UNAVAILABLE (${err instanceof Error ? err.message : ''})`;
      console.log(`skipping transaction test: ${reason}`);
      t.skip(reason);
      return true;
    };

    it('commits everything the work did when it succeeds', async (t) => {
      try {
        const result = await storage().transaction(async (tx) => {
          await tx.storage.insert({ schema: SCHEMA, object: stored('t1', { n: 1 }) });
          await tx.storage.insert({ schema: SCHEMA, object: stored('t2', { n: 2 }) });
          await tx.storage.updateOne({
            schema: SCHEMA,
            where: { kind: 'eq', path: ['objectId'], value: 't1' },
            update: { fields: { n: { op: 'increment', amount: 10 } }, updatedAt: new Date(0) },
          });
          return 'done';
        });
        assert.equal(result, 'done');
      } catch (err) {
        if (skipIfUnavailable(t, err)) return;
        throw err;
      }
      const found = await storage().find({ schema: SCHEMA, where: MATCH_ALL });
      assert.deepEqual(sortedIds(found), ['t1', 't2']);
      assert.equal(found.find((o) => o.objectId === 't1')?.fields['n'], 11);
    });

    it('rolls everything back when the work throws, and rethrows its error', async (t) => {
      const failure = new Error('work failed');
      let caught: unknown;
      try {
        await storage().transaction(async (tx) => {
          await tx.storage.insert({ schema: SCHEMA, object: stored('r1', { n: 1 }) });
          await tx.storage.deleteMany({ schema: SCHEMA, where: { kind: 'eq', path: ['objectId'], value: 't2' } });
          const gone = await tx.storage.deleteReturning({
            schema: SCHEMA,
            where: { kind: 'eq', path: ['objectId'], value: 't1' },
          });
          assert.deepEqual(sortedIds(gone), ['t1']);
          throw failure;
        });
      } catch (err) {
        caught = err;
      }
      if (skipIfUnavailable(t, caught)) return;
      assert.equal(caught, failure);
      assert.deepEqual(sortedIds(await storage().find({ schema: SCHEMA, where: MATCH_ALL })), ['t1', 't2']);
    });

    it('operations outside the transaction still work afterwards', async () => {
      await storage().insert({ schema: SCHEMA, object: stored('after', { n: 0 }) });
      assert.equal(
        await storage().count({ schema: SCHEMA, where: { kind: 'eq', path: ['objectId'], value: 'after' } }),
        1,
      );
    });
  });
}
