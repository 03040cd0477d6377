import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Condition } from '../../query/index.js';
import { MATCH_ALL } from '../../query/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { StoredObject, UpdateOp, UpdateSpec } from '../adapter.js';
import { classSchema, skipUnsupported, sortedIds, stored, user, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './harness.js';

const SCHEMA = classSchema('Upd', {
  name: { type: 'String' },
  n: { type: 'Number' },
  list: { type: 'Array' },
  stats: { type: 'Object' },
  owner: { type: 'Pointer', targetClass: '_User' },
});
const LATER = new Date('2025-01-01T00:00:00.000Z');
const byId = (objectId: string): Condition => ({ kind: 'eq', path: ['objectId'], value: objectId });
const spec = (fields: Record<string, UpdateOp>, extra: Partial<UpdateSpec> = {}): UpdateSpec => ({
  fields,
  updatedAt: LATER,
  ...extra,
});

/** updateOne with every UpdateOp (and the states before and after), updateMany, deleteMany, deleteReturning, relations, concurrency. */
export function updateTests(options: StorageConformanceOptions): void {
  describe('updates', () => {
    const storage = useStorage(options);
    before(async () => {
      await storage().createClass(SCHEMA);
    });
    /**
     * Inserts `fields` as a new object, applies `ops`, checks the returned states: `before` equals the object as
     * read before the update, `after` the object as read after it (so an adapter that computes `after` in memory
     * must agree with what it stored).
     */
    const update = async (
      objectId: string,
      fields: Record<string, ParseValue>,
      ops: Record<string, UpdateOp>,
    ): Promise<StoredObject> => {
      await storage().insert({ schema: SCHEMA, object: stored(objectId, fields) });
      const [previous] = await storage().find({ schema: SCHEMA, where: byId(objectId) });
      const result = await storage().updateOne({ schema: SCHEMA, where: byId(objectId), update: spec(ops) });
      assert.ok(result, 'updateOne returned null');
      const [found] = await storage().find({ schema: SCHEMA, where: byId(objectId) });
      assert.deepStrictEqual(result.before, previous);
      assert.deepStrictEqual(result.after, found);
      assert.deepStrictEqual(result.after.updatedAt, LATER);
      return result.after;
    };

    it('set replaces values, including undeclared ones and null', async () => {
      const result = await update(
        'set1',
        { name: 'a', n: 1, _x: 'old' },
        {
          name: { op: 'set', value: 'b' },
          n: { op: 'set', value: null },
          _x: { op: 'set', value: 'new' },
          fresh: { op: 'set', value: { when: new Date('2024-01-01T00:00:00.000Z'), who: user('u1') } },
        },
      );
      assert.deepStrictEqual(result.fields, {
        name: 'b',
        n: null,
        _x: 'new',
        fresh: { when: new Date('2024-01-01T00:00:00.000Z'), who: user('u1') },
      });
    });

    it('set on a dot path changes one key of an Object field', async () => {
      const result = await update(
        'set2',
        { stats: { a: 1, b: { c: 2 } } },
        { 'stats.b.c': { op: 'set', value: 3 }, 'stats.d': { op: 'set', value: 'x' } },
      );
      assert.deepStrictEqual(result.fields, { stats: { a: 1, b: { c: 3 }, d: 'x' } });
    });

    it('unset removes fields and dot paths', async () => {
      const result = await update(
        'unset1',
        { name: 'a', n: 1, stats: { a: 1, b: 2 }, _token: 't' },
        {
          name: { op: 'unset' },
          'stats.a': { op: 'unset' },
          _token: { op: 'unset' },
          missing: { op: 'unset' },
        },
      );
      assert.deepStrictEqual(result.fields, { n: 1, stats: { b: 2 } });
    });

    it('increment adds to numbers and treats a missing field as 0', async () => {
      const result = await update(
        'inc1',
        { n: 5, stats: { wins: 2 } },
        {
          n: { op: 'increment', amount: -7.5 },
          other: { op: 'increment', amount: 3 },
          'stats.wins': { op: 'increment', amount: 1 },
          'stats.losses': { op: 'increment', amount: 4 },
          _failed_login_count: { op: 'increment', amount: 1 },
        },
      );
      assert.deepStrictEqual(result.fields, {
        n: -2.5,
        other: 3,
        stats: { wins: 3, losses: 4 },
        _failed_login_count: 1,
      });
    });

    it('increment on a dot path of a missing Object field creates it', async () => {
      const result = await update('inc2', {}, { 'stats.wins': { op: 'increment', amount: 1 } });
      assert.deepStrictEqual(result.fields, { stats: { wins: 1 } });
    });

    it('add appends, keeping duplicates; a missing field becomes the array', async () => {
      const result = await update(
        'add1',
        { list: ['a'] },
        { list: { op: 'add', objects: ['a', 'b', 1] }, other: { op: 'add', objects: [user('u1')] } },
      );
      assert.deepStrictEqual(result.fields, { list: ['a', 'a', 'b', 1], other: [user('u1')] });
    });

    it('addUnique adds only missing items, comparing pointers and objects by value', async () => {
      const result = await update(
        'addu1',
        { list: ['a', 'b', user('u1'), { k: 1 }] },
        {
          list: { op: 'addUnique', objects: ['b', 'c', user('u1'), user('u2'), { k: 1 }, { k: 2 }, 'c'] },
        },
      );
      assert.deepStrictEqual(result.fields, { list: ['a', 'b', user('u1'), { k: 1 }, 'c', user('u2'), { k: 2 }] });
    });

    it('remove deletes every occurrence, including pointers and objects', async () => {
      const result = await update(
        'rem1',
        { list: ['a', 'b', 'a', 'c', user('u1'), user('u2'), { k: 1 }, 1, '1'] },
        {
          list: { op: 'remove', objects: ['a', user('u1'), { k: 1 }, 1, 'zzz'] },
        },
      );
      assert.deepStrictEqual(result.fields, { list: ['b', 'c', user('u2'), '1'] });
    });

    it('ACL replacement', async () => {
      await storage().insert({
        schema: SCHEMA,
        object: stored('acl1', { name: 'x' }, { ACL: { '*': { read: true } } }),
      });
      const acl = { u1: { read: true as const, write: true as const } };
      const result = await storage().updateOne({ schema: SCHEMA, where: byId('acl1'), update: spec({}, { ACL: acl }) });
      assert.deepStrictEqual(result?.before.ACL, { '*': { read: true } });
      assert.deepStrictEqual(result?.after.ACL, acl);
      const [found] = await storage().find({ schema: SCHEMA, where: byId('acl1') });
      assert.deepStrictEqual(found?.ACL, acl);
      assert.deepStrictEqual(found?.fields, { name: 'x' });
    });

    it('returns null and changes nothing when the condition fails (e.g. the ACL)', async () => {
      await storage().insert({ schema: SCHEMA, object: stored('locked', { name: 'x' }, { ACL: {} }) });
      const where: Condition = {
        kind: 'and',
        conditions: [byId('locked'), { kind: 'acl', access: 'write', entities: ['*', 'u1'] }],
      };
      assert.equal(
        await storage().updateOne({ schema: SCHEMA, where, update: spec({ name: { op: 'set', value: 'y' } }) }),
        null,
      );
      assert.equal(
        await storage().updateOne({
          schema: SCHEMA,
          where: byId('nobody'),
          update: spec({ name: { op: 'set', value: 'y' } }),
        }),
        null,
      );
      const [found] = await storage().find({ schema: SCHEMA, where: byId('locked') });
      assert.deepStrictEqual(found?.fields, { name: 'x' });
    });

    it('updateMany updates every match and returns the count', async () => {
      for (const id of ['m1', 'm2', 'm3'])
        await storage().insert({ schema: SCHEMA, object: stored(id, { name: 'many', n: 1 }) });
      const where: Condition = { kind: 'eq', path: ['name'], value: 'many' };
      assert.equal(
        await storage().updateMany({ schema: SCHEMA, where, update: spec({ n: { op: 'increment', amount: 2 } }) }),
        3,
      );
      const found = await storage().find({ schema: SCHEMA, where });
      assert.deepEqual(
        found.map((o) => o.fields['n']),
        [3, 3, 3],
      );
      assert.equal(
        await storage().updateMany({ schema: SCHEMA, where: byId('none'), update: spec({ n: { op: 'unset' } }) }),
        0,
      );
    });

    it('deleteMany deletes every match and returns the count', async () => {
      for (const id of ['del1', 'del2', 'keep1'])
        await storage().insert({
          schema: SCHEMA,
          object: stored(id, { name: id.startsWith('del') ? 'doomed' : 'kept' }),
        });
      assert.equal(
        await storage().deleteMany({ schema: SCHEMA, where: { kind: 'eq', path: ['name'], value: 'doomed' } }),
        2,
      );
      assert.equal(
        await storage().deleteMany({ schema: SCHEMA, where: { kind: 'eq', path: ['name'], value: 'doomed' } }),
        0,
      );
      assert.deepEqual(
        sortedIds(
          await storage().find({
            schema: SCHEMA,
            where: { kind: 'in', path: ['objectId'], values: ['del1', 'del2', 'keep1'] },
          }),
        ),
        ['keep1'],
      );
    });

    it('deleteReturning deletes every match and returns each as it was; nothing matching returns []', async () => {
      const doomed = [
        stored('dr1', { name: 'gone', n: 1, stats: { a: new Date('2024-01-01T00:00:00.000Z') }, owner: user('u1') }),
        stored('dr2', { name: 'gone', list: ['x', 2] }, { ACL: { u1: { read: true, write: true } } }),
      ];
      for (const object of [...doomed, stored('dr3', { name: 'stays' })])
        await storage().insert({ schema: SCHEMA, object });
      const where: Condition = { kind: 'eq', path: ['name'], value: 'gone' };
      const expected = await storage().find({ schema: SCHEMA, where });
      const deleted = await storage().deleteReturning({ schema: SCHEMA, where });
      const byObjectId = (a: StoredObject, b: StoredObject): number => a.objectId.localeCompare(b.objectId);
      assert.deepStrictEqual([...deleted].sort(byObjectId), [...expected].sort(byObjectId));
      assert.equal(deleted.length, 2);
      assert.deepEqual(await storage().find({ schema: SCHEMA, where }), []);
      assert.deepEqual(await storage().deleteReturning({ schema: SCHEMA, where }), []);
      assert.deepEqual(sortedIds(await storage().find({ schema: SCHEMA, where: byId('dr3') })), ['dr3']);
      await storage().insert({ schema: SCHEMA, object: stored('dr4', { name: 'acl' }, { ACL: {} }) });
      assert.deepEqual(
        await storage().deleteReturning({
          schema: SCHEMA,
          where: { kind: 'and', conditions: [byId('dr4'), { kind: 'acl', access: 'write', entities: ['*'] }] },
        }),
        [],
        'the ACL condition keeps an object the caller may not write',
      );
      assert.deepEqual(sortedIds(await storage().deleteReturning({ schema: SCHEMA, where: byId('dr4') })), ['dr4']);
      const missing = classSchema('NeverCreated', { name: { type: 'String' } });
      assert.deepEqual(await storage().deleteReturning({ schema: missing, where: MATCH_ALL }), []);
    });

    it('addRelation is idempotent; removeRelation of a missing edge is fine', async () => {
      const users = classSchema('_User', { username: { type: 'String' } });
      await storage().insert({ schema: users, object: stored('ru1', { username: 'ru1' }) });
      const edge = { ownerClass: 'Upd', field: 'fans', owningId: 'o1', relatedId: 'ru1' };
      await storage().addRelation(edge);
      await storage().addRelation(edge);
      const where: Condition = { kind: 'relatedTo', ownerClass: 'Upd', field: 'fans', owningId: 'o1' };
      assert.deepEqual(sortedIds(await storage().find({ schema: users, where })), ['ru1']);
      assert.equal(await storage().count({ schema: users, where }), 1);
      await storage().removeRelation({ ...edge, relatedId: 'nobody' });
      await storage().removeRelation({ ...edge, field: 'neverUsed' });
      await storage().removeRelation(edge);
      assert.deepEqual(await storage().find({ schema: users, where }), []);
    });

    it('50 concurrent increments on one object add exactly 50', async (t) => {
      if (skipUnsupported(options, 'atomicConcurrentUpdates', t)) return;
      await storage().insert({ schema: SCHEMA, object: stored('counter', { n: 0 }) });
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          storage().updateOne({
            schema: SCHEMA,
            where: byId('counter'),
            update: spec({ n: { op: 'increment', amount: 1 } }),
          }),
        ),
      );
      const [found] = await storage().find({ schema: SCHEMA, where: byId('counter') });
      assert.equal(found?.fields['n'], 50);
      // Each update saw its own predecessor: the states before are 0..49, each followed by itself plus one.
      const pairs = results.map((r) => [r?.before.fields['n'], r?.after.fields['n']] as [unknown, unknown]);
      assert.deepEqual(
        pairs.map(([b]) => b).sort((a, b) => Number(a) - Number(b)),
        Array.from({ length: 50 }, (_, i) => i),
      );
      for (const [b, a] of pairs) assert.equal(a, Number(b) + 1);
    });

    it('find still sees all objects', async () => {
      assert.ok((await storage().count({ schema: SCHEMA, where: MATCH_ALL })) > 10);
    });
  });
}
