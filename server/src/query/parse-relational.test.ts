import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { Pointer } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import { MATCH_ALL, MATCH_NONE } from './ast.js';
import type { Condition } from './ast.js';
import { andOf } from './combine.js';
import type { QueryLimits } from './limits.js';
import type { SubQueryResolver } from './parse-relational.js';
import { parseWhere } from './parse-where.js';

const fields = (extra: ClassSchema['fields']): ClassSchema['fields'] => ({
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ...extra,
});
const POST: ClassSchema = {
  className: 'Post',
  fields: fields({
    author: { type: 'Pointer', targetClass: 'Author' },
    city: { type: 'String' },
    tags: { type: 'Array' },
    when: { type: 'Date' },
  }),
};
const AUTHOR: ClassSchema = {
  className: 'Author',
  fields: fields({ name: { type: 'String' }, fans: { type: 'Relation', targetClass: 'Fan' } }),
};
const FAN: ClassSchema = { className: 'Fan', fields: fields({ city: { type: 'String' } }) };
const SCHEMAS = new Map([POST, AUTHOR, FAN].map((schema) => [schema.className, schema]));

/** Marks restricted sub-queries the way core's ACL step would. */
const ACL: Condition = { kind: 'acl', access: 'read', entities: ['*'] };
const resolver: SubQueryResolver = {
  schemaOf: (className) => SCHEMAS.get(className),
  restrict: ({ where }) => andOf([where, ACL]),
};
const NOW = new Date('2024-06-15T12:00:00.000Z');

function parse(where: unknown, limits?: QueryLimits): Condition {
  return parseWhere({
    where,
    schema: POST,
    subQueries: resolver,
    now: () => NOW,
    ...(limits === undefined ? {} : { limits }),
  });
}

function expectError(where: unknown, expected: { code: number; message: string }, limits?: QueryLimits): void {
  assert.throws(
    () => parse(where, limits),
    (err: unknown) => err instanceof ParseError && err.code === expected.code && err.message === expected.message,
    `expected ${expected.code} "${expected.message}"`,
  );
}

describe('parseWhere: relational operators', () => {
  it('$inQuery / $notInQuery carry the sub-class, its schema and the restricted sub-condition', () => {
    const sub = {
      className: 'Author',
      schema: AUTHOR,
      where: { kind: 'and', conditions: [{ kind: 'eq', path: ['name'], value: 'Ann' }, ACL] },
    };
    assert.deepEqual(parse({ author: { $inQuery: { className: 'Author', where: { name: 'Ann' }, limit: 3 } } }), {
      kind: 'inQuery',
      path: ['author'],
      mode: 'in',
      sub,
    });
    assert.deepEqual(parse({ author: { $notInQuery: { className: 'Author', where: { name: 'Ann' } } } }), {
      kind: 'inQuery',
      path: ['author'],
      mode: 'notIn',
      sub,
    });
  });

  it('a sub-query on a class that does not exist matches nothing', () => {
    assert.deepEqual(parse({ author: { $inQuery: { className: 'Nope', where: {} } } }), MATCH_NONE);
    assert.deepEqual(parse({ author: { $notInQuery: { className: 'Nope', where: {} } } }), MATCH_ALL);
    assert.deepEqual(parse({ city: { $select: { query: { className: 'Nope' }, key: 'city' } } }), MATCH_NONE);
    assert.deepEqual(parse({ city: { $dontSelect: { query: { className: 'Nope' }, key: 'city' } } }), MATCH_ALL);
  });

  it('$select / $dontSelect take a dot-path key; a sub-query may redirect through a Relation', () => {
    assert.deepEqual(parse({ city: { $select: { query: { className: 'Author', where: {} }, key: 'meta.city' } } }), {
      kind: 'select',
      path: ['city'],
      mode: 'in',
      sub: { className: 'Author', schema: AUTHOR, where: ACL },
      key: ['meta', 'city'],
    });
    const redirected = parse({
      city: { $dontSelect: { query: { className: 'Author', redirectClassNameForKey: 'fans' }, key: 'city' } },
    });
    assert.deepEqual(redirected, {
      kind: 'select',
      path: ['city'],
      mode: 'notIn',
      sub: { className: 'Fan', schema: FAN, where: ACL },
      key: ['city'],
    });
  });

  it('nested sub-queries are parsed against their own class', () => {
    const parsed = parse({
      author: {
        $inQuery: {
          className: 'Author',
          where: { objectId: { $select: { query: { className: 'Fan', where: { city: 'Oslo' } }, key: 'objectId' } } },
        },
      },
    });
    assert.equal(parsed.kind, 'inQuery');
    const inner =
      parsed.kind === 'inQuery' && parsed.sub.where.kind === 'and' ? parsed.sub.where.conditions[0] : undefined;
    assert.equal(inner?.kind, 'select');
  });

  it('refuses improper sub-queries with 102', () => {
    expectError(
      { author: { $inQuery: { className: 'Author' } } },
      { code: 102, message: 'improper usage of $inQuery' },
    );
    expectError({ author: { $inQuery: { where: {} } } }, { code: 102, message: 'improper usage of $inQuery' });
    expectError({ author: { $notInQuery: 'Author' } }, { code: 102, message: 'improper usage of $notInQuery' });
    expectError(
      { city: { $select: { query: { className: 'Author' }, key: 'city', extra: 1 } } },
      { code: 102, message: 'improper usage of $select' },
    );
    expectError(
      { city: { $select: { query: { className: 'Author' } } } },
      { code: 102, message: 'improper usage of $select' },
    );
    expectError(
      { city: { $dontSelect: { query: {}, key: 'city' } } },
      { code: 102, message: 'improper usage of $dontSelect' },
    );
    expectError(
      { city: { $select: { query: { className: 'Author' }, key: '_rperm' } } },
      { code: 102, message: 'improper usage of $select' },
    );
  });

  it('$containedBy takes an array of values', () => {
    assert.deepEqual(
      parse({ tags: { $containedBy: ['a', { __type: 'Pointer', className: 'Author', objectId: 'x' }] } }),
      {
        kind: 'containedBy',
        path: ['tags'],
        values: ['a', new Pointer('Author', 'x')],
      },
    );
    expectError({ tags: { $containedBy: 'a' } }, { code: 107, message: 'bad $containedBy: should be an array' });
  });
});

