import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MATCH_ALL, parsePipeline } from '../../query/index.js';
import type { Condition } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { AggregateDocument } from '../aggregate-types.js';
import { classSchema, skipUnsupported, stored, useStorage } from './harness.js';
import type { ConformanceFeature, StorageConformanceOptions } from './harness.js';

const SCHEMA = classSchema('Match', {
  score: { type: 'Number' },
  team: { type: 'String' },
  player: { type: 'Pointer', targetClass: 'Player' },
  tags: { type: 'Array' },
  when: { type: 'Date' },
  meta: { type: 'Object' },
});

const day = (iso: string): Date => new Date(`${iso}T00:00:00.000Z`);

const OBJECTS = [
  stored('m1', {
    score: 10,
    team: 'red',
    player: new Pointer('Player', 'p1'),
    tags: ['a', 'b'],
    when: day('2024-01-01'),
    meta: { level: 1 },
  }),
  stored(
    'm2',
    { score: 20, team: 'red', player: new Pointer('Player', 'p2'), tags: ['b'], when: day('2024-02-01') },
    { offsetMs: 10 },
  ),
  stored(
    'm3',
    { score: 5, team: 'blue', player: new Pointer('Player', 'p1'), tags: [], when: day('2024-03-01') },
    { offsetMs: 20 },
  ),
  stored('m4', { team: 'blue', meta: { level: 3 } }, { offsetMs: 30 }),
];

