import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GeoPoint, Pointer } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { Condition } from './ast.js';
import { createMatcher, matches } from './match.js';
import type { MatchableObject, RelationEdgeQuery } from './match.js';
import { parseWhere } from './parse-where.js';

const schema: ClassSchema = {
  className: 'Post',
  fields: {
    title: { type: 'String' },
    score: { type: 'Number' },
    tags: { type: 'Array' },
    meta: { type: 'Object' },
    when: { type: 'Date' },
    owner: { type: 'Pointer', targetClass: '_User' },
    likes: { type: 'Relation', targetClass: '_User' },
  },
};

const T0 = new Date('2024-01-01T00:00:00.000Z');
const T1 = new Date('2024-06-01T00:00:00.000Z');

const full: MatchableObject = {
  objectId: 'p1',
  createdAt: T0,
  updatedAt: T1,
  fields: {
    title: 'Hello World',
    score: 10,
    tags: ['a', 'b', 'c.d'],
    meta: { k: 1, nested: { deep: 'x' }, list: [{ name: 'n1' }, { name: 'n2' }], nums: [1, 5] },
    when: T1,
    owner: new Pointer('_User', 'u1'),
    nothing: null,
  },
};
const empty: MatchableObject = { objectId: 'p2', createdAt: T0, updatedAt: T0, fields: {} };

function check(where: unknown, expected: { full: boolean; empty: boolean }): void {
  const condition = parseWhere({ where, schema });
  assert.deepEqual(
    { full: matches(condition, full, { schema }), empty: matches(condition, empty, { schema }) },
    expected,
    JSON.stringify(where),
  );
}

describe('matches: equality', () => {
  it('scalars, null and missing', () => {
    check({ title: 'Hello World' }, { full: true, empty: false });
    check({ title: 'hello world' }, { full: false, empty: false });
    check({ score: 10 }, { full: true, empty: false });
    check({ score: '10' }, { full: false, empty: false });
    check({ title: null }, { full: false, empty: true });
    check({ nothing: null }, { full: true, empty: true });
    check({ objectId: 'p1' }, { full: true, empty: false });
  });

  it('arrays: contains, or equal as a whole in order', () => {
    check({ tags: 'b' }, { full: true, empty: false });
    check({ tags: 'z' }, { full: false, empty: false });
    check({ tags: ['a', 'b', 'c.d'] }, { full: true, empty: false });
    check({ tags: ['b', 'a', 'c.d'] }, { full: false, empty: false });
    check({ 'tags.0': 'a' }, { full: true, empty: false });
    check({ 'tags.1': 'a' }, { full: false, empty: false });
  });

  it('objects: whole sub-document (key order matters, as in BSON) and dot paths', () => {
    check({ 'meta.k': 1 }, { full: true, empty: false });
    check({ 'meta.nested.deep': 'x' }, { full: true, empty: false });
    check({ 'meta.nested': { deep: 'x' } }, { full: true, empty: false });
    check({ 'meta.missing.deep': null }, { full: true, empty: true });
    check({ 'meta.list.name': 'n2' }, { full: true, empty: false });
    check({ 'meta.list.1.name': 'n2' }, { full: true, empty: false });
    check({ 'meta.list.0.name': 'n2' }, { full: false, empty: false });
    const condition: Condition = { kind: 'eq', path: ['meta'], value: { nested: { deep: 'x' }, k: 1 } };
    assert.equal(matches(condition, { ...full, fields: { meta: { nested: { deep: 'x' }, k: 1 } } }), true);
    assert.equal(matches(condition, { ...full, fields: { meta: { k: 1, nested: { deep: 'x' } } } }), false);
  });

  it('dates and pointers', () => {
    check({ when: { __type: 'Date', iso: T1.toISOString() } }, { full: true, empty: false });
    check({ createdAt: T0.toISOString() }, { full: true, empty: true });
    check({ updatedAt: T1.toISOString() }, { full: true, empty: false });
    check({ owner: { __type: 'Pointer', className: '_User', objectId: 'u1' } }, { full: true, empty: false });
    check({ owner: { __type: 'Pointer', className: 'Other', objectId: 'u1' } }, { full: false, empty: false });
    check({ owner: { $eq: 'u1' } }, { full: true, empty: false });
  });
});

