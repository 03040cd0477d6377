// The official Parse JS SDK's aggregate, distinct and Parse.Config against Strata, on every target of
// `compatTargets()` (SQLite in process, and MongoDB/FerretDB when STRATA_TEST_MONGODB_URI is set). The
// pipelines stay inside what FerretDB 1.24 runs ($match, $group with $sum of a field, $project, $sort,
// $limit, $count); the other stages are covered by the storage conformance suite on SQLite.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargets, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

for (const spec of compatTargets()) {
  describe(`parse SDK aggregate, distinct and Config [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    const Score = uniqueClassName('AggScore');
    const Owner = uniqueClassName('AggOwner');
    const ownerIds: string[] = [];

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      const owners = ['o1', 'o2'].map((name) => {
        const owner = new Parse.Object(Owner);
        owner.set('name', name);
        return owner;
      });
      await Parse.Object.saveAll(owners);
      ownerIds.push(...owners.map((o) => o.id ?? ''));
      const rows: Array<[string, number, number]> = [
        ['red', 10, 0],
        ['red', 20, 1],
        ['blue', 5, 0],
      ];
      await Parse.Object.saveAll(
        rows.map(([team, score, owner]) => {
          const object = new Parse.Object(Score);
          object.set({ team, score, owner: owners[owner], tags: [team, 'all'] });
          return object;
        }),
      );
    });

    after(async () => {
      // Without this the in-process server kept the test process alive forever (the CI run hung here).
      await target?.close();
    });

    it('aggregate: $group with $sum, sorted', async () => {
      const results = await new Parse.Query(Score).aggregate([
        { $group: { _id: '$team', total: { $sum: '$score' } } },
        { $sort: { total: -1 } },
      ]);
      assert.deepEqual(results, [
        { objectId: 'red', total: 30 },
        { objectId: 'blue', total: 5 },
      ]);
    });

    it('aggregate: the query constraints become a leading $match; pointers map both ways', async () => {
      const query = new Parse.Query(Score).equalTo('team', 'red');
      const results = (await query.aggregate([{ $project: { owner: 1, score: 1 } }, { $sort: { score: 1 } }])) as Array<
        Record<string, unknown>
      >;
      assert.deepEqual(
        results.map((r) => [r['score'], r['owner']]),
        [
          [10, { __type: 'Pointer', className: Owner, objectId: ownerIds[0] }],
          [20, { __type: 'Pointer', className: Owner, objectId: ownerIds[1] }],
        ],
      );
      const byOwner = await new Parse.Query(Score).aggregate([{ $match: { owner: ownerIds[0] } }, { $count: 'games' }]);
      assert.deepEqual(byOwner, [{ games: 2 }]);
    });

    it('aggregate: invalid stages are refused with 102', async () => {
      await assert.rejects(new Parse.Query(Score).aggregate([{ group: { _id: null } }]), {
        code: 102,
        message: "Invalid aggregate stage 'group'.",
      });
    });

    it('distinct: values, array elements, pointers, with constraints', async () => {
      assert.deepEqual((await new Parse.Query(Score).distinct('team')).sort(), ['blue', 'red']);
      assert.deepEqual((await new Parse.Query(Score).distinct('tags')).sort(), ['all', 'blue', 'red']);
      const owners = (await new Parse.Query(Score).equalTo('team', 'blue').distinct('owner')) as unknown[];
      assert.deepEqual(owners, [{ __type: 'Pointer', className: Owner, objectId: ownerIds[0] }]);
    });

    it('Parse.Config: save with masterKeyOnly, get as client and as master, current()', async () => {
      const when = new Date('2024-05-01T10:00:00.000Z');
      await Parse.Config.save({ greeting: 'hello', launch: when, limit: 3, secret: 'k' }, { secret: true });
      const config = await Parse.Config.get();
      assert.equal(config.get('greeting'), 'hello');
      assert.equal(config.get('limit'), 3);
      assert.deepEqual(config.get('launch'), when);
      assert.equal(config.get('secret'), undefined);
      const current = await Parse.Config.current();
      assert.equal(current.get('greeting'), 'hello');
      const asMaster = await Parse.Config.get({ useMasterKey: true });
      assert.equal(asMaster.get('secret'), 'k');
      await Parse.Config.save({ greeting: 'bye', limit: { __op: 'Delete' } as unknown as number }, {});
      const after = await Parse.Config.get();
      assert.equal(after.get('greeting'), 'bye');
      assert.equal(after.get('limit'), undefined);
      assert.equal(after.get('secret'), undefined, 'other keys are kept as they were');
      assert.equal((await Parse.Config.get({ useMasterKey: true })).get('secret'), 'k');
    });
  });
}