describe('parseWhere: $relativeTime', () => {
  const compare = (op: string, iso: string): Condition =>
    ({
      kind: 'compare',
      path: ['when'],
      op,
      value: new Date(iso),
    }) as Condition;

  it('resolves against the injected clock', () => {
    assert.deepEqual(
      parse({ when: { $lt: { $relativeTime: 'in 1 day 2 hours' } } }),
      compare('lt', '2024-06-16T14:00:00.000Z'),
    );
    assert.deepEqual(
      parse({ when: { $gte: { $relativeTime: '3 hours ago' } } }),
      compare('gte', '2024-06-15T09:00:00.000Z'),
    );
    assert.deepEqual(parse({ when: { $gt: { $relativeTime: 'now' } } }), compare('gt', '2024-06-15T12:00:00.000Z'));
    assert.deepEqual(
      parse({ when: { $lte: { $relativeTime: '1 yr 2 wks 1 min 5 secs ago' } } }),
      compare('lte', '2023-06-02T11:58:55.000Z'),
    );
    assert.deepEqual(parse({ createdAt: { $gt: { $relativeTime: 'In 2 Days' } } }), {
      kind: 'compare',
      path: ['createdAt'],
      op: 'gt',
      value: new Date('2024-06-17T12:00:00.000Z'),
    });
  });

  it('explains bad strings with 107', () => {
    const bad = (text: unknown, explanation: string): void =>
      expectError(
        { when: { $lt: { $relativeTime: text } } },
        { code: 107, message: `bad $relativeTime ($lt) value. ${explanation}` },
      );
    bad(5, 'Time should be a string.');
    bad('2 days', "Time should either start with 'in' or end with 'ago'.");
    bad('in 2 days ago', "Time cannot have both 'in' and 'ago'.");
    bad('in 2', 'Invalid time string. Dangling unit or number.');
    bad('in two days', "'two' is not an integer.");
    bad('in 1.5 days', "'1.5' is not an integer.");
    bad('in 2 fortnights', "Invalid interval: 'fortnights'.");
  });

  it('only on Date fields, only inside $lt/$lte/$gt/$gte', () => {
    expectError(
      { city: { $lt: { $relativeTime: 'now' } } },
      { code: 107, message: '$relativeTime can only be used with Date field' },
    );
    expectError(
      { when: { $ne: { $relativeTime: 'now' } } },
      { code: 107, message: '$relativeTime can only be used with the $lt, $lte, $gt, and $gte operators' },
    );
  });
});

describe('parseWhere: complexity limits', () => {
  it('caps $or/$and/$nor branches', () => {
    const where = { $or: [{ city: 'a' }, { city: 'b' }, { city: 'c' }] };
    expectError(where, { code: 102, message: 'Too many $or branches: 3 (at most 2 allowed).' }, { maxBranches: 2 });
    assert.equal(parse(where, { maxBranches: 3 }).kind, 'or');
  });

  it('caps $in/$nin/$all/$containedBy sizes', () => {
    const limits = { maxInValues: 2 };
    expectError(
      { city: { $in: ['a', 'b', 'c'] } },
      { code: 102, message: 'Too many values in $in: 3 (at most 2 allowed).' },
      limits,
    );
    expectError(
      { city: { $nin: ['a', 'b', 'c'] } },
      { code: 102, message: 'Too many values in $nin: 3 (at most 2 allowed).' },
      limits,
    );
    expectError(
      { tags: { $all: ['a', 'b', 'c'] } },
      { code: 102, message: 'Too many values in $all: 3 (at most 2 allowed).' },
      limits,
    );
    expectError(
      { tags: { $containedBy: ['a', 'b', 'c'] } },
      { code: 102, message: 'Too many values in $containedBy: 3 (at most 2 allowed).' },
      limits,
    );
    assert.equal(parse({ city: { $in: ['a', 'b'] } }, limits).kind, 'in');
  });

  it('caps regex length', () => {
    expectError(
      { city: { $regex: 'abcdef' } },
      { code: 102, message: '$regex pattern is too long: 6 characters (at most 5 allowed).' },
      { maxRegexLength: 5 },
    );
    assert.equal(parse({ city: { $regex: 'abcde' } }, { maxRegexLength: 5 }).kind, 'regex');
  });

  it('caps sub-query nesting', () => {
    const nested = {
      author: { $inQuery: { className: 'Author', where: { objectId: { $inQuery: { className: 'Fan', where: {} } } } } },
    };
    expectError(
      nested,
      { code: 102, message: 'Subqueries are nested too deeply (at most 1 levels allowed).' },
      { maxSubqueryDepth: 1 },
    );
    assert.equal(parse(nested, { maxSubqueryDepth: 2 }).kind, 'inQuery');
  });
});