/** Aggregation pipelines and distinct (queries.md §9): exact documents in stored names. */
export function aggregateTests(options: StorageConformanceOptions): void {
  describe('aggregate and distinct', () => {
    const storage = useStorage(options);
    before(async () => {
      await storage().createClass(SCHEMA);
      for (const object of OBJECTS) await storage().insert({ schema: SCHEMA, object });
    });
    const run = async (pipeline: unknown): Promise<AggregateDocument[]> => {
      const adapter = storage();
      assert.ok(adapter.aggregate, 'the adapter implements aggregate');
      return adapter.aggregate({ schema: SCHEMA, pipeline: parsePipeline({ pipeline, schema: SCHEMA, maxDepth: 16 }) });
    };
    const guarded = (feature: ConformanceFeature | undefined, name: string, body: () => Promise<void>): void => {
      it(name, async (t) => {
        if (feature !== undefined && skipUnsupported(options, feature, t)) return;
        await body();
      });
    };
    const byId = (docs: AggregateDocument[]): AggregateDocument[] =>
      [...docs].sort((a, b) => (JSON.stringify(a['_id']) < JSON.stringify(b['_id']) ? -1 : 1));

    guarded(undefined, '$match on the class, then $group with $sum of a field', async () => {
      const docs = await run([
        { $match: { score: { $gte: 5 } } },
        { $group: { _id: '$team', total: { $sum: '$score' } } },
      ]);
      assert.deepEqual(byId(docs), [
        { _id: 'blue', total: 5 },
        { _id: 'red', total: 30 },
      ]);
    });

    guarded(undefined, '$group by a pointer gives Class$id keys; $count accumulator', async () => {
      const docs = await run([{ $group: { _id: '$player', n: { $count: {} } } }]);
      assert.deepEqual(byId(docs), [
        { _id: 'Player$p1', n: 2 },
        { _id: 'Player$p2', n: 1 },
        { _id: null, n: 1 },
      ]);
    });

    guarded(undefined, '$group by a document of fields', async () => {
      const docs = await run([
        { $match: { team: 'red' } },
        { $group: { _id: { team: '$team' }, total: { $sum: '$score' } } },
      ]);
      assert.deepEqual(docs, [{ _id: { team: 'red' }, total: 30 }]);
    });

    guarded('aggregateAccumulators', '$avg $min $max $first $last $push $addToSet', async () => {
      const docs = await run([
        { $sort: { _id: 1 } },
        {
          $group: {
            _id: null,
            avg: { $avg: '$score' },
            min: { $min: '$score' },
            max: { $max: '$createdAt' },
            first: { $first: '$score' },
            last: { $last: '$score' },
            pushed: { $push: '$team' },
            set: { $addToSet: '$team' },
          },
        },
      ]);
      assert.equal(docs.length, 1);
      const [doc] = docs as [AggregateDocument];
      const set = (doc['set'] as string[]).slice().sort();
      assert.deepEqual(
        { ...doc, set },
        {
          _id: null,
          avg: 35 / 3,
          min: 5,
          max: new Date(Date.parse('2024-03-01T12:00:00.030Z')),
          first: 10,
          last: null,
          pushed: ['red', 'red', 'blue', 'blue'],
          set: ['blue', 'red'],
        },
      );
    });

    guarded('aggregateSumOfConstant', '$sum of a constant counts', async () => {
      const docs = await run([{ $group: { _id: '$team', n: { $sum: 1 } } }]);
      assert.deepEqual(byId(docs), [
        { _id: 'blue', n: 2 },
        { _id: 'red', n: 2 },
      ]);
    });

    guarded(undefined, '$project inclusion maps pointer and timestamp names; $sort, $skip, $limit', async () => {
      const docs = await run([
        { $sort: { score: -1 } },
        { $skip: 1 },
        { $limit: 2 },
        { $project: { player: 1, createdAt: 1, score: 1 } },
      ]);
      assert.deepEqual(docs, [
        { _id: 'm1', score: 10, _p_player: 'Player$p1', _created_at: new Date(Date.parse('2024-03-01T12:00:00.000Z')) },
        { _id: 'm3', score: 5, _p_player: 'Player$p1', _created_at: new Date(Date.parse('2024-03-01T12:00:00.020Z')) },
      ]);
    });

    guarded(undefined, '$project exclusion and _id: 0', async () => {
      const docs = await run([
        { $match: { objectId: 'm4' } },
        { $project: { _id: 0, _created_at: 0, _updated_at: 0 } },
      ]);
      assert.deepEqual(docs, [{ team: 'blue', meta: { level: 3 } }]);
    });

    guarded('aggregateComputedProject', '$project renames a field with "$path"', async () => {
      const docs = await run([{ $match: { objectId: 'm1' } }, { $project: { _id: 0, level: '$meta.level' } }]);
      assert.deepEqual(docs, [{ level: 1 }]);
    });

    guarded(undefined, '$count counts and gives nothing for no input', async () => {
      assert.deepEqual(await run([{ $match: { team: 'red' } }, { $count: 'n' }]), [{ n: 2 }]);
      assert.deepEqual(await run([{ $match: { team: 'green' } }, { $count: 'n' }]), []);
    });

    guarded(undefined, 'a $match after $group filters the group documents', async () => {
      const docs = await run([
        { $group: { _id: '$team', total: { $sum: '$score' } } },
        { $match: { total: { $gt: 10 } } },
      ]);
      assert.deepEqual(docs, [{ _id: 'red', total: 30 }]);
    });

    guarded(undefined, 'dates in a leading $match accept ISO strings', async () => {
      const docs = await run([{ $match: { when: { $gte: '2024-02-01T00:00:00.000Z' } } }, { $project: { _id: 1 } }]);
      assert.deepEqual(byId(docs), [{ _id: 'm2' }, { _id: 'm3' }]);
    });

    guarded('aggregateUnwind', '$unwind arrays (empty and missing dropped)', async () => {
      const docs = await run([{ $sort: { _id: 1 } }, { $unwind: '$tags' }, { $project: { tags: 1 } }]);
      assert.deepEqual(docs, [
        { _id: 'm1', tags: 'a' },
        { _id: 'm1', tags: 'b' },
        { _id: 'm2', tags: 'b' },
      ]);
    });

    guarded('aggregateUnwindOptions', '$unwind with includeArrayIndex and preserveNullAndEmptyArrays', async () => {
      const docs = await run([
        { $sort: { _id: 1 } },
        { $unwind: { path: '$tags', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true } },
        { $project: { tags: 1, i: 1 } },
      ]);
      assert.deepEqual(docs, [
        { _id: 'm1', tags: 'a', i: 0 },
        { _id: 'm1', tags: 'b', i: 1 },
        { _id: 'm2', tags: 'b', i: 0 },
        { _id: 'm3', i: null },
        { _id: 'm4', i: null },
      ]);
    });

    guarded('aggregateSample', '$sample returns that many distinct documents', async () => {
      const docs = await run([{ $sample: { size: 3 } }, { $project: { _id: 1 } }]);
      assert.equal(new Set(docs.map((d) => d['_id'])).size, 3);
    });

    const distinct = async (field: string[], where: Condition = MATCH_ALL): Promise<ParseValue[]> => {
      const adapter = storage();
      assert.ok(adapter.distinct, 'the adapter implements distinct');
      return adapter.distinct({ schema: SCHEMA, where, field: field as [string, ...string[]] });
    };
    const sorted = (values: ParseValue[]): ParseValue[] =>
      [...values].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

    guarded(undefined, 'distinct of a string field, an array field (per element) and a pointer field', async () => {
      assert.deepEqual(sorted(await distinct(['team'])), ['blue', 'red']);
      assert.deepEqual(sorted(await distinct(['tags'])), ['a', 'b']);
      assert.deepEqual(sorted(await distinct(['player'])), [new Pointer('Player', 'p1'), new Pointer('Player', 'p2')]);
      assert.deepEqual(await distinct(['meta', 'level'], { kind: 'eq', path: ['team'], value: 'blue' }), [3]);
      assert.deepEqual(sorted(await distinct(['when'], { kind: 'eq', path: ['team'], value: 'red' })), [
        day('2024-01-01'),
        day('2024-02-01'),
      ]);
    });
  });
}
