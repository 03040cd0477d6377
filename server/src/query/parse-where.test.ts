import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { GeoPoint, Pointer } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import { MATCH_ALL, MATCH_NONE } from './ast.js';
import type { Condition } from './ast.js';
import { parseWhere } from './parse-where.js';

const schema: ClassSchema = {
  className: 'Post',
  fields: {
    objectId: { type: 'String' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    ACL: { type: 'ACL' },
    title: { type: 'String' },
    score: { type: 'Number' },
    tags: { type: 'Array' },
    meta: { type: 'Object' },
    when: { type: 'Date' },
    expiresAt: { type: 'Date' },
    owner: { type: 'Pointer', targetClass: '_User' },
    likes: { type: 'Relation', targetClass: '_User' },
  },
};

const sessionSchema: ClassSchema = {
  className: '_Session',
  fields: { expiresAt: { type: 'Date' }, user: { type: 'Pointer', targetClass: '_User' } },
};

const ISO = '2024-05-01T10:00:00.000Z';
const user = (objectId: string): { __type: string; className: string; objectId: string } => ({
  __type: 'Pointer',
  className: '_User',
  objectId,
});

function parse(where: unknown): Condition {
  return parseWhere({ where, schema });
}

/** Asserts `where` is rejected with exactly this code and message (`maxDepth` is passed to `parseWhere`). */
function expectError(where: unknown, expected: { code: number; message: string; maxDepth?: number }): void {
  assert.throws(
    () => parseWhere({ where, schema, maxDepth: expected.maxDepth }),
    (err: unknown) => {
      assert.ok(err instanceof ParseError, `expected ParseError, got ${String(err)}`);
      assert.equal(err.code, expected.code);
      assert.equal(err.message, expected.message);
      return true;
    },
  );
}

function nestOr(levels: number): Record<string, unknown> {
  let where: Record<string, unknown> = { score: 1 };
  for (let i = 0; i < levels; i++) where = { $or: [where] };
  return where;
}

describe('parseWhere: structure', () => {
  it('matches everything for a missing or empty where', () => {
    assert.deepEqual(parseWhere({ where: undefined, schema }), MATCH_ALL);
    assert.deepEqual(parseWhere({ where: null, schema }), MATCH_ALL);
    assert.deepEqual(parse({}), MATCH_ALL);
  });

  it('ANDs top-level keys in order', () => {
    assert.deepEqual(parse({ title: 'a', score: { $gt: 1 } }), {
      kind: 'and',
      conditions: [
        { kind: 'eq', path: ['title'], value: 'a' },
        { kind: 'compare', path: ['score'], op: 'gt', value: 1 },
      ],
    });
  });

  it('parses $or, $and, $nor, nested', () => {
    assert.deepEqual(parse({ $or: [{ score: { $gt: 150 } }, { score: { $lt: 5 } }], title: 'x' }), {
      kind: 'and',
      conditions: [
        {
          kind: 'or',
          conditions: [
            { kind: 'compare', path: ['score'], op: 'gt', value: 150 },
            { kind: 'compare', path: ['score'], op: 'lt', value: 5 },
          ],
        },
        { kind: 'eq', path: ['title'], value: 'x' },
      ],
    });
    assert.deepEqual(parse({ $and: [{ title: 'a' }, { $nor: [{ score: 1 }] }] }), {
      kind: 'and',
      conditions: [
        { kind: 'eq', path: ['title'], value: 'a' },
        { kind: 'nor', conditions: [{ kind: 'eq', path: ['score'], value: 1 }] },
      ],
    });
  });

  it('folds constants from empty $in / $nin', () => {
    assert.deepEqual(parse({ score: { $in: [] } }), MATCH_NONE);
    assert.deepEqual(parse({ score: { $nin: [] } }), MATCH_ALL);
    assert.deepEqual(parse({ title: 'a', score: { $in: [] } }), MATCH_NONE);
    assert.deepEqual(parse({ $or: [{ score: { $in: [] } }, { title: 'a' }] }), {
      kind: 'eq',
      path: ['title'],
      value: 'a',
    });
    assert.deepEqual(parse({ $or: [{ score: { $nin: [] } }, { title: 'a' }] }), MATCH_ALL);
    assert.deepEqual(parse({ $nor: [{ score: { $in: [] } }] }), MATCH_ALL);
    assert.deepEqual(parse({ $nor: [{ score: { $nin: [] } }] }), MATCH_NONE);
  });

  it('validates $or / $and / $nor', () => {
    expectError({ $or: { a: 1 } }, { code: 102, message: 'Bad $or format - use an array value.' });
    expectError({ $and: 'x' }, { code: 102, message: 'Bad $and format - use an array value.' });
    expectError({ $nor: {} }, { code: 102, message: 'Bad $nor format - use an array of at least 1 value.' });
    expectError({ $nor: [] }, { code: 102, message: 'Bad $nor format - use an array of at least 1 value.' });
    expectError({ $or: [] }, { code: 102, message: 'Bad $or format - use an array of at least 1 value.' });
    expectError({ $or: [1] }, { code: 102, message: 'Bad $or format - each element must be an object.' });
  });

  it('rejects a where that is not an object', () => {
    expectError([], { code: 107, message: 'where must be a JSON object' });
    expectError('title', { code: 107, message: 'where must be a JSON object' });
  });

  it('limits $or/$and/$nor nesting and value nesting to maxDepth (default 16)', () => {
    assert.deepEqual(parseWhere({ where: nestOr(16), schema }).kind, 'eq');
    expectError(nestOr(17), { code: 102, message: 'Query is too deeply nested' });
    assert.deepEqual(parseWhere({ where: nestOr(2), schema, maxDepth: 2 }), { kind: 'eq', path: ['score'], value: 1 });
    expectError(nestOr(3), { code: 102, message: 'Query is too deeply nested', maxDepth: 2 });
    assert.deepEqual(parseWhere({ where: { meta: { a: { b: 1 } } }, schema, maxDepth: 2 }), {
      kind: 'eq',
      path: ['meta'],
      value: { a: { b: 1 } },
    });
    expectError({ meta: { a: { b: { c: 1 } } } }, { code: 102, message: 'Query is too deeply nested', maxDepth: 2 });
    expectError({ score: { $in: [[[1]]] } }, { code: 102, message: 'Query is too deeply nested', maxDepth: 2 });
  });
});

describe('parseWhere: keys', () => {
  it('accepts dot paths and array indexes', () => {
    assert.deepEqual(parse({ 'meta.k.deep': 1 }), { kind: 'eq', path: ['meta', 'k', 'deep'], value: 1 });
    assert.deepEqual(parse({ 'tags.0': 'a' }), { kind: 'eq', path: ['tags', '0'], value: 'a' });
  });

  it('rejects invalid key names with 105', () => {
    expectError({ 'a-b': 1 }, { code: 105, message: 'Invalid key name: a-b' });
    expectError({ '1a': 1 }, { code: 105, message: 'Invalid key name: 1a' });
    expectError({ 'a..b': 1 }, { code: 105, message: 'Invalid key name: a..b' });
    expectError({ 'a.': 1 }, { code: 105, message: 'Invalid key name: a.' });
    expectError({ $foo: 1 }, { code: 105, message: 'Invalid key name: $foo' });
    expectError({ '': 1 }, { code: 105, message: 'Invalid key name: ' });
  });

  it('refuses internal keys from clients', () => {
    expectError({ _rperm: { $in: ['*'] } }, { code: 105, message: 'Invalid key name: _rperm' });
    expectError({ _wperm: ['*'] }, { code: 105, message: 'Invalid key name: _wperm' });
    expectError({ _hashed_password: 'x' }, { code: 105, message: 'Invalid key name: _hashed_password' });
  });

  it('refuses ACL', () => {
    expectError({ ACL: { '*': { read: true } } }, { code: 102, message: 'Cannot query on ACL.' });
    expectError({ 'ACL.*.read': true }, { code: 102, message: 'Cannot query on ACL.' });
  });

  it('refuses __proto__ and constructor in keys and values', () => {
    expectError(JSON.parse('{"__proto__":{"x":1}}'), { code: 105, message: 'Invalid key name: __proto__' });
    expectError({ constructor: 1 }, { code: 105, message: 'Invalid key name: constructor' });
    expectError({ 'meta.constructor': 1 }, { code: 105, message: 'Invalid key name: meta.constructor' });
    expectError({ 'meta.__proto__.x': 1 }, { code: 105, message: 'Invalid key name: meta.__proto__.x' });
    expectError(JSON.parse('{"meta":{"__proto__":{"x":1}}}'), {
      code: 105,
      message: 'Prohibited keyword in request data: {"key":"__proto__"}.',
    });
    expectError(
      { meta: { $exists: true, constructor: 1 } },
      { code: 105, message: 'Prohibited keyword in request data: {"key":"constructor"}.' },
    );
    expectError(
      { score: { $in: [{ constructor: { prototype: {} } }] } },
      { code: 105, message: 'Prohibited keyword in request data: {"key":"constructor"}.' },
    );
    assert.equal((Object.prototype as Record<string, unknown>)['x'], undefined);
  });
});

describe('parseWhere: equality', () => {
  it('parses scalars, null, arrays and objects', () => {
    assert.deepEqual(parse({ title: 'Sean' }), { kind: 'eq', path: ['title'], value: 'Sean' });
    assert.deepEqual(parse({ title: null }), { kind: 'eq', path: ['title'], value: null });
    assert.deepEqual(parse({ tags: ['a', 'b'] }), { kind: 'eq', path: ['tags'], value: ['a', 'b'] });
    assert.deepEqual(parse({ tags: 'a' }), { kind: 'eq', path: ['tags'], value: 'a' });
    assert.deepEqual(parse({ meta: { k: 1 } }), { kind: 'eq', path: ['meta'], value: { k: 1 } });
    assert.deepEqual(parse({ meta: {} }), { kind: 'eq', path: ['meta'], value: {} });
  });

  it('decodes typed values', () => {
    assert.deepEqual(parse({ when: { __type: 'Date', iso: ISO } }), {
      kind: 'eq',
      path: ['when'],
      value: new Date(ISO),
    });
    assert.deepEqual(parse({ owner: user('u1') }), { kind: 'eq', path: ['owner'], value: new Pointer('_User', 'u1') });
    assert.deepEqual(parse({ owner: { __type: 'Object', className: '_User', objectId: 'u1', username: 'x' } }), {
      kind: 'eq',
      path: ['owner'],
      value: new Pointer('_User', 'u1'),
    });
    assert.deepEqual(parse({ meta: { p: { __type: 'GeoPoint', latitude: 1, longitude: 2 } } }), {
      kind: 'eq',
      path: ['meta'],
      value: { p: new GeoPoint(1, 2) },
    });
  });

  it('keeps __op objects and bare strings on pointer fields as data', () => {
    assert.deepEqual(parse({ meta: { __op: 'Delete' } }), { kind: 'eq', path: ['meta'], value: { __op: 'Delete' } });
    assert.deepEqual(parse({ owner: 'u1' }), { kind: 'eq', path: ['owner'], value: 'u1' });
  });

  it('turns ISO strings into Dates for createdAt, updatedAt and _Session.expiresAt only', () => {
    assert.deepEqual(parse({ createdAt: ISO }), { kind: 'eq', path: ['createdAt'], value: new Date(ISO) });
    assert.deepEqual(parse({ updatedAt: { $lte: ISO } }), {
      kind: 'compare',
      path: ['updatedAt'],
      op: 'lte',
      value: new Date(ISO),
    });
    assert.deepEqual(parseWhere({ where: { expiresAt: { $gt: ISO } }, schema: sessionSchema }), {
      kind: 'compare',
      path: ['expiresAt'],
      op: 'gt',
      value: new Date(ISO),
    });
    assert.deepEqual(parse({ expiresAt: ISO }), { kind: 'eq', path: ['expiresAt'], value: ISO });
    assert.deepEqual(parse({ when: ISO }), { kind: 'eq', path: ['when'], value: ISO });
    assert.deepEqual(parse({ createdAt: { $in: [ISO] } }), {
      kind: 'in',
      path: ['createdAt'],
      values: [new Date(ISO)],
    });
    expectError({ createdAt: 'not a date' }, { code: 111, message: 'This is not a valid Date' });
  });

  it('rejects invalid typed values', () => {
    expectError({ when: { __type: 'Date', iso: 'nope' } }, { code: 111, message: 'This is not a valid Date' });
    expectError(
      { owner: { __type: 'Pointer', className: '_User' } },
      { code: 106, message: 'This is not a valid Pointer: objectId must be a string' },
    );
  });

  it('makes pointer equality on a Relation field a relationHas', () => {
    assert.deepEqual(parse({ likes: user('u1') }), {
      kind: 'relationHas',
      field: 'likes',
      relatedIds: ['u1'],
      mode: 'any',
    });
    assert.deepEqual(parse({ likes: { __type: 'Pointer', className: 'Other', objectId: 'u1' } }), MATCH_NONE);
  });
});

describe('parseWhere: operators', () => {
  it('parses comparisons', () => {
    assert.deepEqual(parse({ score: { $gte: 1, $lt: 10 } }), {
      kind: 'and',
      conditions: [
        { kind: 'compare', path: ['score'], op: 'gte', value: 1 },
        { kind: 'compare', path: ['score'], op: 'lt', value: 10 },
      ],
    });
    assert.deepEqual(parse({ title: { $gt: 'b' } }), { kind: 'compare', path: ['title'], op: 'gt', value: 'b' });
    assert.deepEqual(parse({ when: { $lt: { __type: 'Date', iso: ISO } } }), {
      kind: 'compare',
      path: ['when'],
      op: 'lt',
      value: new Date(ISO),
    });
    expectError({ score: { $lt: [1] } }, { code: 107, message: 'bad $lt value' });
    expectError({ score: { $gt: null } }, { code: 107, message: 'bad $gt value' });
    expectError({ score: { $lte: { a: 1 } } }, { code: 107, message: 'bad $lte value' });
  });

  it('parses $eq and $ne, with pointer ids and relations', () => {
    assert.deepEqual(parse({ title: { $eq: 'a' } }), { kind: 'eq', path: ['title'], value: 'a' });
    assert.deepEqual(parse({ title: { $ne: null } }), { kind: 'ne', path: ['title'], value: null });
    assert.deepEqual(parse({ owner: { $eq: 'u1' } }), {
      kind: 'eq',
      path: ['owner'],
      value: new Pointer('_User', 'u1'),
    });
    assert.deepEqual(parse({ owner: { $ne: 'u1' } }), {
      kind: 'ne',
      path: ['owner'],
      value: new Pointer('_User', 'u1'),
    });
    assert.deepEqual(parse({ likes: { $ne: user('u1') } }), {
      kind: 'relationHas',
      field: 'likes',
      relatedIds: ['u1'],
      mode: 'none',
    });
    assert.deepEqual(parse({ likes: { $eq: 'u2' } }), {
      kind: 'relationHas',
      field: 'likes',
      relatedIds: ['u2'],
      mode: 'any',
    });
  });

  it('parses $in / $nin, flattening nested arrays one level', () => {
    assert.deepEqual(parse({ score: { $in: [1, [2, 3], [[4]]] } }), {
      kind: 'in',
      path: ['score'],
      values: [1, 2, 3, [4]],
    });
    assert.deepEqual(parse({ title: { $nin: ['a', null] } }), { kind: 'nin', path: ['title'], values: ['a', null] });
    assert.deepEqual(parse({ owner: { $in: ['u1', user('u2')] } }), {
      kind: 'in',
      path: ['owner'],
      values: [new Pointer('_User', 'u1'), new Pointer('_User', 'u2')],
    });
    assert.deepEqual(parse({ likes: { $in: [user('u1'), 'u2', user('u1')] } }), {
      kind: 'relationHas',
      field: 'likes',
      relatedIds: ['u1', 'u2'],
      mode: 'any',
    });
    assert.deepEqual(parse({ likes: { $nin: [user('u1')] } }), {
      kind: 'relationHas',
      field: 'likes',
      relatedIds: ['u1'],
      mode: 'none',
    });
    assert.deepEqual(parse({ likes: { $in: [] } }), MATCH_NONE);
    assert.deepEqual(parse({ likes: { $nin: [] } }), MATCH_ALL);
    expectError({ score: { $in: 1 } }, { code: 107, message: 'bad $in value' });
    expectError({ score: { $nin: { a: 1 } } }, { code: 107, message: 'bad $nin value' });
    expectError({ likes: { $in: [1] } }, { code: 107, message: 'bad $in value' });
  });

  it('parses $all, including regex items', () => {
    assert.deepEqual(parse({ tags: { $all: ['a', 'b'] } }), { kind: 'all', path: ['tags'], values: ['a', 'b'] });
    assert.deepEqual(parse({ tags: { $all: [] } }), MATCH_NONE);
    assert.deepEqual(parse({ tags: { $all: [{ $regex: '^\\Qa.\\E' }, { $regex: '^b', $options: 'i' }] } }), {
      kind: 'and',
      conditions: [
        { kind: 'regex', path: ['tags'], pattern: '^a\\.', flags: '' },
        { kind: 'regex', path: ['tags'], pattern: '^b', flags: 'i' },
      ],
    });
    expectError({ tags: { $all: 'a' } }, { code: 107, message: 'bad $all value' });
    expectError(
      { tags: { $all: ['a', { $regex: '^b' }] } },
      { code: 107, message: 'All $all values must be of regex type or none: ["a",{"$regex":"^b"}]' },
    );
  });

  it('parses $exists', () => {
    assert.deepEqual(parse({ title: { $exists: true } }), { kind: 'exists', path: ['title'], exists: true });
    assert.deepEqual(parse({ 'meta.k': { $exists: false } }), { kind: 'exists', path: ['meta', 'k'], exists: false });
    expectError({ title: { $exists: 1 } }, { code: 107, message: 'bad $exists value' });
    expectError({ title: { $exists: 'true' } }, { code: 107, message: 'bad $exists value' });
  });

  it('parses $regex with $options and SDK quoting', () => {
    assert.deepEqual(parse({ title: { $regex: '^\\Qa.b\\E' } }), {
      kind: 'regex',
      path: ['title'],
      pattern: '^a\\.b',
      flags: '',
    });
    assert.deepEqual(parse({ title: { $regex: '\\Q(x)\\E$', $options: 'im' } }), {
      kind: 'regex',
      path: ['title'],
      pattern: '\\(x\\)$',
      flags: 'im',
    });
    assert.deepEqual(parse({ title: { $options: 'x', $regex: ' a b ' } }), {
      kind: 'regex',
      path: ['title'],
      pattern: 'ab',
      flags: '',
    });
    expectError({ title: { $regex: 1 } }, { code: 102, message: '$regex value must be a string' });
    expectError({ title: { $regex: 'a', $options: 'g' } }, { code: 102, message: 'Bad $options value for query: g' });
    expectError({ title: { $options: 'i' } }, { code: 102, message: '$options needs a $regex' });
    expectError(
      { title: { $regex: '[' } },
      { code: 102, message: 'Invalid $regex (error parsing regexp: missing closing ]: `[`): [' },
    );
  });

  it('rewrites plain keys mixed with operators into an object equality', () => {
    assert.deepEqual(parse({ meta: { $exists: true, a: 1, b: { __type: 'Date', iso: ISO } } }), {
      kind: 'and',
      conditions: [
        { kind: 'exists', path: ['meta'], exists: true },
        { kind: 'eq', path: ['meta'], value: { a: 1, b: new Date(ISO) } },
      ],
    });
  });

  it('parses $relatedTo', () => {
    assert.deepEqual(
      parse({ $relatedTo: { object: { __type: 'Pointer', className: 'Post', objectId: 'p1' }, key: 'likes' } }),
      {
        kind: 'relatedTo',
        ownerClass: 'Post',
        field: 'likes',
        owningId: 'p1',
      },
    );
    expectError({ $relatedTo: { object: 'p1', key: 'likes' } }, { code: 107, message: 'bad $relatedTo value' });
    expectError({ $relatedTo: { object: user('u1') } }, { code: 107, message: 'bad $relatedTo value' });
    expectError({ $relatedTo: { object: user('u1'), key: 'a.b' } }, { code: 107, message: 'bad $relatedTo value' });
    expectError({ $relatedTo: [] }, { code: 107, message: 'bad $relatedTo value' });
  });

  it('refuses unknown operators and misplaced $relativeTime with 107', () => {
    expectError({ title: { $foo: 1 } }, { code: 107, message: 'bad constraint: $foo' });
    expectError({ title: { $where: 'sleep(1000)' } }, { code: 107, message: 'bad constraint: $where' });
    expectError({ tags: { $size: 1 } }, { code: 107, message: 'bad constraint: $size' });
    expectError(
      { when: { $eq: { $relativeTime: 'now' } } },
      { code: 107, message: '$relativeTime can only be used with the $lt, $lte, $gt, and $gte operators' },
    );
    expectError(
      { when: { $relativeTime: 'now' } },
      { code: 107, message: '$relativeTime can only be used with the $lt, $lte, $gt, and $gte operators' },
    );
  });

  it('works without a schema (class does not exist): no schema-driven rewrites', () => {
    assert.deepEqual(parseWhere({ where: { owner: { $in: ['u1'] }, createdAt: ISO }, schema: undefined }), {
      kind: 'and',
      conditions: [
        { kind: 'in', path: ['owner'], values: ['u1'] },
        { kind: 'eq', path: ['createdAt'], value: new Date(ISO) },
      ],
    });
  });
});
