import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Condition, FieldPath, SubQuery } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ClassSchema, ParseValue } from '../../schema/index.js';
import { classSchema, skipUnsupported, sortedIds, stored, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './harness.js';

/**
 * The relational conditions (`inQuery`, `select`, `containedBy`): exact result sets, sub-queries that
 * carry an ACL condition (objects hidden from the caller never count), empty sub-results, missing fields,
 * pointers to other classes and nested sub-queries.
 */

const AUTHORS = classSchema('RelAuthor', {
  name: { type: 'String' },
  tier: { type: 'Number' },
  city: { type: 'String' },
  meta: { type: 'Object' },
  mentor: { type: 'Pointer', targetClass: 'RelAuthor' },
});
const BOOKS = classSchema('RelBook', {
  title: { type: 'String' },
  author: { type: 'Pointer', targetClass: 'RelAuthor' },
  editors: { type: 'Array' },
  city: { type: 'String' },
  tags: { type: 'Array' },
});
const OTHERS = classSchema('RelOther', { name: { type: 'String' } });
/** A class that is declared but was never written: its table / collection does not exist. */
const EMPTY = classSchema('RelEmpty', { name: { type: 'String' } });

const author = (id: string): Pointer => new Pointer('RelAuthor', id);

const AUTHOR_OBJECTS = [
  stored('a1', { name: 'Ann', tier: 1, city: 'Paris', meta: { home: 'Paris' } }),
  stored('a2', { name: 'Bob', tier: 2, city: 'Oslo', mentor: author('a1') }),
  // Hidden from the public: a sub-query with the public read ACL must not see it.
  stored('a3', { name: 'Cid', tier: 1, city: 'Rome' }, { ACL: { u9: { read: true } } }),
  stored('a4', { name: 'Dee', tier: 3, mentor: author('a3') }),
];
const BOOK_OBJECTS = [
  stored('b1', { title: 'one', author: author('a1'), editors: [author('a2')], city: 'Paris', tags: ['x', 'y'] }),
  stored('b2', { title: 'two', author: author('a2'), city: 'Oslo', tags: ['x'] }),
  stored('b3', { title: 'three', author: author('a3'), city: 'Rome', tags: [] }),
  stored('b4', { title: 'four', city: 'Lima', tags: ['x', 'z'] }),
  stored('b5', { title: 'five', author: author('a4'), editors: [author('a1'), author('a3')] }),
  // A pointer to another class with the same objectId as an author.
  stored('b6', { title: 'six', editors: [new Pointer('RelOther', 'a1')] }),
];
const ALL_BOOKS = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];

const MATCH: Condition = { kind: 'constant', value: true };
const PUBLIC: Condition = { kind: 'acl', access: 'read', entities: ['*'] };
const path = (text: string): FieldPath => text.split('.') as unknown as FieldPath;
const eq = (field: string, value: ParseValue): Condition => ({ kind: 'eq', path: path(field), value });
const and = (...conditions: Condition[]): Condition => ({ kind: 'and', conditions });
const sub = (where: Condition, schema: ClassSchema = AUTHORS): SubQuery => ({
  className: schema.className,
  schema,
  where,
});
const inQuery = (field: string, query: SubQuery, mode: 'in' | 'notIn' = 'in'): Condition => ({
  kind: 'inQuery',
  path: path(field),
  mode,
  sub: query,
});
const select = (field: string, query: { sub: SubQuery; key: string; mode?: 'in' | 'notIn' }): Condition => ({
  kind: 'select',
  path: path(field),
  mode: query.mode ?? 'in',
  sub: query.sub,
  key: path(query.key),
});
const containedBy = (field: string, values: ParseValue[]): Condition => ({
  kind: 'containedBy',
  path: path(field),
  values,
});

