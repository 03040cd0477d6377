import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Condition, SortKey } from '../../query/index.js';
import { MATCH_ALL } from '../../query/index.js';
import { classSchema, orderedIds, stored, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './harness.js';

const SCHEMA = classSchema('Sorted', {
  n: { type: 'Number' },
  name: { type: 'String' },
  group: { type: 'String' },
  when: { type: 'Date' },
  meta: { type: 'Object' },
});

const OBJECTS = [
  stored(
    's1',
    { n: 3, name: 'c', group: 'x', when: new Date('2024-01-03T00:00:00.000Z'), meta: { rank: 2 }, _note: 'one' },
    { offsetMs: 40 },
  ),
  stored(
    's2',
    { n: 1, name: 'a', group: 'y', when: new Date('2024-01-01T00:00:00.000Z'), meta: { rank: 5 } },
    { offsetMs: 10 },
  ),
  stored(
    's3',
    { n: null, name: 'b', group: 'x', when: new Date('2024-01-05T00:00:00.000Z'), meta: { rank: 1 } },
    { offsetMs: 30 },
  ),
  stored('s4', { n: 2, name: 'd', group: 'y', when: new Date('2024-01-02T00:00:00.000Z'), meta: {} }, { offsetMs: 0 }),
  stored(
    's5',
    { name: 'e', group: 'x', when: new Date('2024-01-04T00:00:00.000Z'), meta: { rank: 3 } },
    { offsetMs: 20 },
  ),
];

const key = (path: string, direction: 1 | -1 = 1): SortKey => ({
  path: path.split('.') as unknown as SortKey['path'],
  direction,
});

/** Sort, skip, limit, keys and count. */
export function findTests(options: StorageConformanceOptions): void {
  describe('find options', () => {
    const storage = useStorage(options);
    before(async () => {
      await storage().createClass(SCHEMA);
      for (const object of OBJECTS) await storage().insert({ schema: SCHEMA, object });
    });
    const ids = async (
      sort: readonly SortKey[],
      extra: { skip?: number; limit?: number; where?: Condition } = {},
    ): Promise<string[]> =>
      orderedIds(await storage().find({ schema: SCHEMA, where: extra.where ?? MATCH_ALL, sort, ...extra }));

    it('sorts ascending with null and missing first', async () => {
      assert.deepEqual(await ids([key('n'), key('name')]), ['s3', 's5', 's2', 's4', 's1']);
    });
    it('sorts descending with null and missing last', async () => {
      assert.deepEqual(await ids([key('n', -1), key('name')]), ['s1', 's4', 's2', 's3', 's5']);
    });
    it('sorts by several keys', async () => {
      assert.deepEqual(await ids([key('group'), key('n', -1), key('name')]), ['s1', 's3', 's5', 's4', 's2']);
    });
    it('sorts strings', async () => {
      assert.deepEqual(await ids([key('name', -1)]), ['s5', 's4', 's1', 's3', 's2']);
    });
    it('sorts dates', async () => {
      assert.deepEqual(await ids([key('when')]), ['s2', 's4', 's1', 's5', 's3']);
    });
    it('sorts by a dot path (missing first)', async () => {
      assert.deepEqual(await ids([key('meta.rank')]), ['s4', 's3', 's1', 's5', 's2']);
    });
    it('sorts by createdAt, updatedAt and objectId', async () => {
      assert.deepEqual(await ids([key('createdAt')]), ['s4', 's2', 's5', 's3', 's1']);
      assert.deepEqual(await ids([key('updatedAt', -1)]), ['s1', 's3', 's5', 's2', 's4']);
      assert.deepEqual(await ids([key('objectId', -1)]), ['s5', 's4', 's3', 's2', 's1']);
    });
    it('skip and limit', async () => {
      assert.deepEqual(await ids([key('name')], { skip: 1, limit: 2 }), ['s3', 's1']);
      assert.deepEqual(await ids([key('name')], { limit: 2 }), ['s2', 's3']);
      assert.deepEqual(await ids([key('name')], { skip: 3 }), ['s4', 's5']);
      assert.deepEqual(await ids([key('name')], { skip: 10 }), []);
    });
    it('skip and limit apply after the condition', async () => {
      const where: Condition = { kind: 'eq', path: ['group'], value: 'x' };
      assert.deepEqual(await ids([key('name')], { where, skip: 1, limit: 1 }), ['s1']);
    });
    it('keys returns only the chosen fields plus the fixed ones', async () => {
      const [found] = await storage().find({
        schema: SCHEMA,
        where: { kind: 'eq', path: ['objectId'], value: 's1' },
        keys: ['name', '_note'],
      });
      assert.deepStrictEqual(found, {
        objectId: 's1',
        createdAt: OBJECTS[0]?.createdAt,
        updatedAt: OBJECTS[0]?.updatedAt,
        fields: { name: 'c', _note: 'one' },
      });
      const [none] = await storage().find({
        schema: SCHEMA,
        where: { kind: 'eq', path: ['objectId'], value: 's2' },
        keys: ['unknown'],
      });
      assert.deepStrictEqual(none?.fields, {});
    });
    it('count', async () => {
      assert.equal(await storage().count({ schema: SCHEMA, where: MATCH_ALL }), 5);
      assert.equal(await storage().count({ schema: SCHEMA, where: { kind: 'eq', path: ['group'], value: 'y' } }), 2);
      assert.equal(await storage().count({ schema: SCHEMA, where: { kind: 'constant', value: false } }), 0);
    });
    it('find and count on a class that was never written return nothing', async () => {
      const ghost = classSchema('NeverWritten', { a: { type: 'String' } });
      assert.deepEqual(await storage().find({ schema: ghost, where: MATCH_ALL }), []);
      assert.equal(await storage().count({ schema: ghost, where: MATCH_ALL }), 0);
    });
  });
}
