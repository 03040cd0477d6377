import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ErrorCode, ParseError } from '../errors/index.js';
import { SchemaRegistry } from './registry.js';
import type { IndexOptions, SchemaStore } from './schema-store.js';
import type { ClassLevelPermissions, ClassSchema, FieldDefinition, IndexSpec } from './types.js';

/**
 * An in-memory SchemaStore that keeps the interface's promises (103 on an existing class, 111 when a
 * field exists with another type, class created by addFields when missing). The schema layer may not
 * import storage, so the real SQLite and MongoDB stores are covered by the storage conformance suite.
 * Several registries sharing one store play several app servers sharing one database.
 */
class MemorySchemaStore implements SchemaStore {
  classes = new Map<string, ClassSchema>();
  readonly calls: string[] = [];
  /** While set, loadSchemas waits for it (to hold a load in flight). */
  gate: Promise<void> | undefined;
  failNextLoad = false;

  async loadSchemas(): Promise<ClassSchema[]> {
    this.calls.push('loadSchemas');
    if (this.gate !== undefined) await this.gate;
    if (this.failNextLoad) {
      this.failNextLoad = false;
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'Database error' });
    }
    return [...this.classes.values()].map((schema) => structuredClone(schema));
  }

  async createClass(schema: ClassSchema): Promise<void> {
    this.calls.push(`createClass ${schema.className}`);
    await Promise.resolve();
    if (this.classes.has(schema.className)) {
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${schema.className} already exists.` });
    }
    this.classes.set(schema.className, structuredClone(schema));
  }

  async addFields(options: { className: string; fields: Readonly<Record<string, FieldDefinition>> }): Promise<void> {
    this.calls.push(`addFields ${options.className} ${Object.keys(options.fields).join(',')}`);
    await Promise.resolve();
    const current = this.classes.get(options.className) ?? { className: options.className, fields: {} };
    const fields = { ...current.fields };
    for (const [name, definition] of Object.entries(options.fields)) {
      const existing = fields[name];
      if (existing !== undefined) {
        const sameTarget =
          !('targetClass' in existing) ||
          !('targetClass' in definition) ||
          existing.targetClass === definition.targetClass;
        if (existing.type !== definition.type || !sameTarget) {
          throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: `Field ${name} already has another type.` });
        }
        continue;
      }
      fields[name] = definition;
    }
    this.classes.set(options.className, { ...current, fields });
  }

  async deleteFields(options: { schema: ClassSchema; fieldNames: readonly string[] }): Promise<void> {
    this.calls.push(`deleteFields ${options.schema.className} ${options.fieldNames.join(',')}`);
    const current = this.#mustGet(options.schema.className);
    const fields = { ...current.fields };
    for (const name of options.fieldNames) delete fields[name];
    this.classes.set(current.className, { ...current, fields });
  }

  async setClassLevelPermissions(options: {
    className: string;
    classLevelPermissions: ClassLevelPermissions;
  }): Promise<void> {
    this.calls.push(`setClassLevelPermissions ${options.className}`);
    const current = this.#mustGet(options.className);
    this.classes.set(current.className, { ...current, classLevelPermissions: options.classLevelPermissions });
  }

  async createIndex(options: {
    schema: ClassSchema;
    name: string;
    spec: IndexSpec;
    options?: IndexOptions;
  }): Promise<void> {
    this.calls.push(`createIndex ${options.schema.className} ${options.name}`);
    const current = this.#mustGet(options.schema.className);
    this.classes.set(current.className, { ...current, indexes: { ...current.indexes, [options.name]: options.spec } });
  }

  async dropIndex(options: { className: string; name: string }): Promise<void> {
    this.calls.push(`dropIndex ${options.className} ${options.name}`);
    const current = this.#mustGet(options.className);
    const indexes = { ...current.indexes };
    delete indexes[options.name];
    this.classes.set(current.className, { ...current, indexes });
  }

  async deleteClass(options: { schema: ClassSchema }): Promise<void> {
    this.calls.push(`deleteClass ${options.schema.className}`);
    this.classes.delete(options.schema.className);
  }

  #mustGet(className: string): ClassSchema {
    const schema = this.classes.get(className);
    if (schema === undefined)
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${className} does not exist.` });
    return schema;
  }
}

const DEFAULTS = {
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
} as const;

function setup(): { store: MemorySchemaStore; registry: SchemaRegistry; changes: string[] } {
  const store = new MemorySchemaStore();
  const changes: string[] = [];
  const registry = new SchemaRegistry({ store, onChange: (className) => changes.push(className) });
  return { store, registry, changes };
}

async function rejects(promise: Promise<unknown>, code: number, message?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ParseError, String(err));
    assert.equal(err.code, code);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

