import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ErrorCode } from '../errors/index.js';
import { DEFAULTS, MemorySchemaStore, rejects, setup } from './memory-schema-store.test-util.js';
import { SchemaRegistry } from './registry.js';
import type { ClassSchema } from './types.js';

// The registry's /schemas writes (createClass, updateClass, deleteClass) and its field limit.
describe('SchemaRegistry /schemas writes', () => {
  let store: MemorySchemaStore;
  let registry: SchemaRegistry;
  let changes: string[];
  beforeEach(() => ({ store, registry, changes } = setup()));

  async function createGameScore(): Promise<ClassSchema> {
    return registry.createClass({
      className: 'GameScore',
      fields: {
        score: { type: 'Number', required: true, defaultValue: 0 },
        player: { type: 'Pointer', targetClass: '_User' },
      },
      classLevelPermissions: { find: { '*': true }, get: { '*': true } },
      indexes: { score_1: { score: 1 } },
    });
  }

  it('createClass stores defaults, fields, CLP and indexes', async () => {
    const schema = await createGameScore();
    assert.deepEqual(schema, {
      className: 'GameScore',
      fields: {
        ...DEFAULTS,
        score: { type: 'Number', required: true, defaultValue: 0 },
        player: { type: 'Pointer', targetClass: '_User' },
      },
      classLevelPermissions: { find: { '*': true }, get: { '*': true } },
      indexes: { score_1: { score: 1 } },
    });
    assert.deepEqual(store.classes.get('GameScore'), schema);
    assert.deepEqual(store.calls, ['loadSchemas', 'createClass GameScore', 'createIndex GameScore score_1']);
    assert.deepEqual(changes, ['GameScore']);
    assert.equal(await registry.get('GameScore'), schema);
  });

  const createErrors: [string, Parameters<SchemaRegistry['createClass']>[0], number, string][] = [
    [
      'an invalid class name',
      { className: '_Secret' },
      ErrorCode.INVALID_CLASS_NAME,
      'Invalid classname: _Secret, classnames can only have alphanumeric characters and _, and must start with an alpha character ',
    ],
    [
      'a volatile class',
      { className: '_PushStatus' },
      ErrorCode.INVALID_CLASS_NAME,
      'Class _PushStatus already exists.',
    ],
    [
      'an invalid field name',
      { className: 'A', fields: { 'x.y': { type: 'String' } } },
      ErrorCode.INVALID_KEY_NAME,
      'Invalid field name: x.y.',
    ],
    [
      'a default field',
      { className: '_User', fields: { email: { type: 'String' } } },
      ErrorCode.CHANGED_IMMUTABLE_FIELD,
      'Field email cannot be changed.',
    ],
    [
      'two GeoPoints',
      { className: 'A', fields: { a: { type: 'GeoPoint' }, b: { type: 'GeoPoint' } } },
      ErrorCode.INCORRECT_TYPE,
      'currently, only one GeoPoint field may exist in an object. Adding b when a already exists.',
    ],
    [
      'a bad CLP',
      { className: 'A', classLevelPermissions: { fly: {} } },
      ErrorCode.INVALID_JSON,
      'fly is not a valid operation for class level permissions',
    ],
    [
      'an index on a missing field',
      { className: 'A', indexes: { i: { nope: 1 } } },
      ErrorCode.INVALID_QUERY,
      'Field nope does not exist, cannot add index.',
    ],
  ];
  for (const [name, request, code, message] of createErrors) {
    it(`createClass refuses ${name} with ${code}`, async () => {
      await rejects(registry.createClass(request), code, message);
      assert.deepEqual(store.calls, ['loadSchemas']);
      assert.deepEqual(changes, []);
    });
  }

  it('createClass refuses an existing class with 103', async () => {
    await createGameScore();
    await rejects(
      registry.createClass({ className: 'GameScore' }),
      ErrorCode.INVALID_CLASS_NAME,
      'Class GameScore already exists.',
    );
  });

  it("createClass accepts an index on a pointer's storage key", async () => {
    const schema = await registry.createClass({
      className: 'A',
      fields: { owner: { type: 'Pointer', targetClass: '_User' } },
      indexes: { owner_1: { _p_owner: 1 } },
    });
    assert.deepEqual(schema.indexes, { owner_1: { _p_owner: 1 } });
  });

  it('updateClass adds and deletes fields, replaces the CLP, adds and drops indexes', async () => {
    await createGameScore();
    store.calls.length = 0;
    const schema = await registry.updateClass({
      className: 'GameScore',
      fields: { player: { __op: 'Delete' }, level: { type: 'String' }, score: { type: 'Number' } },
      classLevelPermissions: { find: { 'role:Admin': true } },
      indexes: { score_1: { __op: 'Delete' }, level_1: { level: -1 } },
    });
    assert.deepEqual(schema, {
      className: 'GameScore',
      fields: { ...DEFAULTS, score: { type: 'Number', required: true, defaultValue: 0 }, level: { type: 'String' } },
      classLevelPermissions: { find: { 'role:Admin': true } },
      indexes: { level_1: { level: -1 } },
    });
    assert.deepEqual(store.calls, [
      'deleteFields GameScore player',
      'addFields GameScore level',
      'setClassLevelPermissions GameScore',
      'dropIndex GameScore score_1',
      'createIndex GameScore level_1',
    ]);
    assert.deepEqual(store.classes.get('GameScore'), schema);
    assert.equal(await registry.get('GameScore'), schema);
    assert.deepEqual(changes, ['GameScore', 'GameScore']);
  });

  it('updateClass keeps the stored CLP when none is given', async () => {
    await createGameScore();
    const schema = await registry.updateClass({ className: 'GameScore', fields: { x: { type: 'String' } } });
    assert.deepEqual(schema.classLevelPermissions, { find: { '*': true }, get: { '*': true } });
  });

  const updateErrors: [string, Parameters<SchemaRegistry['updateClass']>[0], number, string][] = [
    ['a missing class', { className: 'Nope' }, ErrorCode.INVALID_CLASS_NAME, 'Class Nope does not exist.'],
    ['a volatile class', { className: '_Audience' }, ErrorCode.INVALID_CLASS_NAME, 'Class _Audience does not exist.'],
    [
      'deleting a default field',
      { className: 'GameScore', fields: { createdAt: { __op: 'Delete' } } },
      ErrorCode.CHANGED_IMMUTABLE_FIELD,
      'Field createdAt cannot be changed.',
    ],
    [
      'deleting a missing field',
      { className: 'GameScore', fields: { nope: { __op: 'Delete' } } },
      ErrorCode.INVALID_SCHEMA_OPERATION,
      'Field nope does not exist, cannot delete.',
    ],
    [
      'changing a type',
      { className: 'GameScore', fields: { score: { type: 'String' } } },
      ErrorCode.INVALID_SCHEMA_OPERATION,
      'Field score exists, cannot update.',
    ],
    [
      'changing a pointer target',
      { className: 'GameScore', fields: { player: { type: 'Pointer', targetClass: 'Team' } } },
      ErrorCode.INVALID_SCHEMA_OPERATION,
      'Field player exists, cannot update.',
    ],
    [
      'an invalid field name',
      { className: 'GameScore', fields: { $x: { type: 'String' } } },
      ErrorCode.INVALID_KEY_NAME,
      'Invalid field name: $x.',
    ],
    [
      'a second GeoPoint',
      { className: 'GameScore', fields: { a: { type: 'GeoPoint' }, b: { type: 'GeoPoint' } } },
      ErrorCode.INCORRECT_TYPE,
      'currently, only one GeoPoint field may exist in an object. Adding b when a already exists.',
    ],
    [
      'a bad CLP',
      { className: 'GameScore', classLevelPermissions: { get: { '*': 1 } as unknown as Record<string, boolean> } },
      ErrorCode.INVALID_JSON,
      "'1' is not a valid value for class level permissions get:*:1",
    ],
    [
      'a CLP naming a deleted pointer field',
      {
        className: 'GameScore',
        fields: { player: { __op: 'Delete' } },
        classLevelPermissions: { readUserFields: ['player'] },
      },
      ErrorCode.INVALID_JSON,
      "'player' is not a valid column for class level pointer permissions readUserFields",
    ],
    [
      'an existing index name',
      { className: 'GameScore', indexes: { score_1: { score: -1 } } },
      ErrorCode.INVALID_QUERY,
      'Index score_1 exists, cannot update.',
    ],
    [
      'an index on a missing field',
      { className: 'GameScore', indexes: { i: { nope: 1 } } },
      ErrorCode.INVALID_QUERY,
      'Field nope does not exist, cannot add index.',
    ],
    [
      'dropping a missing index',
      { className: 'GameScore', indexes: { nope: { __op: 'Delete' } } },
      ErrorCode.INVALID_QUERY,
      'Index nope does not exist, cannot delete.',
    ],
  ];
  for (const [name, request, code, message] of updateErrors) {
    it(`updateClass refuses ${name} with ${code}, writing nothing`, async () => {
      await createGameScore();
      store.calls.length = 0;
      const before = store.classes.get('GameScore');
      await rejects(registry.updateClass(request), code, message);
      assert.deepEqual(store.calls, []);
      assert.equal(store.classes.get('GameScore'), before);
    });
  }

  it('a GeoPoint may replace a deleted one in the same request', async () => {
    await registry.createClass({ className: 'A', fields: { a: { type: 'GeoPoint' } } });
    const schema = await registry.updateClass({
      className: 'A',
      fields: { a: { __op: 'Delete' }, b: { type: 'GeoPoint' } },
    });
    assert.deepEqual(Object.keys(schema.fields), [...Object.keys(DEFAULTS), 'b']);
  });

  it('deleteClass drops the class and tells other servers', async () => {
    await createGameScore();
    await registry.deleteClass('GameScore');
    assert.equal(await registry.get('GameScore'), undefined);
    assert.deepEqual(await registry.getAll(), []);
    assert.equal(store.classes.has('GameScore'), false);
    assert.deepEqual(changes, ['GameScore', 'GameScore']);
    await rejects(registry.deleteClass('GameScore'), ErrorCode.INVALID_CLASS_NAME, 'Class GameScore does not exist.');
    await rejects(registry.deleteClass('_Hooks'), ErrorCode.INVALID_CLASS_NAME, 'Class _Hooks does not exist.');
  });

  it('writes after invalidate() land in the next load, not in a stale cache', async () => {
    await createGameScore();
    registry.invalidate();
    await registry.updateClass({ className: 'GameScore', fields: { extra: { type: 'Boolean' } } });
    assert.deepEqual((await registry.get('GameScore'))?.fields['extra'], { type: 'Boolean' });
  });
});

