/**
 * What the adapter writes, read back raw with the driver: the storage-level rows of the round-trip
 * checklist in spec/mongo-layout.md §6 (1–27 value and op encodings, 35's join documents) and the
 * `_SCHEMA` documents.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, Double, Int32, MongoClient, ObjectId } from 'mongodb';
import type { Db, Document } from 'mongodb';
import { ParseError } from '../../errors/index.js';
import { Bytes, GeoPoint, ParseFile, Pointer } from '../../schema/index.js';
import type { ClassSchema, ParseObjectValue, ParseValue } from '../../schema/index.js';
import type { Condition } from '../../query/index.js';
import type { StorageAdapter, StoredObject, UpdateSpec } from '../adapter.js';
import { createMongoStorage } from './index.js';
import { describeWithMongo, uniqueDatabaseName, withDatabase } from '../../testing/mongo.test-util.js';
import { GAME_SCORE, ROLE, SESSION, USER, classSchema } from './test-schemas.js';

const T = new Date('2024-05-01T10:00:00.000Z');
const T2 = new Date('2024-05-02T10:00:00.000Z');
const byId = (objectId: string): Condition => ({ kind: 'eq', path: ['objectId'], value: objectId });

const NESTED_KEY_VALUES: ParseObjectValue[] = [{ 'a.b': 1 }, { x: { $y: 1 } }];

describeWithMongo('mongo storage layout (spec/mongo-layout.md §6)', (serverUri) => {
  const uri = withDatabase(serverUri, uniqueDatabaseName());
  let storage: StorageAdapter;
  let client: MongoClient;
  let db: Db;

  before(async () => {
    storage = createMongoStorage({ uri });
    client = new MongoClient(uri);
    db = client.db();
  });
  after(async () => {
    await db.dropDatabase();
    await client.close();
    await storage.close();
  });

  let counter = 0;
  async function insert(schema: ClassSchema, fields: Record<string, ParseValue>, extra: Partial<StoredObject> = {}) {
    const objectId = `obj${String(++counter).padStart(7, '0')}`;
    await storage.insert({ schema, object: { objectId, createdAt: T, updatedAt: T, fields, ...extra } });
    return objectId;
  }
  async function raw(
    className: string,
    objectId: string,
    options: { promoteValues?: boolean } = {},
  ): Promise<Document | null> {
    return db.collection(className).findOne({ _id: objectId as unknown as ObjectId }, options);
  }
  /** Updates one object at `T2` unless `change` says otherwise. */
  async function update(
    schema: ClassSchema,
    objectId: string,
    change: Pick<UpdateSpec, 'fields'> & Partial<UpdateSpec>,
  ) {
    const result = await storage.updateOne({
      schema,
      where: byId(objectId),
      update: { updatedAt: T2, ...change },
    });
    assert.notEqual(result, null);
    // The state after is computed in memory from the atomic read before: it must equal a fresh read.
    assert.deepStrictEqual(result?.after, (await storage.find({ schema, where: byId(objectId) }))[0]);
    return result?.after;
  }

  it('row 1: plain values, timestamps, no ACL keys', async () => {
    const id = await insert(GAME_SCORE, { score: 1337, playerName: 'Sean', cheatMode: false });
    assert.deepEqual(await raw('GameScore', id), {
      _id: id,
      score: 1337,
      playerName: 'Sean',
      cheatMode: false,
      _created_at: T,
      _updated_at: T,
    });
    const typed = await raw('GameScore', id, { promoteValues: false });
    assert.ok(typed?.['score'] instanceof Int32);
  });

  it('row 2: fractions and large integers are doubles', async () => {
    const id = await insert(GAME_SCORE, { score: 13.5, big: 3000000000 });
    const typed = await raw('GameScore', id, { promoteValues: false });
    assert.ok(typed?.['score'] instanceof Double);
    assert.ok(typed?.['big'] instanceof Double);
    assert.equal(typed?.['big'].valueOf(), 3000000000);
  });

  it('rows 3, 4: dates are ISODates and read back as dates', async () => {
    const id = await insert(GAME_SCORE, { when: T });
    const doc = await raw('GameScore', id);
    assert.ok(doc?.['when'] instanceof Date);
    assert.equal(doc['when'].toISOString(), '2024-05-01T10:00:00.000Z');
    const [read] = await storage.find({ schema: GAME_SCORE, where: byId(id) });
    assert.deepEqual(read, { objectId: id, createdAt: T, updatedAt: T, fields: { when: T } });
  });

  it('rows 5, 6: pointers are stored as _p_<field> = "Class$id"', async () => {
    const id = await insert(GAME_SCORE, { owner: new Pointer('_User', 'u1') });
    const doc = await raw('GameScore', id);
    assert.equal(doc?.['_p_owner'], '_User$u1');
    assert.equal('owner' in (doc ?? {}), false);
  });

  it('rows 7, 8: null pointer on create is the bare name; on update _p_; both omitted on read', async () => {
    const id = await insert(GAME_SCORE, { owner: null });
    assert.deepEqual(await raw('GameScore', id), { _id: id, owner: null, _created_at: T, _updated_at: T });
    const [created] = await storage.find({ schema: GAME_SCORE, where: byId(id) });
    assert.deepEqual(created?.fields, {});

    await update(GAME_SCORE, id, { fields: { owner: { op: 'set', value: new Pointer('_User', 'u2') } } });
    assert.deepEqual(await raw('GameScore', id), { _id: id, _p_owner: '_User$u2', _created_at: T, _updated_at: T2 });
    const nulled = await update(GAME_SCORE, id, { fields: { owner: { op: 'set', value: null } } });
    assert.deepEqual((await raw('GameScore', id))?.['_p_owner'], null);
    assert.deepEqual(nulled?.fields, {});
    await update(GAME_SCORE, id, { fields: { owner: { op: 'unset' } } });
    assert.deepEqual(await raw('GameScore', id), { _id: id, _created_at: T, _updated_at: T2 });
  });

  it('rows 9, 10, 35: relation edges in _Join:<field>:<Owner> with ObjectId _id, upserted once', async () => {
    const edge = { ownerClass: '_Role', field: 'users', owningId: 'r1', relatedId: 'u1' };
    await storage.addRelation(edge);
    await storage.addRelation(edge);
    await storage.addRelation({ ...edge, relatedId: 'u2' });
    const docs = await db
      .collection('_Join:users:_Role')
      .find({}, { sort: { relatedId: 1 } })
      .toArray();
    assert.equal(docs.length, 2);
    assert.ok(docs[0]?.['_id'] instanceof ObjectId);
    assert.deepEqual(
      docs.map(({ _id, ...rest }) => rest),
      [
        { relatedId: 'u1', owningId: 'r1' },
        { relatedId: 'u2', owningId: 'r1' },
      ],
    );
    await storage.removeRelation(edge);
    await storage.removeRelation(edge);
    assert.deepEqual(
      (await db.collection('_Join:users:_Role').find({}).toArray()).map((doc) => doc['relatedId']),
      ['u2'],
    );
    const roleId = await insert(ROLE, { name: 'Admin' }, { ACL: { '*': { read: true } } });
    assert.deepEqual(await raw('_Role', roleId), {
      _id: roleId,
      name: 'Admin',
      _rperm: ['*'],
      _wperm: [],
      _acl: { '*': { r: true } },
      _created_at: T,
      _updated_at: T,
    });
  });

  it('rows 11, 12, 14: File → name, GeoPoint → [lng, lat], Bytes → BinData', async () => {
    const id = await insert(GAME_SCORE, {
      pic: new ParseFile('3f9a_photo.jpg'),
      loc: new GeoPoint(40.5, -73.9),
      data: new Bytes('aGVsbG8='),
    });
    const doc = await raw('GameScore', id);
    assert.equal(doc?.['pic'], '3f9a_photo.jpg');
    assert.deepEqual(doc?.['loc'], [-73.9, 40.5]);
    assert.ok(doc?.['data'] instanceof Binary);
    assert.equal(doc['data'].sub_type, 0);
    assert.equal(Buffer.from(doc['data'].buffer).toString(), 'hello');
    const [read] = await storage.find({ schema: GAME_SCORE, where: byId(id) });
    assert.deepEqual(read?.fields, {
      pic: new ParseFile('3f9a_photo.jpg'),
      loc: new GeoPoint(40.5, -73.9),
      data: new Bytes('aGVsbG8='),
    });
  });

  it(
    'row 13: Polygon (GeoJSON nested arrays) is covered by dialect/codec.test.ts: FerretDB 1.x rejects nested arrays',
    {
      skip: 'FerretDB 1.x cannot store nested arrays; the encoding is asserted without a server',
    },
  );

  it('rows 15, 16: interior values (ISODate, canonical 3-key pointers, REST-shaped GeoPoint)', async () => {
    const id = await insert(GAME_SCORE, {
      meta: { at: T, by: new Pointer('_User', 'u1') },
      tags: [1, 'a', T, new Pointer('A', 'a'), new GeoPoint(1, 2)],
    });
    const doc = await raw('GameScore', id);
    assert.deepEqual(doc?.['meta'], { at: T, by: { __type: 'Pointer', className: '_User', objectId: 'u1' } });
    assert.deepEqual(Object.keys(doc?.['meta']['by']), ['__type', 'className', 'objectId']);
    assert.deepEqual(doc?.['tags'], [
      1,
      'a',
      T,
      { __type: 'Pointer', className: 'A', objectId: 'a' },
      { __type: 'GeoPoint', latitude: 1, longitude: 2 },
    ]);
    const [read] = await storage.find({ schema: GAME_SCORE, where: byId(id) });
    assert.deepEqual(read?.fields, {
      meta: { at: T, by: new Pointer('_User', 'u1') },
      tags: [1, 'a', T, new Pointer('A', 'a'), new GeoPoint(1, 2)],
    });
  });

  it('row 17: nested keys containing $ or . are rejected with 121', async () => {
    for (const meta of NESTED_KEY_VALUES) {
      await assert.rejects(
        insert(GAME_SCORE, { meta }),
        (error: unknown) => error instanceof ParseError && error.code === 121,
      );
    }
  });

  it('rows 18, 19: ACL → _rperm, _wperm, _acl', async () => {
    const id = await insert(
      GAME_SCORE,
      {},
      {
        ACL: { '*': { read: true }, u1: { read: true, write: true }, 'role:Admin': { write: true } },
      },
    );
    const doc = await raw('GameScore', id);
    assert.deepEqual(doc?.['_rperm'], ['*', 'u1']);
    assert.deepEqual(doc?.['_wperm'], ['u1', 'role:Admin']);
    assert.deepEqual(doc?.['_acl'], { u1: { w: true, r: true }, 'role:Admin': { w: true }, '*': { r: true } });
    const locked = await insert(GAME_SCORE, {}, { ACL: {} });
    const lockedDoc = await raw('GameScore', locked);
    assert.deepEqual([lockedDoc?.['_rperm'], lockedDoc?.['_wperm'], lockedDoc?.['_acl']], [[], [], {}]);
    const [read] = await storage.find({ schema: GAME_SCORE, where: byId(locked) });
    assert.deepEqual(read?.ACL, {});
  });

  it('rows 20, 21, 23–25: updates through findOneAndUpdate return the document after', async () => {
    const id = await insert(GAME_SCORE, { score: 1, playerName: 'Sean', tags: ['x', 'y'] });
    const result = await update(GAME_SCORE, id, {
      fields: {
        score: { op: 'increment', amount: 2 },
        tags: { op: 'add', objects: [1, new Pointer('A', 'a')] },
        playerName: { op: 'unset' },
      },
      ACL: { '*': { read: true } },
    });
    assert.deepEqual(result, {
      objectId: id,
      createdAt: T,
      updatedAt: T2,
      ACL: { '*': { read: true } },
      fields: { score: 3, tags: ['x', 'y', 1, new Pointer('A', 'a')] },
    });
    assert.deepEqual(await raw('GameScore', id), {
      _id: id,
      score: 3,
      tags: ['x', 'y', 1, { __type: 'Pointer', className: 'A', objectId: 'a' }],
      _created_at: T,
      _updated_at: T2,
      _rperm: ['*'],
      _wperm: [],
      _acl: { '*': { r: true } },
    });
    await update(GAME_SCORE, id, { fields: { tags: { op: 'addUnique', objects: ['x', 'z'] } } });
    await update(GAME_SCORE, id, { fields: { tags: { op: 'remove', objects: ['y', new Pointer('A', 'a')] } } });
    assert.deepEqual((await raw('GameScore', id))?.['tags'], ['x', 1, 'z']);
  });

  it('row 26: dot paths (interior encoding: the date stays an ISODate)', async () => {
    const id = await insert(GAME_SCORE, { meta: { count: 1 } });
    await update(GAME_SCORE, id, {
      fields: {
        'meta.count': { op: 'increment', amount: 1 },
        'meta.when': { op: 'set', value: T },
      },
    });
    assert.deepEqual((await raw('GameScore', id))?.['meta'], { count: 2, when: T });
  });

  it('row 27: expiresAt strings become dates for any class; sessionToken is _session_token', async () => {
    const id = await insert(GAME_SCORE, { expiresAt: '2020-01-01T00:00:00.000Z' });
    assert.deepEqual((await raw('GameScore', id))?.['expiresAt'], new Date('2020-01-01T00:00:00.000Z'));
    const session = await insert(SESSION, {
      sessionToken: 'r:0123456789abcdef0123456789abcdef',
      user: new Pointer('_User', 'u1'),
      expiresAt: T2,
      createdWith: { action: 'signup', authProvider: 'password' },
    });
    assert.deepEqual(await raw('_Session', session), {
      _id: session,
      _session_token: 'r:0123456789abcdef0123456789abcdef',
      _p_user: '_User$u1',
      expiresAt: T2,
      createdWith: { action: 'signup', authProvider: 'password' },
      _created_at: T,
      _updated_at: T,
    });
    const [read] = await storage.find({
      schema: SESSION,
      where: { kind: 'eq', path: ['sessionToken'], value: 'r:0123456789abcdef0123456789abcdef' },
    });
    assert.equal(read?.fields['sessionToken'], 'r:0123456789abcdef0123456789abcdef');
  });

  it('rows 28, 31, 32: _User internals and authData.<p> ↔ _auth_data_<p>', async () => {
    const id = await insert(
      USER,
      {
        username: 'alice',
        email: 'a@x.io',
        _hashed_password: '$2b$10$abcdefghijklmnopqrstuv',
        _failed_login_count: 0,
        authData: { anonymous: { id: 'uuid-1' } },
      },
      { ACL: { u1: { read: true, write: true } } },
    );
    assert.deepEqual(await raw('_User', id), {
      _id: id,
      username: 'alice',
      email: 'a@x.io',
      _hashed_password: '$2b$10$abcdefghijklmnopqrstuv',
      _failed_login_count: 0,
      _auth_data_anonymous: { id: 'uuid-1' },
      _rperm: ['u1'],
      _wperm: ['u1'],
      _acl: { u1: { w: true, r: true } },
      _created_at: T,
      _updated_at: T,
    });
    const updated = await update(USER, id, {
      fields: {
        authData: { op: 'set', value: { anonymous: null, facebook: { id: 'fb1', access_token: 't' } } },
        _failed_login_count: { op: 'increment', amount: 1 },
      },
    });
    assert.deepEqual(updated?.fields, {
      username: 'alice',
      email: 'a@x.io',
      _hashed_password: '$2b$10$abcdefghijklmnopqrstuv',
      _failed_login_count: 1,
      authData: { facebook: { id: 'fb1', access_token: 't' } },
    });
    const doc = await raw('_User', id);
    assert.equal('_auth_data_anonymous' in (doc ?? {}), false);
    assert.deepEqual(doc?.['_auth_data_facebook'], { id: 'fb1', access_token: 't' });
  });

  it('_GraphQLConfig: one document {_id: 1 (int), config}, replaced whole; a parse-server document reads back', async () => {
    assert.deepEqual(await storage.getGraphQLConfig?.(), {});
    await storage.setGraphQLConfig?.({ enabledForClasses: ['A', 'B'], classConfigs: [{ className: 'A' }] });
    await storage.setGraphQLConfig?.({ disabledForClasses: ['B'] });
    const documents = await db.collection('_GraphQLConfig').find({}, { promoteValues: false }).toArray();
    assert.equal(documents.length, 1);
    assert.ok(documents[0]?.['_id'] instanceof Int32, 'the _id is int32 1, as parse-server writes it');
    assert.deepEqual(documents[0]?.['config'], { disabledForClasses: ['B'] });
    // A document parse-server wrote (same shape) is read as it is.
    await db
      .collection<{ _id: number; config: unknown }>('_GraphQLConfig')
      .updateOne({ _id: 1 }, { $set: { config: { enabledForClasses: ['_User'] } } });
    assert.deepEqual(await storage.getGraphQLConfig?.(), { enabledForClasses: ['_User'] });
  });

  it('_SCHEMA: createClass, addFields, CLP and indexes as parse-server writes them', async () => {
    const schema = classSchema('Scored', {
      score: { type: 'Number', required: true, defaultValue: 0 },
      owner: { type: 'Pointer', targetClass: '_User' },
      players: { type: 'Relation', targetClass: '_User' },
    });
    await storage.createClass(schema);
    await assert.rejects(
      storage.createClass(schema),
      (error: unknown) => error instanceof ParseError && error.code === 103,
    );
    await storage.addFields({
      className: 'Scored',
      fields: { when: { type: 'Date' }, owner: { type: 'Pointer', targetClass: '_User' } },
    });
    await assert.rejects(
      storage.addFields({ className: 'Scored', fields: { when: { type: 'String' } } }),
      (error: unknown) => error instanceof ParseError && error.code === 111,
    );
    await storage.setClassLevelPermissions({ className: 'Scored', classLevelPermissions: { find: { '*': true } } });
    await storage.createIndex({ schema, name: 'owner_score', spec: { owner: 1, score: -1 } });
    assert.deepEqual(await db.collection('_SCHEMA').findOne({ _id: 'Scored' as unknown as ObjectId }), {
      _id: 'Scored',
      objectId: 'string',
      updatedAt: 'date',
      createdAt: 'date',
      score: 'number',
      owner: '*_User',
      players: 'relation<_User>',
      when: 'date',
      _metadata: {
        fields_options: { score: { required: true, defaultValue: 0 } },
        class_permissions: { find: { '*': true } },
        indexes: { owner_score: { _p_owner: 1, score: -1 } },
      },
    });
    const indexes = await db.collection('Scored').listIndexes().toArray();
    assert.deepEqual(indexes.find((index) => index['name'] === 'owner_score')?.['key'], { _p_owner: 1, score: -1 });

    await storage.addFields({ className: 'Fresh', fields: { title: { type: 'String' } } });
    assert.deepEqual(await db.collection('_SCHEMA').findOne({ _id: 'Fresh' as unknown as ObjectId }), {
      _id: 'Fresh',
      title: 'string',
      objectId: 'string',
      updatedAt: 'date',
      createdAt: 'date',
    });
  });
});