describe('SchemaRegistry reads', () => {
  let store: MemorySchemaStore;
  let registry: SchemaRegistry;
  beforeEach(() => ({ store, registry } = setup()));

  it('loads once, shares the first load between concurrent callers, then serves the same settled promise', async () => {
    store.classes.set('Post', { className: 'Post', fields: { ...DEFAULTS, title: { type: 'String' } } });
    const [a, b, all] = await Promise.all([registry.get('Post'), registry.get('Nope'), registry.getAll()]);
    assert.deepEqual(store.calls, ['loadSchemas']);
    assert.deepEqual(a, { className: 'Post', fields: { ...DEFAULTS, title: { type: 'String' } } });
    assert.equal(b, undefined);
    assert.deepEqual(
      all.map((s) => s.className),
      ['Post'],
    );
    assert.equal(registry.get('Post'), registry.get('Post'));
    assert.equal(registry.get('Nope'), registry.get('Other'));
    assert.equal(registry.getAll(), registry.getAll());
    assert.equal(await registry.get('Post'), a);
    assert.deepEqual(store.calls, ['loadSchemas']);
  });

  it('merges system class defaults into stored schemas, defaults first with their built-in types', async () => {
    store.classes.set('_User', {
      className: '_User',
      fields: {
        objectId: { type: 'String' },
        createdAt: { type: 'String' },
        nick: { type: 'String' },
        username: { type: 'String', required: true },
      },
    });
    const user = await registry.get('_User');
    assert.deepEqual(user?.fields, {
      ...DEFAULTS,
      username: { type: 'String', required: true },
      password: { type: 'String' },
      email: { type: 'String' },
      emailVerified: { type: 'Boolean' },
      authData: { type: 'Object' },
      nick: { type: 'String' },
    });
    assert.deepEqual(Object.keys(user?.fields ?? {}).slice(0, 4), ['objectId', 'createdAt', 'updatedAt', 'ACL']);
  });

  it('serves volatile classes from their definition and does not list them', async () => {
    store.classes.set('_PushStatus', { className: '_PushStatus', fields: { weird: { type: 'String' } } });
    const push = await registry.get('_PushStatus');
    assert.equal(push?.fields['weird'], undefined);
    assert.deepEqual(push?.fields['numSent'], { type: 'Number' });
    assert.deepEqual(await registry.get('_GlobalConfig'), {
      className: '_GlobalConfig',
      fields: { ...DEFAULTS, params: { type: 'Object' }, masterKeyOnly: { type: 'Object' } },
    });
    assert.deepEqual(await registry.getAll(), []);
  });

  it("invalidate() makes the next read reload, so another server's change shows up", async () => {
    const other = new SchemaRegistry({ store });
    assert.equal(await registry.get('Post'), undefined);
    await other.ensureFields({ className: 'Post', fields: { title: { type: 'String' } } });
    assert.equal(await registry.get('Post'), undefined);
    registry.invalidate('Post');
    assert.deepEqual((await registry.get('Post'))?.fields['title'], { type: 'String' });
    assert.equal(store.calls.filter((c) => c === 'loadSchemas').length, 3);
  });

  it('a load that was in flight when invalidate() ran does not install its stale result', async () => {
    let open: () => void = () => undefined;
    store.gate = new Promise((resolve) => (open = resolve));
    const stale = registry.get('Post');
    registry.invalidate();
    store.classes.set('Post', { className: 'Post', fields: { ...DEFAULTS } });
    store.gate = undefined;
    open();
    assert.notEqual(await stale, undefined); // the store answered after the change; its caller gets it
    store.classes.delete('Post');
    // The in-flight result was not cached: this read loads again.
    assert.equal(await registry.get('Post'), undefined);
    assert.equal(store.calls.filter((c) => c === 'loadSchemas').length, 2);
  });

  it('does not cache a failed load', async () => {
    store.failNextLoad = true;
    await rejects(registry.get('Post'), ErrorCode.INTERNAL_SERVER_ERROR, 'Database error');
    assert.equal(await registry.get('Post'), undefined);
  });
});