describe('SchemaRegistry field limit (maxFields)', () => {
  it('refuses a write or schema change adding fields past the limit with 255, changing nothing', async () => {
    const store = new MemorySchemaStore();
    const registry = new SchemaRegistry({ store, maxFields: 6 });
    await registry.ensureFields({ className: 'Post', fields: { a: { type: 'String' }, b: { type: 'String' } } });
    const before = structuredClone(store.classes.get('Post'));
    await rejects(
      registry.ensureFields({ className: 'Post', fields: { c: { type: 'String' } } }),
      ErrorCode.INVALID_SCHEMA_OPERATION,
    );
    await rejects(
      registry.updateClass({ className: 'Post', fields: { c: { type: 'Number' } } }),
      ErrorCode.INVALID_SCHEMA_OPERATION,
    );
    await rejects(
      registry.createClass({
        className: 'Wide',
        fields: { a: { type: 'String' }, b: { type: 'String' }, c: { type: 'String' } },
      }),
      ErrorCode.INVALID_SCHEMA_OPERATION,
    );
    await rejects(
      registry.ensureFields({
        className: 'Huge',
        fields: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, { type: 'Number' as const }])),
      }),
      ErrorCode.INVALID_SCHEMA_OPERATION,
    );
    assert.deepEqual(store.classes.get('Post'), before);
    assert.equal(store.classes.has('Wide'), false);
    assert.equal(store.classes.has('Huge'), false);
    // The class stays usable: writes to existing fields, and deleting fields.
    assert.ok(await registry.ensureFields({ className: 'Post', fields: { a: { type: 'String' } } }));
    const shrunk = await registry.updateClass({ className: 'Post', fields: { b: { __op: 'Delete' } } });
    assert.equal(shrunk.fields['b'], undefined);
    assert.ok((await registry.ensureFields({ className: 'Post', fields: { c: { type: 'String' } } })).fields['c']);
  });
});
