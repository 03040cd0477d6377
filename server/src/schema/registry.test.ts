import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ErrorCode } from '../errors/index.js';
import { DEFAULTS, MemorySchemaStore, rejects, setup } from './memory-schema-store.test-util.js';
import { SchemaRegistry } from './registry.js';

// The registry's reads, its reload on a miss, field additions by writes and its transaction view; the /schemas
// writes and the field limit are in registry-schemas.test.ts.
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
