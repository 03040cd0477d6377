import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition } from '../query/index.js';
import { SlowQueryLog, readPlan, shapeOf, suggestIndex } from './slow-queries.js';

const where: Condition = {
  kind: 'and',
  conditions: [
    { kind: 'compare', path: ['amount'], op: 'gt', value: 3 },
    { kind: 'eq', path: ['region'], value: 'north' },
    { kind: 'in', path: ['tier'], values: ['a', 'b'] },
  ],
};

describe('slow query shapes', () => {
  it('keeps keys and operators, drops values, and names the order', () => {
    assert.equal(
      shapeOf(where, [{ path: ['createdAt'], direction: -1 }]),
      'amount:$gt, region:$eq, tier:$in order -createdAt',
    );
    assert.equal(shapeOf({ kind: 'constant', value: true }, []), '{}');
  });

  it('suggests equality fields, then the sort, then ranges', () => {
    assert.deepEqual(suggestIndex(where, [{ path: ['createdAt'], direction: -1 }]), {
      region: 1,
      tier: 1,
      createdAt: -1,
      amount: 1,
    });
    assert.equal(suggestIndex({ kind: 'eq', path: ['objectId'], value: 'x' }, []), undefined);
  });

  it("reads SQLite's plan and MongoDB's explain", () => {
    assert.equal(readPlan('sqlite', [{ detail: 'SCAN Sale' }]).indexed, false);
    assert.equal(readPlan('sqlite', [{ detail: 'SEARCH Sale USING INDEX i (region=?)' }]).indexed, true);
    const ixscan = {
      queryPlanner: { winningPlan: { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: 'i' } } },
    };
    assert.deepEqual(readPlan('mongodb', ixscan), { indexed: true, plan: 'FETCH <- IXSCAN i' });
    assert.equal(readPlan('mongodb', { queryPlanner: { winningPlan: { stage: 'COLLSCAN' } } }).indexed, false);
    assert.deepEqual(readPlan('mongodb', {}), { indexed: null });
  });

  it('ignores fast queries and keeps at most maxShapes, the least recently seen leaving first', () => {
    const log = new SlowQueryLog({ thresholdMs: 10, kind: 'sqlite', maxShapes: 2 });
    const sample = (field: string, ms: number) => ({
      className: 'T',
      where: { kind: 'eq', path: [field], value: 1 } as Condition,
      sort: [],
      ms,
      explain: () => Promise.resolve([{ detail: 'SCAN T' }]),
    });
    log.observe(sample('a', 5));
    assert.equal(log.list().length, 0);
    log.observe(sample('a', 20));
    log.observe(sample('b', 20));
    log.observe(sample('a', 30));
    log.observe(sample('c', 20));
    assert.deepEqual(
      log.list().map((q) => [q.shape, q.count]),
      [
        ['a:$eq', 2],
        ['c:$eq', 1],
      ],
    );
  });
});
