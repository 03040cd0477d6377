import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeType, fieldTypeOf, sameFieldType } from './infer.js';
import { Bytes, EmbeddedObject, GeoPoint, ParseFile, Pointer, Polygon } from './values.js';

describe('fieldTypeOf', () => {
  it('maps each normalized value to its field type', () => {
    assert.equal(fieldTypeOf(null), undefined);
    assert.deepEqual(fieldTypeOf('x'), { type: 'String' });
    assert.deepEqual(fieldTypeOf(0), { type: 'Number' });
    assert.deepEqual(fieldTypeOf(false), { type: 'Boolean' });
    assert.deepEqual(fieldTypeOf(new Date(0)), { type: 'Date' });
    assert.deepEqual(fieldTypeOf(new Pointer('_User', 'a')), { type: 'Pointer', targetClass: '_User' });
    assert.deepEqual(fieldTypeOf(new EmbeddedObject('Post', 'a', {})), { type: 'Pointer', targetClass: 'Post' });
    assert.deepEqual(fieldTypeOf(new ParseFile('f.txt')), { type: 'File' });
    assert.deepEqual(fieldTypeOf(new GeoPoint(1, 2)), { type: 'GeoPoint' });
    assert.deepEqual(
      fieldTypeOf(
        new Polygon([
          [0, 0],
          [0, 1],
          [1, 1],
        ]),
      ),
      { type: 'Polygon' },
    );
    assert.deepEqual(fieldTypeOf(new Bytes('AA==')), { type: 'Bytes' });
    assert.deepEqual(fieldTypeOf([1, 'a']), { type: 'Array' });
    assert.deepEqual(fieldTypeOf({ a: 1 }), { type: 'Object' });
  });
});

describe('describeType / sameFieldType', () => {
  it('names types as Parse messages do', () => {
    assert.equal(describeType({ type: 'Pointer', targetClass: '_User' }), 'Pointer<_User>');
    assert.equal(describeType({ type: 'Relation', targetClass: 'Post' }), 'Relation<Post>');
    assert.equal(describeType({ type: 'GeoPoint' }), 'GeoPoint');
  });
  it('compares target classes', () => {
    assert.equal(sameFieldType({ type: 'Pointer', targetClass: 'A' }, { type: 'Pointer', targetClass: 'A' }), true);
    assert.equal(sameFieldType({ type: 'Pointer', targetClass: 'A' }, { type: 'Pointer', targetClass: 'B' }), false);
    assert.equal(sameFieldType({ type: 'Pointer', targetClass: 'A' }, { type: 'Relation', targetClass: 'A' }), false);
    assert.equal(sameFieldType({ type: 'String' }, { type: 'String' }), true);
  });
});
