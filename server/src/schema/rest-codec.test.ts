import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, ParseError } from '../errors/index.js';
import { decodeValue, encodeValue } from './rest-codec.js';
import { Bytes, EmbeddedObject, GeoPoint, ParseFile, Pointer, Polygon } from './values.js';

const fileURL = (name: string): string => `http://localhost/files/app/${name}`;

function expectError(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParseError, `expected ParseError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('decodeValue', () => {
  it('passes JSON scalars through', () => {
    assert.equal(decodeValue('x'), 'x');
    assert.equal(decodeValue(3.5), 3.5);
    assert.equal(decodeValue(false), false);
    assert.equal(decodeValue(null), null);
  });

  it('decodes every __type', () => {
    assert.deepEqual(
      decodeValue({ __type: 'Date', iso: '2024-05-01T10:00:00.000Z' }),
      new Date('2024-05-01T10:00:00.000Z'),
    );
    assert.deepEqual(
      decodeValue({ __type: 'Pointer', className: '_User', objectId: 'u1' }),
      new Pointer('_User', 'u1'),
    );
    assert.deepEqual(
      decodeValue({ __type: 'Object', className: 'Post', objectId: 'p1', title: 'hi', createdAt: 'x' }),
      new Pointer('Post', 'p1'),
    );
    assert.deepEqual(decodeValue({ __type: 'File', name: 'a.txt', url: 'http://x/a.txt' }), new ParseFile('a.txt'));
    assert.deepEqual(decodeValue({ __type: 'GeoPoint', latitude: -90, longitude: 180 }), new GeoPoint(-90, 180));
    assert.deepEqual(decodeValue({ __type: 'Bytes', base64: 'VGhpcw==' }), new Bytes('VGhpcw=='));
  });

  it('closes polygon rings and keeps closed ones as sent', () => {
    assert.deepEqual(
      decodeValue({
        __type: 'Polygon',
        coordinates: [
          [0, 0],
          [0, 1],
          [1, 1],
        ],
      }),
      new Polygon([
        [0, 0],
        [0, 1],
        [1, 1],
        [0, 0],
      ]),
    );
    assert.deepEqual(
      decodeValue({
        __type: 'Polygon',
        coordinates: [
          [0, 0],
          [0, 1],
          [1, 1],
          [0, 0],
        ],
      }),
      new Polygon([
        [0, 0],
        [0, 1],
        [1, 1],
        [0, 0],
      ]),
    );
  });

  it('decodes arrays and objects recursively; __op inside a value is data', () => {
    const decoded = decodeValue({
      list: [
        { __type: 'Pointer', className: 'A', objectId: '1' },
        [{ __type: 'Date', iso: '2020-01-01T00:00:00.000Z' }],
      ],
      op: { __op: 'Increment', amount: 1 },
    });
    assert.deepEqual(decoded, {
      list: [new Pointer('A', '1'), [new Date('2020-01-01T00:00:00.000Z')]],
      op: { __op: 'Increment', amount: 1 },
    });
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  });

  it('rejects invalid typed values with 111 / 106', () => {
    expectError(() => decodeValue({ __type: 'Date' }), ErrorCode.INCORRECT_TYPE, 'This is not a valid Date');
    expectError(() => decodeValue({ __type: 'Date', iso: 'yesterday' }), 111, 'This is not a valid Date');
    expectError(() => decodeValue({ __type: 'Date', iso: 5 }), 111, 'This is not a valid Date');
    expectError(() => decodeValue({ __type: 'Pointer', objectId: 'x' }), 111, 'This is not a valid Pointer');
    expectError(
      () => decodeValue({ __type: 'Pointer', className: 'A', objectId: 7 }),
      ErrorCode.INVALID_POINTER,
      'This is not a valid Pointer: objectId must be a string',
    );
    expectError(
      () => decodeValue({ __type: 'Object', className: 'A' }),
      106,
      'This is not a valid Object: objectId must be a string',
    );
    expectError(() => decodeValue({ __type: 'File' }), 111, 'This is not a valid File');
    expectError(
      () => decodeValue({ __type: 'GeoPoint', latitude: 91, longitude: 0 }),
      111,
      'GeoPoint latitude out of bounds: 91',
    );
    expectError(
      () => decodeValue({ __type: 'GeoPoint', latitude: 0, longitude: -181 }),
      111,
      'GeoPoint longitude out of bounds: -181',
    );
    expectError(
      () => decodeValue({ __type: 'GeoPoint', latitude: '1', longitude: 0 }),
      111,
      'This is not a valid GeoPoint',
    );
    expectError(
      () =>
        decodeValue({
          __type: 'Polygon',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        }),
      111,
      'Polygon must have at least 3 values',
    );
    expectError(
      () =>
        decodeValue({
          __type: 'Polygon',
          coordinates: [
            [0, 0],
            [1, 1],
            [0, 0],
          ],
        }),
      111,
      'Polygon must have at least 3 distinct points',
    );
    expectError(
      () => decodeValue({ __type: 'Polygon', coordinates: [[0, 0], [1, 1], [2]] }),
      111,
      'This is not a valid Polygon',
    );
    expectError(() => decodeValue({ __type: 'Bytes', base64: 1 }), 111, 'This is not a valid Bytes');
    expectError(() => decodeValue({ __type: 'Relation', className: 'A' }), 111, 'Invalid __type: Relation');
    expectError(() => decodeValue({ __type: 'Weird' }), 111, 'Invalid __type: Weird');
    expectError(() => decodeValue({ __type: 3 }), 111, 'Invalid __type');
  });

  it('rejects __proto__, constructor and _bsontype:Code anywhere, without touching prototypes', () => {
    const proto = JSON.parse('{"a":{"b":[{"__proto__":{"polluted":true}}]}}') as unknown;
    expectError(
      () => decodeValue(proto),
      ErrorCode.INVALID_KEY_NAME,
      'Prohibited keyword in request data: {"key":"__proto__"}.',
    );
    expectError(
      () => decodeValue({ constructor: { prototype: { polluted: true } } }),
      105,
      'Prohibited keyword in request data: {"key":"constructor"}.',
    );
    expectError(
      () => decodeValue({ x: { _bsontype: 'Code', code: 'x' } }),
      105,
      'Prohibited keyword in request data: {"key":"_bsontype","value":"Code"}.',
    );
    assert.deepEqual(decodeValue({ _bsontype: 'Other' }), { _bsontype: 'Other' });
    assert.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined);
  });

  it('limits nesting depth (default 64, configurable, custom error)', () => {
    assert.deepEqual(decodeValue(nest(64)), nest(64));
    expectError(() => decodeValue(nest(65)), ErrorCode.INVALID_JSON, 'Nested data is too deep');
    assert.deepEqual(decodeValue([[1]], { maxDepth: 2 }), [[1]]);
    expectError(() => decodeValue([[[1]]], { maxDepth: 2 }), 107, 'Nested data is too deep');
    expectError(
      () => decodeValue(nest(3), { maxDepth: 2, tooDeep: { code: ErrorCode.INVALID_QUERY, message: 'deep' } }),
      102,
      'deep',
    );
  });

  it('rejects values that are not JSON', () => {
    expectError(() => decodeValue(undefined), 111, 'Invalid value of type undefined');
    expectError(() => decodeValue(Number.NaN), 111, 'Numbers must be finite');
    expectError(() => decodeValue(new Map()), 111, 'Invalid value');
  });
});

describe('encodeValue', () => {
  it('encodes every value class', () => {
    assert.deepEqual(encodeValue(new Date(0), { fileURL }), { __type: 'Date', iso: '1970-01-01T00:00:00.000Z' });
    assert.deepEqual(encodeValue(new Pointer('A', '1'), { fileURL }), {
      __type: 'Pointer',
      className: 'A',
      objectId: '1',
    });
    assert.deepEqual(encodeValue(new ParseFile('f.png'), { fileURL }), {
      __type: 'File',
      name: 'f.png',
      url: 'http://localhost/files/app/f.png',
    });
    assert.deepEqual(encodeValue(new GeoPoint(1, 2), { fileURL }), { __type: 'GeoPoint', latitude: 1, longitude: 2 });
    assert.deepEqual(
      encodeValue(
        new Polygon([
          [0, 0],
          [0, 1],
          [1, 1],
          [0, 0],
        ]),
        { fileURL },
      ),
      {
        __type: 'Polygon',
        coordinates: [
          [0, 0],
          [0, 1],
          [1, 1],
          [0, 0],
        ],
      },
    );
    assert.deepEqual(encodeValue(new Bytes('AA=='), { fileURL }), { __type: 'Bytes', base64: 'AA==' });
  });

  it('encodes nested arrays and objects', () => {
    assert.deepEqual(encodeValue({ a: [new Date(0), { p: new Pointer('B', '2') }], n: null, s: 'x' }, { fileURL }), {
      a: [
        { __type: 'Date', iso: '1970-01-01T00:00:00.000Z' },
        { p: { __type: 'Pointer', className: 'B', objectId: '2' } },
      ],
      n: null,
      s: 'x',
    });
  });

  it('encodes embedded objects with their fields, timestamps as plain strings', () => {
    const embedded = new EmbeddedObject('Post', 'p1', {
      createdAt: new Date(0),
      updatedAt: new Date(1000),
      when: new Date(0),
      author: new Pointer('_User', 'u1'),
      inner: new EmbeddedObject('_User', 'u1', { name: 'ann' }),
    });
    assert.deepEqual(encodeValue(embedded, { fileURL }), {
      __type: 'Object',
      className: 'Post',
      objectId: 'p1',
      createdAt: '1970-01-01T00:00:00.000Z',
      updatedAt: '1970-01-01T00:00:01.000Z',
      when: { __type: 'Date', iso: '1970-01-01T00:00:00.000Z' },
      author: { __type: 'Pointer', className: '_User', objectId: 'u1' },
      inner: { __type: 'Object', className: '_User', objectId: 'u1', name: 'ann' },
    });
  });

  it('round-trips decode → encode', () => {
    const json = {
      d: { __type: 'Date', iso: '2024-05-01T10:00:00.000Z' },
      p: { __type: 'Pointer', className: 'A', objectId: '1' },
      g: { __type: 'GeoPoint', latitude: 10, longitude: 20 },
      list: [1, 'two', { three: 3 }],
    };
    assert.deepEqual(encodeValue(decodeValue(json), { fileURL }), json);
  });

  it('never sets a prototype from stored keys', () => {
    const stored = JSON.parse('{"__proto__":{"x":1}}') as Record<string, never>;
    const encoded = encodeValue(stored, { fileURL }) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(encoded), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(encoded, '__proto__')?.value, { x: 1 });
  });
});