describe('SchemaRegistry reloadOnMiss (servers sharing a store)', () => {
  const loads = (store: MemorySchemaStore): number => store.calls.filter((c) => c === 'loadSchemas').length;

  it("finds a class another server created before its announcement arrives; without the option it doesn't", async () => {
    const { store } = setup();
    const shared = new SchemaRegistry({ store, reloadOnMiss: true });
    const plain = new SchemaRegistry({ store });
    assert.equal(await shared.get('Post'), undefined);
    assert.equal(await plain.get('Post'), undefined);
    await new SchemaRegistry({ store }).ensureFields({ className: 'Post', fields: { title: { type: 'String' } } });
    // No invalidate(): the other server's pub/sub message has not arrived yet.
    assert.deepEqual((await shared.get('Post'))?.fields['title'], { type: 'String' });
    assert.equal(await plain.get('Post'), undefined);
    // The reloaded cache is kept: found again without another load.
    const before = loads(store);
    assert.notEqual(await shared.get('Post'), undefined);
    assert.equal(loads(store), before);
  });

  it('a missing class reloads at most once per second, and concurrent misses share one reload', async () => {
    const { store } = setup();
    const shared = new SchemaRegistry({ store, reloadOnMiss: true });
    await shared.getAll();
    assert.equal(loads(store), 1);
    const answers = await Promise.all([shared.get('Nope'), shared.get('Other'), shared.get('Nope')]);
    assert.deepEqual(answers, [undefined, undefined, undefined]);
    assert.equal(loads(store), 2); // 'Other' and the second 'Nope' joined the first 'Nope''s reload
    // Within the second: answered from the cache, no reload.
    assert.equal(await shared.get('Nope'), undefined);
    assert.equal(loads(store), 2);
  });

  it('concurrent misses go on in the order they came (the first write of a new class decides its types)', async () => {
    const { store } = setup();
    const shared = new SchemaRegistry({ store, reloadOnMiss: true });
    await shared.getAll();
    await shared.get('Batch'); // 'Batch' missed within the last second: alone, it would be answered at once
    const order: string[] = [];
    await Promise.all([
      shared.get('Other').then(() => order.push('Other')), // starts a reload
      shared.get('Batch').then(() => order.push('Batch')), // must wait behind it, not overtake it
    ]);
    assert.deepEqual(order, ['Other', 'Batch']);
  });
});

describe('SchemaRegistry.ensureFields', () => {
  let store: MemorySchemaStore;
  let registry: SchemaRegistry;
  let changes: string[];
  beforeEach(() => ({ store, registry, changes } = setup()));

  it('creates a new class with its default fields and the new ones', async () => {
    const schema = await registry.ensureFields({ className: 'Post', fields: { title: { type: 'String' } } });
    assert.deepEqual(schema, { className: 'Post', fields: { ...DEFAULTS, title: { type: 'String' } } });
    assert.deepEqual(store.classes.get('Post'), schema);
    assert.deepEqual(store.calls, ['loadSchemas', 'createClass Post']);
    assert.deepEqual(changes, ['Post']);
    assert.equal(await registry.get('Post'), schema);
  });

  it('creates a system class with all its defaults', async () => {
    await registry.ensureFields({ className: '_User', fields: {} });
    assert.deepEqual(Object.keys(store.classes.get('_User')?.fields ?? {}), [
      'objectId',
      'createdAt',
      'updatedAt',
      'ACL',
      'username',
      'password',
      'email',
      'emailVerified',
      'authData',
    ]);
  });

  it('adds only missing fields, and does nothing when all exist', async () => {
    await registry.ensureFields({ className: 'Post', fields: { title: { type: 'String' } } });
    const grown = await registry.ensureFields({
      className: 'Post',
      fields: { title: { type: 'String' }, views: { type: 'Number' } },
    });
    assert.deepEqual(grown.fields['views'], { type: 'Number' });
    const same = await registry.ensureFields({ className: 'Post', fields: { views: { type: 'Number' } } });
    assert.equal(same, grown);
    assert.deepEqual(store.calls, ['loadSchemas', 'createClass Post', 'addFields Post views']);
    assert.deepEqual(changes, ['Post', 'Post']);
  });

  it('throws 111 on a type mismatch and 105 on an invalid name, writing nothing', async () => {
    await registry.ensureFields({ className: 'Post', fields: { title: { type: 'String' } } });
    await rejects(
      registry.ensureFields({ className: 'Post', fields: { title: { type: 'Number' } } }),
      ErrorCode.INCORRECT_TYPE,
      'schema mismatch for Post.title; expected String but got Number',
    );
    await rejects(
      registry.ensureFields({ className: 'Post', fields: { 'a-b': { type: 'Number' } } }),
      ErrorCode.INVALID_KEY_NAME,
      'Invalid field name: a-b.',
    );
    assert.deepEqual(store.calls, ['loadSchemas', 'createClass Post']);
  });

  it('concurrent writes of the same new field add it once', async () => {
    await registry.ensureFields({ className: 'Post', fields: {} });
    const results = await Promise.all(
      [1, 2, 3].map(() => registry.ensureFields({ className: 'Post', fields: { tags: { type: 'Array' } } })),
    );
    for (const schema of results) assert.deepEqual(schema.fields['tags'], { type: 'Array' });
    assert.deepEqual(store.calls, ['loadSchemas', 'createClass Post', 'addFields Post tags']);
  });

  it('concurrent first writes to a new class create it once', async () => {
    await Promise.all([
      registry.ensureFields({ className: 'Post', fields: { a: { type: 'String' } } }),
      registry.ensureFields({ className: 'Post', fields: { b: { type: 'Number' } } }),
    ]);
    assert.deepEqual(store.calls, ['loadSchemas', 'createClass Post', 'addFields Post b']);
    assert.deepEqual(Object.keys((await registry.get('Post'))?.fields ?? {}), [...Object.keys(DEFAULTS), 'a', 'b']);
  });

  it('on a conflict from another server, reloads once and reports the real mismatch', async () => {
    await registry.ensureFields({ className: 'Post', fields: {} });
    const other = new SchemaRegistry({ store });
    await other.ensureFields({ className: 'Post', fields: { score: { type: 'Number' } } });
    await rejects(
      registry.ensureFields({ className: 'Post', fields: { score: { type: 'String' } } }),
      ErrorCode.INCORRECT_TYPE,
      'schema mismatch for Post.score; expected Number but got String',
    );
    assert.equal(store.calls.filter((c) => c === 'loadSchemas').length, 3);
  });

  it('when another server created the class first, reloads and adds what is still missing', async () => {
    assert.equal(await registry.get('Post'), undefined);
    const other = new SchemaRegistry({ store });
    await other.ensureFields({ className: 'Post', fields: { a: { type: 'String' } } });
    const schema = await registry.ensureFields({
      className: 'Post',
      fields: { a: { type: 'String' }, b: { type: 'Boolean' } },
    });
    assert.deepEqual(schema.fields['b'], { type: 'Boolean' });
    assert.deepEqual(store.classes.get('Post')?.fields['b'], { type: 'Boolean' });
  });

  it('when another server added the same field with the same type, succeeds without reloading', async () => {
    await registry.ensureFields({ className: 'Post', fields: {} });
    await new SchemaRegistry({ store }).ensureFields({ className: 'Post', fields: { a: { type: 'String' } } });
    const schema = await registry.ensureFields({ className: 'Post', fields: { a: { type: 'String' } } });
    assert.deepEqual(schema.fields['a'], { type: 'String' });
  });

  it('checks volatile classes against their definition without storing anything', async () => {
    const schema = await registry.ensureFields({
      className: '_JobStatus',
      fields: { status: { type: 'String' }, extra: { type: 'Number' } },
    });
    assert.equal(schema, await registry.get('_JobStatus'));
    await rejects(
      registry.ensureFields({ className: '_JobStatus', fields: { status: { type: 'Number' } } }),
      ErrorCode.INCORRECT_TYPE,
    );
    assert.deepEqual(store.calls, ['loadSchemas']);
  });
});

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