describe('matches: operators', () => {
  it('$ne / $nin match missing fields', () => {
    check({ title: { $ne: 'x' } }, { full: true, empty: true });
    check({ title: { $ne: 'Hello World' } }, { full: false, empty: true });
    check({ title: { $ne: null } }, { full: true, empty: false });
    check({ tags: { $ne: 'a' } }, { full: false, empty: true });
    check({ score: { $nin: [1, 2] } }, { full: true, empty: true });
    check({ score: { $nin: [10] } }, { full: false, empty: true });
    check({ score: { $nin: [null] } }, { full: true, empty: false });
  });

  it('$in, with arrays, null and pointers', () => {
    check({ score: { $in: [1, 10] } }, { full: true, empty: false });
    check({ tags: { $in: ['z', 'c.d'] } }, { full: true, empty: false });
    check({ title: { $in: [null] } }, { full: false, empty: true });
    check({ owner: { $in: ['u9', 'u1'] } }, { full: true, empty: false });
    check({ score: { $in: [] } }, { full: false, empty: false });
    check({ score: { $nin: [] } }, { full: true, empty: true });
  });

  it('comparisons never cross types; arrays match on any element; dates by time', () => {
    check({ score: { $gt: 5 } }, { full: true, empty: false });
    check({ score: { $gte: 10, $lt: 11 } }, { full: true, empty: false });
    check({ score: { $lt: 'zzz' } }, { full: false, empty: false });
    check({ title: { $gt: 5 } }, { full: false, empty: false });
    check({ title: { $gt: 'Hello' } }, { full: true, empty: false });
    check({ 'meta.nums': { $gt: 4 } }, { full: true, empty: false });
    check({ 'meta.nums': { $gt: 5 } }, { full: false, empty: false });
    check({ when: { $gt: { __type: 'Date', iso: T0.toISOString() } } }, { full: true, empty: false });
    check({ when: { $gt: T0.toISOString() } }, { full: false, empty: false });
    check({ createdAt: { $lte: T0.toISOString() } }, { full: true, empty: true });
    check({ score: { $lt: 100 } }, { full: true, empty: false });
  });

  it('$all and $exists', () => {
    check({ tags: { $all: ['c.d', 'a'] } }, { full: true, empty: false });
    check({ tags: { $all: ['a', 'z'] } }, { full: false, empty: false });
    check({ tags: { $all: [] } }, { full: false, empty: false });
    check({ title: { $exists: true } }, { full: true, empty: false });
    check({ title: { $exists: false } }, { full: false, empty: true });
    check({ nothing: { $exists: true } }, { full: true, empty: false });
    check({ 'meta.k': { $exists: true } }, { full: true, empty: false });
    check({ unknownField: { $exists: false } }, { full: true, empty: true });
    check({ unknownField: 1 }, { full: false, empty: false });
    const allEmpty: Condition = { kind: 'all', path: ['tags'], values: [] };
    assert.equal(matches(allEmpty, full), false);
  });

  it('$regex with \\Q…\\E, flags and arrays', () => {
    check({ title: { $regex: '^\\QHello\\E' } }, { full: true, empty: false });
    check({ title: { $regex: '\\QWorld\\E$' } }, { full: true, empty: false });
    check({ title: { $regex: '^hello', $options: 'i' } }, { full: true, empty: false });
    check({ title: { $regex: '^hello' } }, { full: false, empty: false });
    check({ tags: { $regex: '^\\Qc.\\E' } }, { full: true, empty: false });
    check({ tags: { $regex: '^\\Qc?\\E' } }, { full: false, empty: false });
    check({ tags: { $all: [{ $regex: '^a' }, { $regex: '^c' }] } }, { full: true, empty: false });
    check({ score: { $regex: '10' } }, { full: false, empty: false });
    check({ title: { $ne: 'x', $regex: 'World' } }, { full: true, empty: false });
  });

  it('$or, $and, $nor', () => {
    check({ $or: [{ score: 1 }, { title: 'Hello World' }] }, { full: true, empty: false });
    check({ $and: [{ score: 10 }, { title: 'x' }] }, { full: false, empty: false });
    check({ $nor: [{ score: 10 }] }, { full: false, empty: true });
    check({ $or: [{ title: { $exists: false } }, { score: { $gt: 100 } }] }, { full: false, empty: true });
  });
});

