// The official Parse JS SDK's query builder against a fixed set of five objects: every comparison,
// set, existence, regex and compound operator, dot paths, pointer/date/array equality, ordering,
// paging and projections. Runs against every target of `compatTargets()`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargets, rest, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

type ParseObject = InstanceType<ParseSDK['Object']>;
type Query = InstanceType<ParseSDK['Query']>;

const day = (iso: string): Date => new Date(`${iso}T00:00:00.000Z`);

for (const spec of compatTargets()) {
  describe(`parse SDK queries [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    const Score = uniqueClassName('Score');
    const Owner = uniqueClassName('Owner');
    const Empty = uniqueClassName('Empty');
    let p1: ParseObject;
    let p2: ParseObject;

    const q = (): Query => new Parse.Query(Score);
    /** Names of the results, sorted, for queries whose order is unspecified. */
    const names = async (query: Query): Promise<string[]> =>
      (await query.find()).map((o) => String(o.get('name'))).sort();
    /** Names in result order, for ordered queries. */
    const ordered = async (query: Query): Promise<string[]> => (await query.find()).map((o) => String(o.get('name')));

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      p1 = new Parse.Object(Owner);
      p1.set('name', 'p1');
      p2 = new Parse.Object(Owner);
      p2.set('name', 'p2');
      await Parse.Object.saveAll([p1, p2]);
      const rows: Record<string, unknown>[] = [
        {
          name: 'alpha',
          score: 10,
          tags: ['red', 'blue'],
          meta: { color: 'red', size: { w: 1 } },
          when: day('2024-01-01'),
          owner: p1,
          text: 'Hello (World)? [1+1]*',
        },
        {
          name: 'beta',
          score: 20,
          tags: ['blue'],
          meta: { color: 'blue', size: { w: 2 } },
          when: day('2024-02-01'),
          owner: p2,
          text: 'hello world',
        },
        {
          name: 'gamma',
          score: 30,
          tags: ['red', 'green', 'blue'],
          meta: { color: 'red', size: { w: 3 } },
          when: day('2024-03-01'),
          owner: p1,
          text: 'a.b*c',
        },
        { name: 'delta', score: 20, tags: [], when: day('2024-04-01') },
        {
          name: 'epsilon',
          score: 40,
          tags: ['green'],
          meta: { color: 'green' },
          when: day('2024-05-01'),
          owner: p2,
          text: 'line1\nline2',
        },
      ];
      await Parse.Object.saveAll(
        rows.map((row) => {
          const obj = new Parse.Object(Score);
          obj.set(row);
          return obj;
        }),
      );
    });
    after(async () => {
      await target?.close();
    });

    it('equalTo / notEqualTo on strings and numbers (notEqualTo matches missing fields)', async () => {
      assert.deepEqual(await names(q().equalTo('name', 'beta')), ['beta']);
      assert.deepEqual(await names(q().equalTo('score', 20)), ['beta', 'delta']);
      assert.deepEqual(await names(q().notEqualTo('score', 20)), ['alpha', 'epsilon', 'gamma']);
      assert.deepEqual(await names(q().notEqualTo('text', 'hello world')), ['alpha', 'delta', 'epsilon', 'gamma']);
    });

    it('lessThan / lessThanOrEqualTo / greaterThan / greaterThanOrEqualTo on numbers and dates', async () => {
      assert.deepEqual(await names(q().lessThan('score', 20)), ['alpha']);
      assert.deepEqual(await names(q().lessThanOrEqualTo('score', 20)), ['alpha', 'beta', 'delta']);
      assert.deepEqual(await names(q().greaterThan('score', 30)), ['epsilon']);
      assert.deepEqual(await names(q().greaterThanOrEqualTo('score', 30)), ['epsilon', 'gamma']);
      assert.deepEqual(await names(q().lessThan('when', day('2024-02-15'))), ['alpha', 'beta']);
      assert.deepEqual(
        await names(q().greaterThanOrEqualTo('when', day('2024-03-01')).lessThan('when', day('2024-05-01'))),
        ['delta', 'gamma'],
      );
    });

    it('equality on dates, pointers, null and array membership', async () => {
      assert.deepEqual(await names(q().equalTo('when', day('2024-03-01'))), ['gamma']);
      assert.deepEqual(await names(q().equalTo('owner', p1)), ['alpha', 'gamma']);
      assert.deepEqual(await names(q().notEqualTo('owner', p1)), ['beta', 'delta', 'epsilon']);
      assert.deepEqual(await names(q().equalTo('owner', null)), ['delta']);
      assert.deepEqual(await names(q().equalTo('tags', 'blue')), ['alpha', 'beta', 'gamma']);
      assert.deepEqual(await names(q().notEqualTo('tags', 'blue')), ['delta', 'epsilon']);
    });

    it('containedIn / notContainedIn / containsAll', async () => {
      assert.deepEqual(await names(q().containedIn('name', ['alpha', 'gamma', 'nope'])), ['alpha', 'gamma']);
      assert.deepEqual(await names(q().notContainedIn('name', ['alpha', 'gamma'])), ['beta', 'delta', 'epsilon']);
      assert.deepEqual(await names(q().containedIn('tags', ['green'])), ['epsilon', 'gamma']);
      assert.deepEqual(await names(q().containedIn('owner', [p2])), ['beta', 'epsilon']);
      assert.deepEqual(await names(q().notContainedIn('owner', [p2])), ['alpha', 'delta', 'gamma']);
      assert.deepEqual(await names(q().containsAll('tags', ['red', 'blue'])), ['alpha', 'gamma']);
    });

    it('exists / doesNotExist', async () => {
      assert.deepEqual(await names(q().exists('meta')), ['alpha', 'beta', 'epsilon', 'gamma']);
      assert.deepEqual(await names(q().doesNotExist('meta')), ['delta']);
      assert.deepEqual(await names(q().exists('owner')), ['alpha', 'beta', 'epsilon', 'gamma']);
      assert.deepEqual(await names(q().doesNotExist('nowhere')), ['alpha', 'beta', 'delta', 'epsilon', 'gamma']);
    });

    it('matches with regex modifiers', async () => {
      assert.deepEqual(await names(q().matches('name', /ALPHA|Beta/i)), ['alpha', 'beta']);
      assert.deepEqual(await names(q().matches('name', 'ALPHA|Beta', 'i')), ['alpha', 'beta']);
      assert.deepEqual(await names(q().matches('name', /ALPHA|Beta/)), []);
      assert.deepEqual(await names(q().matches('text', /^hello/i)), ['alpha', 'beta']);
      assert.deepEqual(await names(q().matches('text', '^line2$', 'm')), ['epsilon']);
      assert.deepEqual(await names(q().matches('text', '^line2$')), []);
    });

    it('startsWith / endsWith / contains quote regex metacharacters with \\Q...\\E', async () => {
      assert.deepEqual(await names(q().startsWith('name', 'al')), ['alpha']);
      assert.deepEqual(await names(q().endsWith('name', 'ta')), ['beta', 'delta']);
      assert.deepEqual(await names(q().contains('text', '(World)? [1+1]*')), ['alpha']);
      assert.deepEqual(await names(q().contains('text', '.')), ['gamma']);
      assert.deepEqual(await names(q().contains('text', 'hello')), ['beta']);
      assert.deepEqual(await names(q().startsWith('text', 'a.b*')), ['gamma']);
      assert.deepEqual(await names(q().endsWith('text', '[1+1]*')), ['alpha']);
      assert.deepEqual(await names(q().startsWith('text', 'a.c')), []);
    });

    it('Parse.Query.or / and / nor', async () => {
      const low = q().lessThan('score', 15);
      const high = q().greaterThan('score', 35);
      assert.deepEqual(await names(Parse.Query.or(low, high)), ['alpha', 'epsilon']);
      assert.deepEqual(await names(Parse.Query.nor(q().lessThan('score', 15), q().greaterThan('score', 35))), [
        'beta',
        'delta',
        'gamma',
      ]);
      assert.deepEqual(await names(Parse.Query.and(q().greaterThan('score', 15), q().equalTo('tags', 'blue'))), [
        'beta',
        'gamma',
      ]);
      const combined = Parse.Query.or(q().equalTo('name', 'alpha'), q().equalTo('name', 'gamma'));
      combined.greaterThan('score', 20);
      assert.deepEqual(await names(combined), ['gamma']);
    });

    it('dot notation into object fields', async () => {
      assert.deepEqual(await names(q().equalTo('meta.color', 'red')), ['alpha', 'gamma']);
      assert.deepEqual(await names(q().greaterThan('meta.size.w', 1)), ['beta', 'gamma']);
      assert.deepEqual(await names(q().exists('meta.size')), ['alpha', 'beta', 'gamma']);
    });

    it('orders by several keys in both directions', async () => {
      assert.deepEqual(await ordered(q().ascending('score').addDescending('name')), [
        'alpha',
        'delta',
        'beta',
        'gamma',
        'epsilon',
      ]);
      assert.deepEqual(await ordered(q().descending('score').addAscending('name')), [
        'epsilon',
        'gamma',
        'beta',
        'delta',
        'alpha',
      ]);
      assert.deepEqual(await ordered(q().descending('when')), ['epsilon', 'delta', 'gamma', 'beta', 'alpha']);
    });

    it('limit and skip', async () => {
      const page = q().ascending('score').addAscending('name').skip(1).limit(2);
      assert.deepEqual(await ordered(page), ['beta', 'delta']);
      assert.deepEqual(await ordered(q().ascending('name').skip(4).limit(10)), ['gamma']);
      assert.deepEqual(await ordered(q().ascending('name').skip(5)), []);
    });

    it('select and exclude restrict the returned keys', async () => {
      const selected = await q().select('name', 'meta.color').equalTo('name', 'alpha').find();
      assert.equal(selected.length, 1);
      const one = selected[0] as ParseObject;
      assert.equal(one.get('name'), 'alpha');
      // A dot path in `keys` selects the whole top-level field (parse-server 9.10 on MongoDB).
      assert.deepEqual(one.get('meta'), { color: 'red', size: { w: 1 } });
      assert.equal(one.has('score'), false);
      assert.ok(one.createdAt instanceof Date);

      const raw = await rest(target, {
        method: 'GET',
        path: `/classes/${Score}?where=${encodeURIComponent('{"name":"alpha"}')}&keys=name`,
      });
      const rows = (raw.body as { results: Record<string, unknown>[] }).results;
      assert.deepEqual(
        Object.keys(rows[0] ?? {})
          .filter((k) => k !== 'ACL')
          .sort(),
        ['createdAt', 'name', 'objectId', 'updatedAt'],
      );

      const excluded = await q().exclude('score', 'tags').equalTo('name', 'alpha').first();
      assert.equal(excluded?.get('name'), 'alpha');
      assert.equal(excluded?.has('score'), false);
      assert.equal(excluded?.has('tags'), false);
      assert.deepEqual(excluded?.get('meta'), { color: 'red', size: { w: 1 } });
    });

    it('include and include("*") inline pointers', async () => {
      const withOwner = await q().include('owner').equalTo('name', 'beta').first();
      const owner = withOwner?.get('owner') as ParseObject;
      assert.equal(owner.id, p2.id);
      assert.equal(owner.get('name'), 'p2');
      const all = await q().include('*').equalTo('name', 'gamma').first();
      assert.equal((all?.get('owner') as ParseObject).get('name'), 'p1');
      const none = await q().equalTo('name', 'gamma').first();
      assert.equal((none?.get('owner') as ParseObject).isDataAvailable(), false);
    });

    it('count, first, and find on an empty result', async () => {
      assert.equal(await q().count(), 5);
      assert.equal(await q().greaterThan('score', 15).count(), 4);
      assert.equal(await q().equalTo('name', 'nope').count(), 0);
      assert.equal((await q().ascending('score').first())?.get('name'), 'alpha');
      assert.equal(await q().equalTo('name', 'nope').first(), undefined);
      assert.deepEqual(await q().equalTo('name', 'nope').find(), []);
      // withCount() makes find() resolve to { results, count } although the typings say an array.
      const counted: unknown = await q().greaterThan('score', 15).limit(1).withCount().find();
      assert.equal((counted as { results: unknown[] }).results.length, 1);
      assert.equal((counted as { count: number }).count, 4);
    });

    it('finds nothing (not an error) in a class that has never been written, with the master key', async () => {
      assert.deepEqual(await new Parse.Query(Empty).find({ useMasterKey: true }), []);
      assert.equal(await new Parse.Query(Empty).count({ useMasterKey: true }), 0);
    });

    it('each pages through every match', async () => {
      const seen: string[] = [];
      await q().each(
        (o) => {
          seen.push(String(o.get('name')));
        },
        { batchSize: 2 },
      );
      assert.deepEqual(seen.sort(), ['alpha', 'beta', 'delta', 'epsilon', 'gamma']);
    });
  });
}
