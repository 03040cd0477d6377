import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../errors/index.js';
import type { ClassSchema } from './types.js';
import { assertNoProhibitedKeywords, assertValidNestedKeys, fieldsToAdd } from './validate.js';

const post: ClassSchema = {
  className: 'Post',
  fields: {
    objectId: { type: 'String' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    ACL: { type: 'ACL' },
    title: { type: 'String' },
    author: { type: 'Pointer', targetClass: '_User' },
    where: { type: 'GeoPoint' },
  },
};

describe('fieldsToAdd', () => {
  it('returns only the fields the class lacks', () => {
    const added = fieldsToAdd({
      className: 'Post',
      schema: post,
      fields: { title: { type: 'String' }, views: { type: 'Number' }, tags: { type: 'Array' } },
    });
    assert.deepEqual(added, { views: { type: 'Number' }, tags: { type: 'Array' } });
  });

  it('checks a new class against its default fields', () => {
    assert.deepEqual(fieldsToAdd({ className: 'New', schema: undefined, fields: { a: { type: 'Boolean' } } }), {
      a: { type: 'Boolean' },
    });
    assert.throws(() => fieldsToAdd({ className: '_User', schema: undefined, fields: { email: { type: 'Number' } } }), {
      code: ErrorCode.INCORRECT_TYPE,
      message: 'schema mismatch for _User.email; expected String but got Number',
    });
  });

  it('throws 111 with Parse wording on a type mismatch', () => {
    assert.throws(() => fieldsToAdd({ className: 'Post', schema: post, fields: { title: { type: 'Number' } } }), {
      code: ErrorCode.INCORRECT_TYPE,
      message: 'schema mismatch for Post.title; expected String but got Number',
    });
    assert.throws(
      () =>
        fieldsToAdd({ className: 'Post', schema: post, fields: { author: { type: 'Pointer', targetClass: 'Team' } } }),
      {
        code: ErrorCode.INCORRECT_TYPE,
        message: 'schema mismatch for Post.author; expected Pointer<_User> but got Pointer<Team>',
      },
    );
  });

  it('refuses a second GeoPoint field with 111', () => {
    assert.throws(() => fieldsToAdd({ className: 'Post', schema: post, fields: { there: { type: 'GeoPoint' } } }), {
      code: ErrorCode.INCORRECT_TYPE,
      message: 'currently, only one GeoPoint field may exist in an object. Adding there when where already exists.',
    });
    assert.throws(
      () =>
        fieldsToAdd({
          className: 'New',
          schema: undefined,
          fields: { a: { type: 'GeoPoint' }, b: { type: 'GeoPoint' } },
        }),
      { code: ErrorCode.INCORRECT_TYPE },
    );
  });

  it('throws 105 for invalid names and skips the class internal fields', () => {
    assert.throws(() => fieldsToAdd({ className: 'Post', schema: post, fields: { _secret: { type: 'String' } } }), {
      code: ErrorCode.INVALID_KEY_NAME,
      message: 'Invalid field name: _secret.',
    });
    assert.deepEqual(
      fieldsToAdd({
        className: '_User',
        schema: undefined,
        fields: {
          _hashed_password: { type: 'String' },
          _auth_data_github: { type: 'Object' },
          nick: { type: 'String' },
        },
      }),
      { nick: { type: 'String' } },
    );
  });
});

describe('nested keys', () => {
  it('accepts ordinary nested data', () => {
    assert.doesNotThrow(() => assertValidNestedKeys({ a: { b: [{ c: 1 }] } }));
  });
  for (const value of [{ 'a.b': 1 }, { a: { $gt: 1 } }, [{ x: { 'y.z': 1 } }]]) {
    it(`refuses ${JSON.stringify(value)} with 121`, () => {
      assert.throws(() => assertValidNestedKeys(value), {
        code: ErrorCode.INVALID_NESTED_KEY,
        message: "Nested keys should not contain the '$' or '.' characters",
      });
    });
  }
});

describe('prohibited keywords', () => {
  it('refuses __proto__ and constructor at any depth with 105', () => {
    assert.throws(() => assertNoProhibitedKeywords(JSON.parse('{"a":{"__proto__":{"x":1}}}')), {
      code: ErrorCode.INVALID_KEY_NAME,
      message: 'Prohibited keyword in request data: {"key":"__proto__"}.',
    });
    assert.throws(() => assertNoProhibitedKeywords({ list: [{ constructor: { name: 'x' } }] }), {
      code: ErrorCode.INVALID_KEY_NAME,
      message: 'Prohibited keyword in request data: {"key":"constructor"}.',
    });
  });
  it('refuses _bsontype only with the value Code', () => {
    assert.throws(() => assertNoProhibitedKeywords({ a: { _bsontype: 'Code' } }), {
      code: ErrorCode.INVALID_KEY_NAME,
      message: 'Prohibited keyword in request data: {"key":"_bsontype","value":"Code"}.',
    });
    assert.doesNotThrow(() => assertNoProhibitedKeywords({ a: { _bsontype: 'Other' } }));
  });
  it('honours a custom denylist', () => {
    assert.doesNotThrow(() => assertNoProhibitedKeywords({ constructor: 1 }, { denylist: [] }));
    assert.throws(() => assertNoProhibitedKeywords({ a: { secret: 1 } }, { denylist: [{ key: 'secret' }] }), {
      code: ErrorCode.INVALID_KEY_NAME,
    });
    assert.throws(() => assertNoProhibitedKeywords({ a: ['x', { b: 'evil' }] }, { denylist: [{ value: 'evil' }] }), {
      message: 'Prohibited keyword in request data: {"value":"evil"}.',
    });
  });
});