/** [description, condition on RelBook, expected objectIds] */
const CASES: ReadonlyArray<readonly [string, Condition, readonly string[]]> = [
  ['inQuery on a Pointer field', inQuery('author', sub(eq('tier', 1))), ['b1', 'b3']],
  ['inQuery excludes sub-objects hidden by the ACL', inQuery('author', sub(and(eq('tier', 1), PUBLIC))), ['b1']],
  [
    'notInQuery also matches objects lacking the field',
    inQuery('author', sub(and(eq('tier', 1), PUBLIC)), 'notIn'),
    ['b2', 'b3', 'b4', 'b5', 'b6'],
  ],
  ['inQuery with an empty sub-result', inQuery('author', sub(eq('name', 'Zed'))), []],
  ['notInQuery with an empty sub-result', inQuery('author', sub(eq('name', 'Zed')), 'notIn'), ALL_BOOKS],
  ['inQuery on an Array of pointers', inQuery('editors', sub(eq('name', 'Ann'))), ['b5']],
  ['inQuery of another class never matches a Pointer<RelAuthor> field', inQuery('author', sub(MATCH, OTHERS)), []],
  ['inQuery of another class on an Array compares the class', inQuery('editors', sub(MATCH, OTHERS)), ['b6']],
  ['inQuery on a class without a table', inQuery('author', sub(MATCH, EMPTY)), []],
  ['notInQuery on a class without a table', inQuery('author', sub(MATCH, EMPTY), 'notIn'), ALL_BOOKS],
  [
    'nested inQuery (books whose author is mentored by someone in Paris)',
    inQuery('author', sub(inQuery('mentor', sub(eq('city', 'Paris'))))),
    ['b2'],
  ],
  [
    'inQuery inside or',
    { kind: 'or', conditions: [inQuery('author', sub(eq('tier', 2))), eq('city', 'Lima')] },
    ['b2', 'b4'],
  ],
  ['select a String key', select('city', { sub: sub(eq('tier', 1)), key: 'city' }), ['b1', 'b3']],
  [
    'select excludes sub-objects hidden by the ACL',
    select('city', { sub: sub(and(eq('tier', 1), PUBLIC)), key: 'city' }),
    ['b1'],
  ],
  [
    'dontSelect also matches objects lacking the field',
    select('city', { sub: sub(and(eq('tier', 1), PUBLIC)), key: 'city', mode: 'notIn' }),
    ['b2', 'b3', 'b4', 'b5', 'b6'],
  ],
  ['select a dot-path key', select('city', { sub: sub(MATCH), key: 'meta.home' }), ['b1']],
  ['select a key no sub-object has', select('city', { sub: sub(MATCH), key: 'nothing' }), []],
  ['dontSelect a key no sub-object has', select('city', { sub: sub(MATCH), key: 'nothing', mode: 'notIn' }), ALL_BOOKS],
  ['select pointer values across classes', select('author', { sub: sub(MATCH), key: 'mentor' }), ['b1', 'b3']],
  ['containedBy', containedBy('tags', ['x', 'y']), ['b1', 'b2', 'b3', 'b5', 'b6']],
  ['containedBy an empty array matches empty and missing arrays', containedBy('tags', []), ['b3', 'b5', 'b6']],
  [
    'containedBy on pointers',
    containedBy('editors', [author('a1'), author('a2'), author('a3')]),
    ['b1', 'b2', 'b3', 'b4', 'b5'],
  ],
];

export function relationalTests(options: StorageConformanceOptions): void {
  describe('relational conditions', () => {
    const storage = useStorage(options);
    before(async () => {
      for (const schema of [AUTHORS, BOOKS, OTHERS, EMPTY]) await storage().createClass(schema);
      for (const object of AUTHOR_OBJECTS) await storage().insert({ schema: AUTHORS, object });
      for (const object of BOOK_OBJECTS) await storage().insert({ schema: BOOKS, object });
      await storage().insert({ schema: OTHERS, object: stored('a1', { name: 'other' }) });
    });

    for (const [name, where, expected] of CASES) {
      it(name, async (t) => {
        if (where.kind === 'containedBy' && skipUnsupported(options, 'elemMatchOperators', t)) return;
        assert.deepEqual(sortedIds(await storage().find({ schema: BOOKS, where })), expected);
        assert.equal(await storage().count({ schema: BOOKS, where }), expected.length);
      });
    }

    it('sub-queries also restrict updates and deletes', async () => {
      const where = inQuery('author', sub(eq('name', 'Bob')));
      const updated = await storage().updateMany({
        schema: BOOKS,
        where,
        update: { fields: { title: { op: 'set', value: 'two!' } }, updatedAt: new Date() },
      });
      assert.equal(updated, 1);
      const [book] = await storage().find({ schema: BOOKS, where: eq('objectId', 'b2') });
      assert.equal(book?.fields['title'], 'two!');
    });

    it('explain returns the backend plan', async () => {
      const plan = await storage().explain?.({ schema: BOOKS, where: inQuery('author', sub(eq('tier', 1))) });
      if (storage().kind === 'sqlite') {
        // EXPLAIN QUERY PLAN rows: the outer scan and the sub-query's list.
        assert.ok(Array.isArray(plan) && plan.length >= 2, JSON.stringify(plan));
        for (const row of plan as unknown[]) assert.equal(typeof (row as { detail: unknown }).detail, 'string');
      } else {
        assert.ok(plan !== null && typeof plan === 'object' && 'queryPlanner' in plan, JSON.stringify(plan));
      }
    });
  });
}
