import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import type { ClassSchema } from '../schema/index.js';
import { parseKeys, parseOrder } from './parse-order.js';

const schema: ClassSchema = {
  className: 'Game',
  fields: {
    objectId: { type: 'String' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    score: { type: 'Number' },
    name: { type: 'String' },
    stats: { type: 'Object' },
    authData: { type: 'Object' },
  },
};

function expectError(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParseError, `expected ParseError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

describe('parseOrder', () => {
  it('parses a comma list with - for descending and dot paths', () => {
    assert.deepEqual(parseOrder('-score,name, stats.wins ,-createdAt', schema), [
      { path: ['score'], direction: -1 },
      { path: ['name'], direction: 1 },
      { path: ['stats', 'wins'], direction: 1 },
      { path: ['createdAt'], direction: -1 },
    ]);
  });

  it('accepts nothing, arrays and the legacy timestamp names', () => {
    assert.deepEqual(parseOrder(undefined, schema), []);
    assert.deepEqual(parseOrder('', schema), []);
    assert.deepEqual(parseOrder(['score', '-name,updatedAt'], schema), [
      { path: ['score'], direction: 1 },
      { path: ['name'], direction: -1 },
      { path: ['updatedAt'], direction: 1 },
    ]);
    assert.deepEqual(parseOrder('-_created_at,_updated_at', schema), [
      { path: ['createdAt'], direction: -1 },
      { path: ['updatedAt'], direction: 1 },
    ]);
  });

  it('silently drops fields missing from the schema, keeps all without one', () => {
    assert.deepEqual(parseOrder('nope,-score,nope.deep', schema), [{ path: ['score'], direction: -1 }]);
    assert.deepEqual(parseOrder('nope,-score', undefined), [
      { path: ['nope'], direction: 1 },
      { path: ['score'], direction: -1 },
    ]);
  });

  it('keeps the first position and the last direction of a repeated field', () => {
    assert.deepEqual(parseOrder('score,name,-score', schema), [
      { path: ['score'], direction: -1 },
      { path: ['name'], direction: 1 },
    ]);
  });

  it('keeps $score (text relevance) whatever the schema holds', () => {
    assert.deepEqual(parseOrder('-$score,name', schema), [
      { path: ['$score'], direction: -1 },
      { path: ['name'], direction: 1 },
    ]);
    assert.deepEqual(parseOrder('$score', undefined), [{ path: ['$score'], direction: 1 }]);
  });

  it('refuses invalid names with 105', () => {
    expectError(() => parseOrder('a-b', schema), 105, 'Invalid field name: a-b.');
    expectError(() => parseOrder('score,', schema), 105, 'Invalid field name: .');
    expectError(() => parseOrder('-', schema), 105, 'Invalid field name: .');
    expectError(() => parseOrder('_rperm', schema), 105, 'Invalid field name: _rperm.');
    expectError(() => parseOrder('constructor', schema), 105, 'Invalid field name: constructor.');
    expectError(() => parseOrder('authData.facebook.id', schema), 105, 'Cannot sort by authData.facebook.id');
    expectError(() => parseOrder(5, schema), 107, 'bad order value');
    expectError(() => parseOrder([1], schema), 107, 'bad order value');
  });
});

describe('parseKeys', () => {
  it('parses comma lists and arrays, trimming, skipping blanks and duplicates', () => {
    assert.deepEqual(parseKeys('title, post.author ,,title'), ['title', 'post.author']);
    assert.deepEqual(parseKeys(['a', 'b,c']), ['a', 'b', 'c']);
    assert.deepEqual(parseKeys(undefined), []);
    assert.deepEqual(parseKeys(''), []);
  });

  it('keeps $score once', () => {
    assert.deepEqual(parseKeys('title,$score,$score'), ['title', '$score']);
  });

  it('refuses invalid names with 105', () => {
    expectError(() => parseKeys('a,b c'), 105, 'Invalid field name: b c.');
    expectError(() => parseKeys('_hashed_password'), 105, 'Invalid field name: _hashed_password.');
    expectError(() => parseKeys('post.__proto__'), 105, 'Invalid field name: post.__proto__.');
    expectError(() => parseKeys({}), 107, 'bad keys value');
  });
});
