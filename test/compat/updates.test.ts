// Update operators sent by the official Parse JS SDK (Increment, Add, AddUnique, Remove, Delete,
// AddRelation/RemoveRelation and their Batch), and the SDK merging the server's returned values into
// a stale local copy. Runs against every target of `compatTargets()`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargets, rest, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

type ParseObject = InstanceType<ParseSDK['Object']>;

for (const spec of compatTargets()) {
  describe(`parse SDK updates [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    const Counter = uniqueClassName('Counter');
    const Member = uniqueClassName('Member');

    /** A second, independent local copy of `obj` (the SDK on Node keeps one state per instance). */
    const copyOf = async (obj: ParseObject): Promise<ParseObject> => new Parse.Query(Counter).get(obj.id ?? '');

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
    });
    after(async () => {
      await target?.close();
    });

    it('increments and decrements atomically and merges the server value into a stale copy', async () => {
      const obj = new Parse.Object(Counter);
      obj.set('score', 5);
      obj.increment('fresh', 3);
      await obj.save();
      assert.equal(obj.get('fresh'), 3);

      const stale = await copyOf(obj);
      obj.increment('score');
      await obj.save();
      assert.equal(obj.get('score'), 6);
      obj.increment('score', 10);
      await obj.save();
      assert.equal(obj.get('score'), 16);

      assert.equal(stale.get('score'), 5);
      stale.decrement('score', 3);
      await stale.save();
      assert.equal(stale.get('score'), 13);
      stale.increment('score', -0.5);
      await stale.save();
      assert.equal(stale.get('score'), 12.5);
      assert.equal((await copyOf(obj)).get('score'), 12.5);
    });

    it('add appends (duplicates kept) and the whole server array comes back', async () => {
      const obj = new Parse.Object(Counter);
      obj.set('list', ['a']);
      await obj.save();
      const stale = await copyOf(obj);
      obj.add('list', 'b');
      await obj.save();
      assert.deepEqual(obj.get('list'), ['a', 'b']);

      stale.addAll('list', ['c', 'a']);
      await stale.save();
      assert.deepEqual(stale.get('list'), ['a', 'b', 'c', 'a']);

      const created = new Parse.Object(Counter);
      created.add('list', { k: 1 });
      await created.save();
      assert.deepEqual((await copyOf(created)).get('list'), [{ k: 1 }]);
    });

    it('addUnique only appends missing items', async () => {
      const obj = new Parse.Object(Counter);
      obj.set('list', ['a', 'b', 'c']);
      await obj.save();
      const stale = await copyOf(obj);
      stale.addAllUnique('list', ['b', 'd', 'd']);
      await stale.save();
      assert.deepEqual(stale.get('list'), ['a', 'b', 'c', 'd']);
      obj.addUnique('list', 'a');
      await obj.save();
      assert.deepEqual(obj.get('list'), ['a', 'b', 'c', 'd']);
      assert.deepEqual((await copyOf(obj)).get('list'), ['a', 'b', 'c', 'd']);
    });

    it('remove drops every occurrence', async () => {
      const obj = new Parse.Object(Counter);
      obj.set('list', ['x', 'y', 'x', 'z']);
      await obj.save();
      const stale = await copyOf(obj);
      stale.remove('list', 'x');
      await stale.save();
      assert.deepEqual(stale.get('list'), ['y', 'z']);
      obj.removeAll('list', ['z', 'missing']);
      await obj.save();
      assert.deepEqual(obj.get('list'), ['y']);
      assert.deepEqual((await copyOf(obj)).get('list'), ['y']);
    });

    it('unset alongside other operators in one save', async () => {
      const obj = new Parse.Object(Counter);
      obj.set({ score: 1, gone: 'bye', list: ['a'] });
      await obj.save();
      const createdAt = obj.createdAt?.toISOString();
      obj.unset('gone');
      obj.increment('score', 2);
      obj.add('list', 'b');
      obj.set('name', 'renamed');
      await obj.save();
      assert.equal(obj.createdAt?.toISOString(), createdAt);
      const back = await copyOf(obj);
      assert.equal(back.has('gone'), false);
      assert.equal(back.get('score'), 3);
      assert.deepEqual(back.get('list'), ['a', 'b']);
      assert.equal(back.get('name'), 'renamed');
      assert.equal(back.updatedAt?.toISOString(), obj.updatedAt?.toISOString());
    });

    it('returns only updatedAt and operator results from a REST update, and operator results on create', async () => {
      const created = await rest(target, {
        method: 'POST',
        path: `/classes/${Counter}`,
        body: { name: 'raw', score: { __op: 'Increment', amount: 4 }, list: { __op: 'Add', objects: [1] } },
      });
      assert.equal(created.status, 201);
      const body = created.body as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'list', 'objectId', 'score']);
      assert.equal(body['score'], 4);
      assert.deepEqual(body['list'], [1]);

      const updated = await rest(target, {
        method: 'PUT',
        path: `/classes/${Counter}/${String(body['objectId'])}`,
        body: {
          name: 'raw2',
          score: { __op: 'Increment', amount: -1 },
          list: { __op: 'AddUnique', objects: [1, 2] },
          gone: { __op: 'Delete' },
        },
      });
      assert.equal(updated.status, 200);
      const delta = updated.body as Record<string, unknown>;
      assert.deepEqual(Object.keys(delta).sort(), ['list', 'score', 'updatedAt']);
      assert.equal(delta['score'], 3);
      assert.deepEqual(delta['list'], [1, 2]);
    });

    it('adds and removes relation members, sending a Batch op when both are pending', async () => {
      const [a, b, c] = ['a', 'b', 'c'].map((name) => {
        const m = new Parse.Object(Member);
        m.set('name', name);
        return m;
      }) as [ParseObject, ParseObject, ParseObject];
      await Parse.Object.saveAll([a, b, c]);
      const owner = new Parse.Object(Counter);
      owner.relation('members').add([a, b]);
      await owner.save();
      const memberNames = async (): Promise<string[]> =>
        (await owner.relation('members').query().find()).map((m) => String(m.get('name'))).sort();
      assert.deepEqual(await memberNames(), ['a', 'b']);

      owner.relation('members').remove(a);
      owner.relation('members').add(c);
      const pending = owner.op('members') as { toJSON(): unknown } | undefined;
      assert.deepEqual(pending?.toJSON(), {
        __op: 'Batch',
        ops: [
          { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: Member, objectId: c.id }] },
          { __op: 'RemoveRelation', objects: [{ __type: 'Pointer', className: Member, objectId: a.id }] },
        ],
      });
      await owner.save();
      assert.deepEqual(await memberNames(), ['b', 'c']);

      owner.relation('members').remove(b);
      await owner.save();
      assert.deepEqual(await memberNames(), ['c']);
      // Removing a non-member is not an error.
      owner.relation('members').remove(a);
      await owner.save();
      assert.deepEqual(await memberNames(), ['c']);

      const byMember = await new Parse.Query(Counter).equalTo('members', c).find();
      assert.deepEqual(
        byMember.map((o) => o.id),
        [owner.id],
      );
    });
  });
}