describe('SchemaRegistry.forTransaction', () => {
  it('never waits on a load the app registry has in flight, and writes through the given store', async () => {
    const { store, registry, changes } = setup();
    store.classes.set('Post', { className: 'Post', fields: { ...DEFAULTS, title: { type: 'String' } } });
    let release = (): void => undefined;
    store.gate = new Promise<void>((resolve) => (release = resolve));
    const appLoad = registry.get('Post'); // held by the gate, as a request waiting on a transaction would be
    const txStore = new MemorySchemaStore();
    txStore.classes = store.classes;
    const tx = registry.forTransaction(txStore);
    const added = await tx.registry.ensureFields({ className: 'Post', fields: { body: { type: 'String' } } });
    assert.deepEqual(added.fields['body'], { type: 'String' });
    assert.deepEqual(txStore.calls, ['loadSchemas', 'addFields Post body']);
    assert.deepEqual(changes, [], 'nothing is announced before the transaction ends');
    tx.settle();
    assert.deepEqual(changes, ['Post']);
    release();
    store.gate = undefined;
    await appLoad;
    assert.deepEqual((await registry.get('Post'))?.fields['body'], { type: 'String' });
  });

  it('starts from the loaded snapshot without touching the app store, and settles quietly when unchanged', async () => {
    const { store, registry, changes } = setup();
    store.classes.set('Post', { className: 'Post', fields: { ...DEFAULTS } });
    await registry.get('Post');
    const txStore = new MemorySchemaStore();
    const tx = registry.forTransaction(txStore);
    assert.ok(await tx.registry.get('Post'));
    assert.deepEqual(txStore.calls, []);
    tx.settle();
    assert.deepEqual(changes, []);
    assert.equal(registry.get('Post'), registry.get('Post'), 'the app cache was kept');
  });
});
