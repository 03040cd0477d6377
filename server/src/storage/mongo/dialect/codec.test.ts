import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, Decimal128, Long, ObjectId } from 'mongodb';
import { Bytes, Polygon } from '../../../schema/index.js';
import { GAME_SCORE } from '../test-schemas.js';
import { decodeACL, encodeACL } from './acl.js';
import { decodeSchema, encodeSchema } from './schema-document.js';
import { decodeInterior, decodeTopLevel, encodeTopLevel } from './values.js';

describe('mongo dialect: value codec without a server', () => {
  it('row 13: Polygon → GeoJSON with swapped axes and a closed ring, read back with the closing point', () => {
    const stored = encodeTopLevel(
      'area',
      new Polygon([
        [0, 0],
        [0, 1],
        [1, 1],
      ]),
    );
    assert.deepEqual(stored, {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    });
    const read = decodeTopLevel(stored, { type: 'Polygon' });
    assert.ok(read instanceof Polygon);
    assert.deepEqual(read.coordinates, [
      [0, 0],
      [0, 1],
      [1, 1],
      [0, 0],
    ]);
  });

  it('an already closed ring is not closed twice', () => {
    const stored = encodeTopLevel(
      'area',
      new Polygon([
        [0, 0],
        [0, 1],
        [1, 1],
        [0, 0],
      ]),
    );
    assert.deepEqual(stored, {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    });
  });

  it('reads BSON wrappers as plain values (Long, Decimal128, ObjectId, Binary)', () => {
    assert.deepEqual(
      decodeInterior({
        long: Long.fromNumber(3_000_000_000),
        decimal: Decimal128.fromString('1.5'),
        id: new ObjectId('5f0000000000000000000001'),
        bin: new Binary(Buffer.from('hello'), 0),
      }),
      { long: 3_000_000_000, decimal: 1.5, id: '5f0000000000000000000001', bin: new Bytes('aGVsbG8=') },
    );
  });

  it("tolerates parse-server's mangled nested Bytes", () => {
    assert.deepEqual(decodeInterior({ buffer: { 0: 104, 1: 105 }, sub_type: 0, position: 2 }), new Bytes('aGk='));
  });
});

describe('mongo dialect: ACL (rows 18, 19)', () => {
  it('row 18', () => {
    const stored = encodeACL({ '*': { read: true }, u1: { read: true, write: true }, 'role:Admin': { write: true } });
    assert.deepEqual(stored, {
      _rperm: ['*', 'u1'],
      _wperm: ['u1', 'role:Admin'],
      _acl: { u1: { w: true, r: true }, 'role:Admin': { w: true }, '*': { r: true } },
    });
    assert.deepEqual(Object.keys(stored._acl), ['u1', 'role:Admin', '*']);
    assert.deepEqual(decodeACL(stored), {
      '*': { read: true },
      u1: { read: true, write: true },
      'role:Admin': { write: true },
    });
  });

  it('row 19: {} is master-only and reads back as {}', () => {
    assert.deepEqual(encodeACL({}), { _rperm: [], _wperm: [], _acl: {} });
    assert.deepEqual(decodeACL({ _rperm: [], _wperm: [] }), {});
  });

  it('_acl alone is public; one array alone means the other is empty', () => {
    const aclOnly: Record<string, unknown> = { _acl: { u1: { r: true } } };
    assert.equal(decodeACL(aclOnly), undefined);
    assert.deepEqual(decodeACL({ _rperm: ['u1'] }), { u1: { read: true } });
  });
});

describe('mongo dialect: _SCHEMA documents (§3.1)', () => {
  it('writes type strings, never ACL or default fields beyond the three strings', () => {
    const document = encodeSchema({
      ...GAME_SCORE,
      fields: { ...GAME_SCORE.fields, score: { type: 'Number', required: true, defaultValue: 0 } },
      classLevelPermissions: { find: { '*': true }, delete: {} },
      indexes: { _id_: { _id: 1 }, score_idx: { score: -1 } },
    });
    assert.deepEqual(document, {
      _id: 'GameScore',
      objectId: 'string',
      updatedAt: 'date',
      createdAt: 'date',
      score: 'number',
      big: 'number',
      playerName: 'string',
      cheatMode: 'boolean',
      owner: '*_User',
      tags: 'array',
      meta: 'object',
      when: 'date',
      loc: 'geopoint',
      area: 'polygon',
      pic: 'file',
      data: 'bytes',
      likes: 'relation<_User>',
      expiresAt: 'string',
      _metadata: {
        class_permissions: { find: { '*': true }, delete: {} },
        indexes: { score_idx: { score: -1 } },
        fields_options: { score: { required: true, defaultValue: 0 } },
      },
    });
  });

  it('reads parse-server documents, legacy `map` and upsert-made documents included', () => {
    const schema = decodeSchema({
      _id: 'Legacy',
      owner: '*_User',
      settings: 'map',
      when: 'date',
      _client_permissions: {},
      _metadata: { fields_options: { when: { defaultValue: { __type: 'Date', iso: '2024-05-01T10:00:00.000Z' } } } },
    });
    assert.deepEqual(schema, {
      className: 'Legacy',
      fields: {
        objectId: { type: 'String' },
        createdAt: { type: 'Date' },
        updatedAt: { type: 'Date' },
        ACL: { type: 'ACL' },
        owner: { type: 'Pointer', targetClass: '_User' },
        settings: { type: 'Object' },
        when: { type: 'Date', defaultValue: new Date('2024-05-01T10:00:00.000Z') },
      },
    });
  });
});