describe('matches: ACL and relations', () => {
  it('acl: no ACL is public; otherwise one entity needs the access', () => {
    const read: Condition = { kind: 'acl', access: 'read', entities: ['*', 'u1', 'role:Admin'] };
    const write: Condition = { kind: 'acl', access: 'write', entities: ['u1'] };
    assert.equal(matches(read, empty), true);
    assert.equal(matches(read, { ...empty, ACL: {} }), false);
    assert.equal(matches(read, { ...empty, ACL: { 'role:Admin': { read: true } } }), true);
    assert.equal(matches(read, { ...empty, ACL: { u2: { read: true, write: true } } }), false);
    assert.equal(matches(write, { ...empty, ACL: { u1: { read: true } } }), false);
    assert.equal(matches(write, { ...empty, ACL: { u1: { write: true } } }), true);
    const sneaky: Condition = { kind: 'acl', access: 'read', entities: ['constructor', '__proto__'] };
    assert.equal(matches(sneaky, { ...empty, ACL: {} }), false);
  });

  it('relatedTo / relationHas use the resolver, and never match without one', () => {
    const edges = new Set(['Post:likes:p1:u1', 'Post:likes:p1:u2']);
    const relations = {
      isRelated: (e: RelationEdgeQuery): boolean =>
        edges.has(`${e.ownerClass}:${e.field}:${e.owningId}:${e.relatedId}`),
    };
    const relatedTo = parseWhere({
      where: { $relatedTo: { object: { __type: 'Pointer', className: 'Post', objectId: 'p1' }, key: 'likes' } },
      schema: undefined,
    });
    const userU1: MatchableObject = { objectId: 'u1', fields: {} };
    const userU3: MatchableObject = { objectId: 'u3', fields: {} };
    assert.equal(matches(relatedTo, userU1, { relations }), true);
    assert.equal(matches(relatedTo, userU3, { relations }), false);
    assert.equal(matches(relatedTo, userU1), false);

    const likedByU2 = parseWhere({
      where: { likes: { __type: 'Pointer', className: '_User', objectId: 'u2' } },
      schema,
    });
    const notLikedByU2 = parseWhere({ where: { likes: { $nin: ['u2'] } }, schema });
    assert.equal(matches(likedByU2, full, { schema, relations }), true);
    assert.equal(matches(likedByU2, empty, { schema, relations }), false);
    assert.equal(matches(notLikedByU2, full, { schema, relations }), false);
    assert.equal(matches(notLikedByU2, empty, { schema, relations }), true);
    assert.equal(matches(likedByU2, full, { relations }), false);
    assert.equal(matches(notLikedByU2, empty, { schema }), false);
  });
});

describe('createMatcher', () => {
  it('compiles once and filters many objects', () => {
    const isMatch = createMatcher(parseWhere({ where: { score: { $gte: 2 } }, schema }));
    const objects: MatchableObject[] = [1, 2, 3].map((score) => ({ objectId: `o${score}`, fields: { score } }));
    assert.deepEqual(
      objects.filter(isMatch).map((o) => o.objectId),
      ['o2', 'o3'],
    );
  });

  it('compares typed values structurally', () => {
    const condition: Condition = { kind: 'eq', path: ['place'], value: new GeoPoint(1, 2) };
    assert.equal(matches(condition, { objectId: 'x', fields: { place: new GeoPoint(1, 2) } }), true);
    assert.equal(matches(condition, { objectId: 'x', fields: { place: new GeoPoint(2, 1) } }), false);
    assert.equal(matches(condition, { objectId: 'x', fields: { place: { latitude: 1, longitude: 2 } } }), false);
  });
});
