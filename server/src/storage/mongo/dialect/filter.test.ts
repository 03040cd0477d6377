import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BSONRegExp } from 'mongodb';
import { ParseError } from '../../../errors/index.js';
import { Pointer } from '../../../schema/index.js';
import type { Condition } from '../../../query/index.js';
import { GAME_SCORE, USER } from '../test-schemas.js';
import { MATCH_NOTHING, toFilter, toSort } from './filter.js';

const when = new Date('2024-05-01T10:00:00.000Z');

describe('mongo dialect: Condition → filter', () => {
  const cases: Array<{ name: string; condition: Condition; filter: unknown }> = [
    { name: 'objectId', condition: { kind: 'eq', path: ['objectId'], value: 'abc' }, filter: { _id: { $eq: 'abc' } } },
    {
      name: 'createdAt as a bare ISO string',
      condition: { kind: 'eq', path: ['createdAt'], value: '2024-05-01T10:00:00.000Z' },
      filter: { _created_at: { $eq: when } },
    },
    {
      name: 'updatedAt comparison',
      condition: { kind: 'compare', path: ['updatedAt'], op: 'lte', value: when },
      filter: { _updated_at: { $lte: when } },
    },
    {
      name: 'pointer equality',
      condition: { kind: 'eq', path: ['owner'], value: new Pointer('_User', 'u1') },
      filter: { _p_owner: { $eq: '_User$u1' } },
    },
    {
      name: 'pointer $in with a bare id',
      condition: { kind: 'in', path: ['owner'], values: [new Pointer('_User', 'u1'), 'u2'] },
      filter: { _p_owner: { $in: ['_User$u1', '_User$u2'] } },
    },
    {
      name: 'pointer $ne',
      condition: { kind: 'ne', path: ['owner'], value: new Pointer('_User', 'u1') },
      filter: { _p_owner: { $ne: '_User$u1' } },
    },
    {
      name: 'pointer $exists',
      condition: { kind: 'exists', path: ['owner'], exists: true },
      filter: { $or: [{ _p_owner: { $exists: true } }, { owner: { $exists: true } }] },
    },
    {
      name: 'pointer bare string equality gets no class',
      condition: { kind: 'eq', path: ['owner'], value: 'u1' },
      filter: { _p_owner: { $eq: 'u1' } },
    },
    {
      name: 'array contains a pointer (canonical 3-key form)',
      condition: { kind: 'eq', path: ['tags'], value: new Pointer('A', 'a') },
      filter: { tags: { $all: [{ __type: 'Pointer', className: 'A', objectId: 'a' }] } },
    },
    {
      name: 'array $in / $nin with pointers and scalars',
      condition: { kind: 'nin', path: ['tags'], values: [new Pointer('A', 'a'), 'x'] },
      filter: {
        $nor: [{ tags: { $all: [{ __type: 'Pointer', className: 'A', objectId: 'a' }] } }, { tags: { $in: ['x'] } }],
      },
    },
    {
      name: 'array contains a string',
      condition: { kind: 'eq', path: ['tags'], value: 'x' },
      filter: { tags: { $eq: 'x' } },
    },
    {
      name: 'array $all',
      condition: { kind: 'all', path: ['tags'], values: ['x', 1] },
      filter: { tags: { $all: ['x', 1] } },
    },
    {
      name: 'date field',
      condition: { kind: 'compare', path: ['when'], op: 'gte', value: when },
      filter: { when: { $gte: when } },
    },
    {
      name: 'dot path with a date',
      condition: {
        kind: 'and',
        conditions: [
          { kind: 'eq', path: ['meta', 'a'], value: 1 },
          { kind: 'compare', path: ['meta', 'd'], op: 'gt', value: when },
        ],
      },
      filter: { $and: [{ 'meta.a': { $eq: 1 } }, { 'meta.d': { $gt: when } }] },
    },
    {
      name: 'null equality',
      condition: { kind: 'eq', path: ['playerName'], value: null },
      filter: { playerName: { $eq: null } },
    },
    {
      name: '$nin',
      condition: { kind: 'nin', path: ['score'], values: [1, 2] },
      filter: { score: { $nin: [1, 2] } },
    },
    {
      name: 'sessionToken on any class',
      condition: { kind: 'eq', path: ['sessionToken'], value: 'r:abc' },
      filter: { _session_token: { $eq: 'r:abc' } },
    },
    {
      name: 'read ACL',
      condition: { kind: 'acl', access: 'read', entities: ['*', 'u1', 'role:Admin'] },
      filter: { _rperm: { $in: [null, '*', 'u1', 'role:Admin'] } },
    },
    {
      name: 'write ACL',
      condition: { kind: 'acl', access: 'write', entities: ['*'] },
      filter: { _wperm: { $in: [null, '*'] } },
    },
    { name: 'match all', condition: { kind: 'constant', value: true }, filter: {} },
    { name: 'match none', condition: { kind: 'constant', value: false }, filter: MATCH_NOTHING },
    { name: 'empty $or matches nothing', condition: { kind: 'or', conditions: [] }, filter: MATCH_NOTHING },
    {
      name: '$or and $nor',
      condition: {
        kind: 'or',
        conditions: [
          { kind: 'nor', conditions: [{ kind: 'exists', path: ['score'], exists: false }] },
          { kind: 'compare', path: ['score'], op: 'lt', value: 5 },
        ],
      },
      filter: { $or: [{ $nor: [{ score: { $exists: false } }] }, { score: { $lt: 5 } }] },
    },
  ];
  for (const { name, condition, filter } of cases) {
    it(name, () => assert.deepEqual(toFilter(GAME_SCORE, condition), filter));
  }

  it('maps _User authData paths to _auth_data_<provider>', () => {
    assert.deepEqual(toFilter(USER, { kind: 'eq', path: ['authData', 'facebook', 'id'], value: '123' }), {
      '_auth_data_facebook.id': { $eq: '123' },
    });
    assert.deepEqual(toFilter(USER, { kind: 'exists', path: ['authData', 'anonymous'], exists: true }), {
      _auth_data_anonymous: { $exists: true },
    });
  });

  it('passes regexes as BSON regexes with their flags', () => {
    const filter = toFilter(GAME_SCORE, { kind: 'regex', path: ['playerName'], pattern: '^Se\\.an', flags: 'im' });
    const regex = (filter['playerName'] as { $regex: BSONRegExp }).$regex;
    assert.ok(regex instanceof BSONRegExp);
    assert.equal(regex.pattern, '^Se\\.an');
    assert.equal(regex.options, 'im');
  });

  it('refuses relation conditions (the driver resolves them first)', () => {
    assert.throws(
      () => toFilter(GAME_SCORE, { kind: 'relatedTo', ownerClass: 'Post', field: 'likes', owningId: 'p1' }),
      (error: unknown) => error instanceof ParseError && error.code === 1,
    );
  });

  it('sorts by stored names', () => {
    assert.deepEqual(
      toSort(GAME_SCORE, [
        { path: ['createdAt'], direction: -1 },
        { path: ['owner'], direction: 1 },
        { path: ['meta', 'rank'], direction: 1 },
      ]),
      [
        ['_created_at', -1],
        ['_p_owner', 1],
        ['meta.rank', 1],
      ],
    );
    assert.equal(toSort(GAME_SCORE, []), undefined);
  });
});
