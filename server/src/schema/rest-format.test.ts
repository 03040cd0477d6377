import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../errors/index.js';
import {
  createRequestFromJSON,
  fieldFromJSON,
  indexFromJSON,
  schemaToJSON,
  updateRequestFromJSON,
} from './rest-format.js';
import type { ClassSchema } from './types.js';
import { ParseFile, Pointer } from './values.js';

const encode = { fileURL: (name: string) => `http://localhost/files/app/${name}` };

describe('schemaToJSON', () => {
  it('shows field options, REST JSON defaults, the public CLP and indexes', () => {
    const schema: ClassSchema = {
      className: 'GameScore',
      fields: {
        objectId: { type: 'String' },
        createdAt: { type: 'Date' },
        updatedAt: { type: 'Date' },
        ACL: { type: 'ACL' },
        score: { type: 'Number', required: true, defaultValue: 0 },
        since: { type: 'Date', defaultValue: new Date('2024-05-01T10:00:00.000Z') },
        pic: { type: 'File', defaultValue: new ParseFile('a.png') },
        player: { type: 'Pointer', targetClass: '_User', required: false },
        fans: { type: 'Relation', targetClass: '_User' },
      },
      indexes: { _id_: { _id: 1 }, score_1: { score: 1 } },
    };
    assert.deepEqual(schemaToJSON({ schema, encode }), {
      className: 'GameScore',
      fields: {
        objectId: { type: 'String' },
        createdAt: { type: 'Date' },
        updatedAt: { type: 'Date' },
        ACL: { type: 'ACL' },
        score: { type: 'Number', required: true, defaultValue: 0 },
        since: { type: 'Date', defaultValue: { __type: 'Date', iso: '2024-05-01T10:00:00.000Z' } },
        pic: { type: 'File', defaultValue: { __type: 'File', name: 'a.png', url: 'http://localhost/files/app/a.png' } },
        player: { type: 'Pointer', targetClass: '_User', required: false },
        fans: { type: 'Relation', targetClass: '_User' },
      },
      classLevelPermissions: {
        find: { '*': true },
        count: { '*': true },
        get: { '*': true },
        create: { '*': true },
        update: { '*': true },
        delete: { '*': true },
        addField: { '*': true },
        protectedFields: { '*': [] },
        ACL: { '*': { read: true, write: true } },
      },
      indexes: { _id_: { _id: 1 }, score_1: { score: 1 } },
    });
  });

  it('reads a stored CLP back with missing operations as {}; indexes list only _id_ when none are stored', () => {
    const json = schemaToJSON({
      schema: { className: 'A', fields: {}, classLevelPermissions: { get: { 'role:Admin': true } } },
      encode,
    });
    assert.deepEqual(json, {
      className: 'A',
      fields: {},
      classLevelPermissions: {
        find: {},
        count: {},
        get: { 'role:Admin': true },
        create: {},
        update: {},
        delete: {},
        addField: {},
        protectedFields: {},
      },
      indexes: { _id_: { _id: 1 } },
    });
  });
});

describe('fieldFromJSON', () => {
  const parse = (json: unknown) => fieldFromJSON({ className: 'GameScore', fieldName: 'f', json });

  it('parses every declarable type and its options', () => {
    assert.deepEqual(parse({ type: 'Number', required: true, defaultValue: 0 }), {
      type: 'Number',
      required: true,
      defaultValue: 0,
    });
    assert.deepEqual(parse({ type: 'Date', defaultValue: { __type: 'Date', iso: '2024-05-01T10:00:00.000Z' } }), {
      type: 'Date',
      defaultValue: new Date('2024-05-01T10:00:00.000Z'),
    });
    assert.deepEqual(
      parse({
        type: 'Pointer',
        targetClass: '_User',
        defaultValue: { __type: 'Pointer', className: '_User', objectId: 'u1' },
      }),
      { type: 'Pointer', targetClass: '_User', defaultValue: new Pointer('_User', 'u1') },
    );
    assert.deepEqual(parse({ type: 'Relation', targetClass: 'Post', required: false }), {
      type: 'Relation',
      targetClass: 'Post',
      required: false,
    });
    for (const type of ['String', 'Boolean', 'Object', 'Array', 'GeoPoint', 'File', 'Bytes', 'Polygon']) {
      assert.deepEqual(parse({ type }), { type });
    }
  });

  const errors: [string, unknown, number, string][] = [
    ['unknown type', { type: 'Money' }, ErrorCode.INCORRECT_TYPE, 'invalid field type: Money'],
    ['ACL type', { type: 'ACL' }, ErrorCode.INCORRECT_TYPE, 'invalid field type: ACL'],
    ['Pointer without class', { type: 'Pointer' }, ErrorCode.MISSING_REQUIRED_FIELD, 'type Pointer needs a class name'],
    [
      'Relation without class',
      { type: 'Relation' },
      ErrorCode.MISSING_REQUIRED_FIELD,
      'type Relation needs a class name',
    ],
    [
      'bad target class',
      { type: 'Pointer', targetClass: '9x' },
      ErrorCode.INVALID_CLASS_NAME,
      'Invalid classname: 9x, classnames can only have alphanumeric characters and _, and must start with an alpha character ',
    ],
    [
      'wrong default type',
      { type: 'Number', defaultValue: 'x' },
      ErrorCode.INCORRECT_TYPE,
      'schema mismatch for GameScore.f default value; expected Number but got String',
    ],
    [
      'wrong default pointer class',
      { type: 'Pointer', targetClass: '_User', defaultValue: { __type: 'Pointer', className: 'Team', objectId: 't' } },
      ErrorCode.INCORRECT_TYPE,
      'schema mismatch for GameScore.f default value; expected Pointer<_User> but got Pointer<Team>',
    ],
    [
      'default on a Relation',
      { type: 'Relation', targetClass: 'Post', defaultValue: [] },
      ErrorCode.INCORRECT_TYPE,
      "The 'default value' option is not applicable for Relation<Post>",
    ],
    [
      'required Relation',
      { type: 'Relation', targetClass: 'Post', required: true },
      ErrorCode.INCORRECT_TYPE,
      "The 'required' option is not applicable for Relation<Post>",
    ],
    ['non-object', 'String', ErrorCode.INVALID_JSON, 'The definition of field f must be an object'],
    ['non-string type', { type: 5 }, ErrorCode.INVALID_JSON, 'A field type must be a string'],
    [
      'non-boolean required',
      { type: 'String', required: 'yes' },
      ErrorCode.INVALID_JSON,
      "The 'required' option of field f must be a boolean",
    ],
  ];
  for (const [name, json, code, message] of errors) {
    it(`refuses ${name} with ${code}`, () => assert.throws(() => parse(json), { code, message }));
  }
});

