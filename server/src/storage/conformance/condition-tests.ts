import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Condition, FieldPath } from '../../query/index.js';
import type { ParseValue } from '../../schema/index.js';
import { classSchema, BASE_TIME, sortedIds, stored, user, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './harness.js';

const SCHEMA = classSchema('Cond', {
  name: { type: 'String' },
  n: { type: 'Number' },
  flag: { type: 'Boolean' },
  when: { type: 'Date' },
  tags: { type: 'Array' },
  friends: { type: 'Array' },
  meta: { type: 'Object' },
  owner: { type: 'Pointer', targetClass: '_User' },
  likes: { type: 'Relation', targetClass: '_User' },
});
const USERS = classSchema('_User', { username: { type: 'String' } });

const JAN = new Date('2024-01-01T00:00:00.000Z');
const MAR = new Date('2024-03-01T00:00:00.000Z');
const JUN = new Date('2024-06-01T00:00:00.000Z');

const OBJECTS = [
  stored(
    'a',
    {
      name: 'alpha',
      n: 1,
      flag: true,
      when: JAN,
      tags: ['x', 'y'],
      friends: [user('u2')],
      meta: { score: 5, deep: { level: 2, label: 'L' }, at: JAN },
      owner: user('u1'),
    },
    { ACL: { '*': { read: true } }, offsetMs: 0 },
  ),
  stored(
    'b',
    {
      name: 'Beta',
      n: 2.5,
      flag: false,
      when: JUN,
      tags: ['y', 'z', 3],
      friends: [user('u1'), user('u2')],
      meta: { score: 10, deep: { level: 3 } },
      owner: user('u2'),
    },
    { ACL: { u1: { read: true, write: true } }, offsetMs: 1000 },
  ),
  stored('c', { name: 'gamma\nline', n: -3, tags: [], meta: { score: '5' }, owner: null }, { ACL: {}, offsetMs: 2000 }),
  stored('d', { name: null, n: 3000000000, flag: true, _secret: 'hidden' }, { offsetMs: 3000 }),
  stored('e', {}, { offsetMs: 4000 }),
];

/** `values` padded with 40 strings and 40 numbers that match nothing here. */
function longList(values: ParseValue[]): ParseValue[] {
  return [
    ...values,
    ...Array.from({ length: 40 }, (_, i) => `pad-${i}`),
    ...Array.from({ length: 40 }, (_, i) => 1000 + i),
  ];
}

const eq = (path: string, value: ParseValue): Condition => ({
  kind: 'eq',
  path: path.split('.') as unknown as FieldPath,
  value,
});
const at = (ms: number): Date => new Date(BASE_TIME + ms);

/** [description, condition, expected objectIds] */
const CASES: ReadonlyArray<readonly [string, Condition, readonly string[]]> = [
  ['eq string', eq('name', 'alpha'), ['a']],
  ['eq string is case-sensitive', eq('name', 'beta'), []],
  ['eq number', eq('n', 1), ['a']],
  ['eq large number', eq('n', 3000000000), ['d']],
  ['eq number never equals its string', eq('n', '1'), []],
  ['eq true', eq('flag', true), ['a', 'd']],
  ['eq false', eq('flag', false), ['b']],
  ['eq date', eq('when', JAN), ['a']],
  ['eq on Array = contains', eq('tags', 'y'), ['a', 'b']],
  ['eq number in array', eq('tags', 3), ['b']],
  ['eq string does not match a number element', eq('tags', '3'), []],
  ['eq whole array (order matters)', eq('tags', ['x', 'y']), ['a']],
  ['eq whole array in another order', eq('tags', ['y', 'x']), []],
  ['eq null matches null and missing', eq('name', null), ['d', 'e']],
  ['eq null on a pointer', eq('owner', null), ['c', 'd', 'e']],
  ['eq pointer', eq('owner', user('u1')), ['a']],
  ['eq pointer inside an array', eq('friends', user('u2')), ['a', 'b']],
  ['eq dot path number', eq('meta.score', 5), ['a']],
  ['eq dot path string', eq('meta.score', '5'), ['c']],
  ['eq dot path depth 2', eq('meta.deep.level', 3), ['b']],
  ['eq dot path date', eq('meta.at', JAN), ['a']],
  ['eq whole object', eq('meta', { score: 10, deep: { level: 3 } }), ['b']],
  ['eq undeclared internal field', eq('_secret', 'hidden'), ['d']],
  ['eq objectId', eq('objectId', 'c'), ['c']],
  ['eq createdAt', eq('createdAt', at(2000)), ['c']],
  ['eq null on an unknown field matches all', eq('nowhere', null), ['a', 'b', 'c', 'd', 'e']],
  ['ne string (matches missing)', { kind: 'ne', path: ['name'], value: 'alpha' }, ['b', 'c', 'd', 'e']],
  ['ne on Array = does not contain', { kind: 'ne', path: ['tags'], value: 'y' }, ['c', 'd', 'e']],
  ['ne number', { kind: 'ne', path: ['n'], value: 1 }, ['b', 'c', 'd', 'e']],
  ['ne dot path', { kind: 'ne', path: ['meta', 'score'], value: 5 }, ['b', 'c', 'd', 'e']],
  ['ne null', { kind: 'ne', path: ['name'], value: null }, ['a', 'b', 'c']],
  ['gt number', { kind: 'compare', path: ['n'], op: 'gt', value: 1 }, ['b', 'd']],
  ['gte number', { kind: 'compare', path: ['n'], op: 'gte', value: 1 }, ['a', 'b', 'd']],
  ['lt negative', { kind: 'compare', path: ['n'], op: 'lt', value: 0 }, ['c']],
  ['lte float', { kind: 'compare', path: ['n'], op: 'lte', value: 2.5 }, ['a', 'b', 'c']],
  ['gt string (binary order)', { kind: 'compare', path: ['name'], op: 'gt', value: 'B' }, ['a', 'b', 'c']],
  ['lt string', { kind: 'compare', path: ['name'], op: 'lt', value: 'a' }, ['b']],
  ['number vs string never compare', { kind: 'compare', path: ['n'], op: 'gt', value: '1' }, []],
  ['lt date', { kind: 'compare', path: ['when'], op: 'lt', value: MAR }, ['a']],
  ['gte date', { kind: 'compare', path: ['when'], op: 'gte', value: JAN }, ['a', 'b']],
  ['gt createdAt', { kind: 'compare', path: ['createdAt'], op: 'gt', value: at(1500) }, ['c', 'd', 'e']],
  ['lte updatedAt', { kind: 'compare', path: ['updatedAt'], op: 'lte', value: at(1000) }, ['a', 'b']],
  ['gte dot path (numbers only)', { kind: 'compare', path: ['meta', 'score'], op: 'gte', value: 5 }, ['a', 'b']],
  ['lt dot path date', { kind: 'compare', path: ['meta', 'at'], op: 'lt', value: MAR }, ['a']],
  ['gt on Array = any element', { kind: 'compare', path: ['tags'], op: 'gt', value: 2 }, ['b']],
  ['in strings', { kind: 'in', path: ['name'], values: ['alpha', 'gamma\nline', 'nope'] }, ['a', 'c']],
  ['in with null', { kind: 'in', path: ['name'], values: ['alpha', null] }, ['a', 'd', 'e']],
  ['in on Array', { kind: 'in', path: ['tags'], values: ['x', 3] }, ['a', 'b']],
  ['in pointers', { kind: 'in', path: ['owner'], values: [user('u1'), user('u3')] }, ['a']],
  ['in pointers on an Array of pointers', { kind: 'in', path: ['friends'], values: [user('u1')] }, ['b']],
  ['in dot path', { kind: 'in', path: ['meta', 'score'], values: [5, 10] }, ['a', 'b']],
  ['in objectId', { kind: 'in', path: ['objectId'], values: ['a', 'e', 'zz'] }, ['a', 'e']],
  // Long lists (past the 32 values SQLite then binds as one JSON array) answer as short ones.
  ['in strings, a long list', { kind: 'in', path: ['name'], values: longList(['alpha', 'gamma\nline']) }, ['a', 'c']],
  ['in numbers, a long list', { kind: 'in', path: ['n'], values: longList([1, -3]) }, ['a', 'c']],
  ['in with null, a long list', { kind: 'in', path: ['name'], values: longList(['alpha', null]) }, ['a', 'd', 'e']],
  ['in on Array, a long list', { kind: 'in', path: ['tags'], values: longList(['x', 3]) }, ['a', 'b']],
  ['in dot path, a long list', { kind: 'in', path: ['meta', 'score'], values: longList([5, 10]) }, ['a', 'b']],
  ['in objectId, a long list', { kind: 'in', path: ['objectId'], values: longList(['a', 'e']) }, ['a', 'e']],
  ['nin strings, a long list', { kind: 'nin', path: ['name'], values: longList(['alpha', 'Beta']) }, ['c', 'd', 'e']],
  ['nin strings (matches missing)', { kind: 'nin', path: ['name'], values: ['alpha', 'Beta'] }, ['c', 'd', 'e']],
  ['nin on Array', { kind: 'nin', path: ['tags'], values: ['x'] }, ['b', 'c', 'd', 'e']],
  ['nin dot path', { kind: 'nin', path: ['meta', 'deep', 'level'], values: [2] }, ['b', 'c', 'd', 'e']],
  ['all strings', { kind: 'all', path: ['tags'], values: ['y', 'z'] }, ['b']],
  ['all single', { kind: 'all', path: ['tags'], values: ['x'] }, ['a']],
  ['all pointers', { kind: 'all', path: ['friends'], values: [user('u1'), user('u2')] }, ['b']],
  ['exists true counts a stored null', { kind: 'exists', path: ['name'], exists: true }, ['a', 'b', 'c', 'd']],
  ['exists false', { kind: 'exists', path: ['name'], exists: false }, ['e']],
  ['exists Date', { kind: 'exists', path: ['when'], exists: true }, ['a', 'b']],
  ['exists false Date', { kind: 'exists', path: ['when'], exists: false }, ['c', 'd', 'e']],
  ['exists Array (empty is present)', { kind: 'exists', path: ['tags'], exists: true }, ['a', 'b', 'c']],
  ['exists dot path', { kind: 'exists', path: ['meta', 'deep'], exists: true }, ['a', 'b']],
  ['exists false dot path', { kind: 'exists', path: ['meta', 'deep'], exists: false }, ['c', 'd', 'e']],
  ['exists dot path depth 2', { kind: 'exists', path: ['meta', 'deep', 'label'], exists: true }, ['a']],
  ['exists undeclared field', { kind: 'exists', path: ['_secret'], exists: true }, ['d']],
  ['regex prefix', { kind: 'regex', path: ['name'], pattern: '^al', flags: '' }, ['a']],
  ['regex case-sensitive', { kind: 'regex', path: ['name'], pattern: '^be', flags: '' }, []],
  ['regex flag i', { kind: 'regex', path: ['name'], pattern: '^be', flags: 'i' }, ['b']],
  ['regex flag m', { kind: 'regex', path: ['name'], pattern: '^line', flags: 'm' }, ['c']],
  ['regex without m', { kind: 'regex', path: ['name'], pattern: '^line', flags: '' }, []],
  ['regex flag s', { kind: 'regex', path: ['name'], pattern: 'gamma.line', flags: 's' }, ['c']],
  ['regex without s', { kind: 'regex', path: ['name'], pattern: 'gamma.line', flags: '' }, []],
  ['regex on Array elements', { kind: 'regex', path: ['tags'], pattern: '^z$', flags: '' }, ['b']],
  ['regex on a dot path', { kind: 'regex', path: ['meta', 'deep', 'label'], pattern: '^L$', flags: '' }, ['a']],
  ['regex on objectId', { kind: 'regex', path: ['objectId'], pattern: '^[ab]$', flags: '' }, ['a', 'b']],
  [
    'and',
    { kind: 'and', conditions: [eq('flag', true), { kind: 'compare', path: ['n'], op: 'lt', value: 10 }] },
    ['a'],
  ],
  ['or', { kind: 'or', conditions: [eq('name', 'alpha'), eq('n', -3)] }, ['a', 'c']],
  ['nor (matches missing)', { kind: 'nor', conditions: [eq('flag', true), eq('name', 'Beta')] }, ['c', 'e']],
  [
    'nested and/or/nor',
    {
      kind: 'and',
      conditions: [
        { kind: 'or', conditions: [eq('tags', 'x'), eq('tags', 'z')] },
        { kind: 'nor', conditions: [eq('name', 'alpha')] },
      ],
    },
    ['b'],
  ],
  ['constant true', { kind: 'constant', value: true }, ['a', 'b', 'c', 'd', 'e']],
  ['constant false', { kind: 'constant', value: false }, []],
  ['acl read public', { kind: 'acl', access: 'read', entities: ['*'] }, ['a', 'd', 'e']],
  ['acl read public or u1', { kind: 'acl', access: 'read', entities: ['*', 'u1'] }, ['a', 'b', 'd', 'e']],
  [
    'acl read role ({} is readable by nobody)',
    { kind: 'acl', access: 'read', entities: ['*', 'role:Admin'] },
    ['a', 'd', 'e'],
  ],
  ['acl write public', { kind: 'acl', access: 'write', entities: ['*'] }, ['d', 'e']],
  ['acl write u1', { kind: 'acl', access: 'write', entities: ['*', 'u1'] }, ['b', 'd', 'e']],
  ['relationHas any', { kind: 'relationHas', field: 'likes', relatedIds: ['u2'], mode: 'any' }, ['a']],
  [
    'relationHas any of several',
    { kind: 'relationHas', field: 'likes', relatedIds: ['u1', 'u3'], mode: 'any' },
    ['a', 'b'],
  ],
  ['relationHas none', { kind: 'relationHas', field: 'likes', relatedIds: ['u1'], mode: 'none' }, ['c', 'd', 'e']],
];

/** Every Condition kind with MongoDB semantics. */
export function conditionTests(options: StorageConformanceOptions): void {
  describe('conditions', () => {
    const storage = useStorage(options);
    before(async () => {
      await storage().createClass(SCHEMA);
      for (const object of OBJECTS) await storage().insert({ schema: SCHEMA, object });
      for (const id of ['u1', 'u2', 'u3'])
        await storage().insert({ schema: USERS, object: stored(id, { username: `user_${id}` }) });
      await storage().addRelation({ ownerClass: 'Cond', field: 'likes', owningId: 'a', relatedId: 'u1' });
      await storage().addRelation({ ownerClass: 'Cond', field: 'likes', owningId: 'a', relatedId: 'u2' });
      await storage().addRelation({ ownerClass: 'Cond', field: 'likes', owningId: 'b', relatedId: 'u1' });
    });

    for (const [name, where, expected] of CASES) {
      it(name, async () => {
        assert.deepEqual(sortedIds(await storage().find({ schema: SCHEMA, where })), expected);
        assert.equal(await storage().count({ schema: SCHEMA, where }), expected.length);
      });
    }

    it('relatedTo returns the members of an owner relation', async () => {
      const where: Condition = { kind: 'relatedTo', ownerClass: 'Cond', field: 'likes', owningId: 'a' };
      assert.deepEqual(sortedIds(await storage().find({ schema: USERS, where })), ['u1', 'u2']);
      const none: Condition = { kind: 'relatedTo', ownerClass: 'Cond', field: 'likes', owningId: 'c' };
      assert.deepEqual(await storage().find({ schema: USERS, where: none }), []);
      const combined: Condition = { kind: 'and', conditions: [where, eq('username', 'user_u2')] };
      assert.deepEqual(sortedIds(await storage().find({ schema: USERS, where: combined })), ['u2']);
    });

    it('relatedTo on a relation that never had edges matches nothing', async () => {
      const where: Condition = { kind: 'relatedTo', ownerClass: 'Cond', field: 'neverUsed', owningId: 'a' };
      assert.deepEqual(await storage().find({ schema: USERS, where }), []);
    });
  });
}