describe('request bodies', () => {
  it('takes the class name from the path or the body', () => {
    assert.deepEqual(createRequestFromJSON({ body: { className: 'A' } }), { className: 'A' });
    assert.deepEqual(createRequestFromJSON({ className: 'A', body: {} }), { className: 'A' });
    assert.deepEqual(createRequestFromJSON({ className: 'A', body: undefined }), { className: 'A' });
  });

  it('refuses a path/body mismatch with 103 and a missing name with 135', () => {
    assert.throws(() => createRequestFromJSON({ className: 'A', body: { className: 'B' } }), {
      code: ErrorCode.INVALID_CLASS_NAME,
      message: 'Class name mismatch between B and A.',
    });
    assert.throws(() => updateRequestFromJSON({ className: 'A', body: { className: 'B' } }), {
      code: ErrorCode.INVALID_CLASS_NAME,
    });
    assert.throws(() => createRequestFromJSON({ body: {} }), { code: ErrorCode.MISSING_REQUIRED_FIELD });
  });

  it('parses a full POST body', () => {
    const request = createRequestFromJSON({
      body: {
        className: 'GameScore',
        fields: { score: { type: 'Number' }, player: { type: 'Pointer', targetClass: '_User' } },
        classLevelPermissions: { find: { '*': true } },
        indexes: { score_1: { score: 1 }, player_idx: { _p_player: -1 } },
      },
    });
    assert.deepEqual(request, {
      className: 'GameScore',
      fields: { score: { type: 'Number' }, player: { type: 'Pointer', targetClass: '_User' } },
      classLevelPermissions: { find: { '*': true } },
      indexes: { score_1: { score: 1 }, player_idx: { _p_player: -1 } },
    });
  });

  it('refuses bad field names (105) and default fields (136) in a POST', () => {
    assert.throws(() => createRequestFromJSON({ body: { className: 'A', fields: { 'a.b': { type: 'String' } } } }), {
      code: ErrorCode.INVALID_KEY_NAME,
      message: 'Invalid field name: a.b.',
    });
    assert.throws(() => createRequestFromJSON({ body: { className: 'A', fields: { objectId: { type: 'String' } } } }), {
      code: ErrorCode.CHANGED_IMMUTABLE_FIELD,
    });
    assert.throws(() => createRequestFromJSON({ body: { className: 'A', fields: [] } }), {
      code: ErrorCode.INVALID_JSON,
    });
  });

  it('parses deletes in a PUT body', () => {
    assert.deepEqual(
      updateRequestFromJSON({
        className: 'A',
        body: {
          fields: { old: { __op: 'Delete' }, added: { type: 'String' } },
          indexes: { gone: { __op: 'Delete' }, fresh: { added: 'text' } },
        },
      }),
      {
        className: 'A',
        fields: { old: { __op: 'Delete' }, added: { type: 'String' } },
        indexes: { gone: { __op: 'Delete' }, fresh: { added: 'text' } },
      },
    );
  });

  it('refuses malformed index specs with 102', () => {
    assert.throws(() => indexFromJSON({ name: 'i', json: {} }), { code: ErrorCode.INVALID_QUERY });
    assert.throws(() => indexFromJSON({ name: 'i', json: { a: 2 } }), {
      code: ErrorCode.INVALID_QUERY,
      message: 'Index i has an invalid type for a.',
    });
    assert.deepEqual(indexFromJSON({ name: 'i', json: { a: '2dsphere' } }), { a: '2dsphere' });
  });
});
