/**
 * The reverse of layout.test.ts: documents inserted raw in parse-server's layout, legacy quirks included
 * (spec/mongo-layout.md §2.5, §6 rows 38–40), read back through the adapter.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, Double, Long, MongoClient, ObjectId } from 'mongodb';
import type { Db, Document } from 'mongodb';
import { ParseError } from '../../errors/index.js';
import { MATCH_ALL } from '../../query/index.js';
import type { Condition } from '../../query/index.js';
import { Bytes, GeoPoint, ParseFile, Pointer } from '../../schema/index.js';
import type { ClassSchema } from '../../schema/index.js';
import type { StorageAdapter } from '../adapter.js';
import { createMongoStorage } from './index.js';
import { describeWithMongo, uniqueDatabaseName, withDatabase } from '../../testing/mongo.test-util.js';
import { GAME_SCORE, SESSION, USER, classSchema } from './test-schemas.js';

const T = new Date('2024-05-01T10:00:00.000Z');

describeWithMongo('mongo storage reads parse-server documents', (serverUri) => {
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

  async function readBack(schema: ClassSchema, document: Document, where: Condition = MATCH_ALL) {
    await db.collection(schema.className).deleteMany({});
    await db.collection(schema.className).insertOne(document);
    return storage.find({ schema, where });
  }

  it('row 38: a legacy ObjectId _id reads as its hex string; missing timestamps stay missing', async () => {
    const legacy = classSchema('Legacy', { s: { type: 'String' } });
    const found = await readBack(legacy, { _id: new ObjectId('5f0000000000000000000001'), s: 'a' });
    assert.deepEqual(found, [{ objectId: '5f0000000000000000000001', fields: { s: 'a' } }]);
  });

  it('legacy createdAt/updatedAt keys without underscore are the timestamps', async () => {
    const legacy = classSchema('Legacy', {});
    const found = await readBack(legacy, { _id: 'L1', createdAt: T, updatedAt: T });
    assert.deepEqual(found, [{ objectId: 'L1', createdAt: T, updatedAt: T, fields: {} }]);
  });

  it('_acl alone is public; one array alone leaves the other empty', async () => {
    let [object] = await readBack(GAME_SCORE, { _id: 'A1', _acl: { u1: { r: true, w: true } } });
    assert.equal(object?.ACL, undefined);
    [object] = await readBack(GAME_SCORE, { _id: 'A2', _rperm: ['u1'] });
    assert.deepEqual(object?.ACL, { u1: { read: true } });
  });

  it('Long and Double wrappers read as numbers', async () => {
    const [object] = await readBack(GAME_SCORE, {
      _id: 'N1',
      score: Long.fromNumber(5_000_000_000),
      big: new Double(2),
      meta: { inner: Long.fromNumber(7) },
    });
    assert.deepEqual(object?.fields, { score: 5_000_000_000, big: 2, meta: { inner: 7 } });
  });

  it('row 14: Bytes as BinData or as a stored base64 string', async () => {
    let [object] = await readBack(GAME_SCORE, { _id: 'B1', data: new Binary(Buffer.from('hello'), 0) });
    assert.deepEqual(object?.fields, { data: new Bytes('aGVsbG8=') });
    [object] = await readBack(GAME_SCORE, { _id: 'B2', data: 'aGVsbG8=' });
    assert.deepEqual(object?.fields, { data: new Bytes('aGVsbG8=') });
  });

  it('typed top-level values: file name, [lng, lat], _p_ pointers; null pointers under either key are omitted', async () => {
    const [object] = await readBack(GAME_SCORE, {
      _id: 'P1',
      pic: 'abc_photo.jpg',
      loc: [-73.9, 40.5],
      _p_owner: '_User$u1',
      when: T,
      _created_at: T,
      _updated_at: T,
    });
    assert.deepEqual(object?.fields, {
      pic: new ParseFile('abc_photo.jpg'),
      loc: new GeoPoint(40.5, -73.9),
      owner: new Pointer('_User', 'u1'),
      when: T,
    });
    for (const document of [
      { _id: 'P2', owner: null },
      { _id: 'P3', _p_owner: null },
    ]) {
      const [nulled] = await readBack(GAME_SCORE, document);
      assert.deepEqual(nulled?.fields, {});
    }
  });

  it('the bare-name null pointer still counts as a stored null for exists and eq null', async () => {
    await db.collection('GameScore').deleteMany({});
    await db
      .collection('GameScore')
      .insertMany([{ _id: 'E1', owner: null }, { _id: 'E2', _p_owner: '_User$u1' }, { _id: 'E3' }] as Document[]);
    const ids = async (where: Condition) =>
      (await storage.find({ schema: GAME_SCORE, where, sort: [{ path: ['objectId'], direction: 1 }] })).map(
        (o) => o.objectId,
      );
    assert.deepEqual(await ids({ kind: 'exists', path: ['owner'], exists: true }), ['E1', 'E2']);
    assert.deepEqual(await ids({ kind: 'exists', path: ['owner'], exists: false }), ['E3']);
    assert.deepEqual(await ids({ kind: 'eq', path: ['owner'], value: null }), ['E1', 'E3']);
  });

  it('an undeclared [lng, lat] stays an array; an undeclared _p_ key is still a pointer', async () => {
    const [object] = await readBack(classSchema('Loose', {}), { _id: 'U1', where: [1, 2], _p_ref: 'A$a' });
    assert.deepEqual(object?.fields, { where: [1, 2], ref: new Pointer('A', 'a') });
  });

  it('interior legacy dates ({__type: "Date", iso: ISODate}) and REST-shaped atoms read as values', async () => {
    const [object] = await readBack(GAME_SCORE, {
      _id: 'I1',
      meta: {
        when: { __type: 'Date', iso: T },
        text: { __type: 'Date', iso: '2024-05-01T10:00:00.000Z' },
        file: { __type: 'File', name: 'f.txt', url: 'http://old/f.txt' },
        by: { __type: 'Pointer', className: '_User', objectId: 'u1' },
      },
      tags: [{ __type: 'GeoPoint', latitude: 1, longitude: 2 }, T],
    });
    assert.deepEqual(object?.fields, {
      meta: { when: T, text: T, file: new ParseFile('f.txt'), by: new Pointer('_User', 'u1') },
      tags: [new GeoPoint(1, 2), T],
    });
  });

  it('row 40: a pointer to another class than the schema says fails the read with 1', async () => {
    await assert.rejects(
      readBack(GAME_SCORE, { _id: 'X1', _p_owner: 'Other$x' }),
      (error: unknown) => error instanceof ParseError && error.code === 1,
    );
  });

  it('_User: _auth_data_<p> → authData, a stray authData key is ignored, internals pass through', async () => {
    const [user] = await readBack(USER, {
      _id: 'U1',
      username: 'alice',
      _hashed_password: '$2a$10$abc',
      _auth_data_facebook: { id: 'fb1' },
      _auth_data_anonymous: { id: 'an1' },
      authData: { stale: true },
      _tombstone: true,
      _email_verify_token_expires_at: T,
    });
    assert.deepEqual(user?.fields, {
      username: 'alice',
      _hashed_password: '$2a$10$abc',
      authData: { facebook: { id: 'fb1' }, anonymous: { id: 'an1' } },
      _tombstone: true,
      _email_verify_token_expires_at: T,
    });
  });

  it('renamed keys: _session_token, _last_used, times_used, _expiresAt', async () => {
    const [session] = await readBack(SESSION, {
      _id: 'S1',
      _session_token: 'r:abc',
      _p_user: '_User$u1',
      _expiresAt: T,
      _last_used: T,
      times_used: 3,
    });
    assert.deepEqual(session?.fields, {
      sessionToken: 'r:abc',
      user: new Pointer('_User', 'u1'),
      expiresAt: T,
      lastUsed: T,
      timesUsed: 3,
    });
  });

  it('_SCHEMA documents written by parse-server (§3.1 example) load as class schemas', async () => {
    await db.collection('_SCHEMA').insertOne({
      _id: 'GameScore',
      objectId: 'string',
      updatedAt: 'date',
      createdAt: 'date',
      _metadata: {
        fields_options: { score: { required: true, defaultValue: 0 } },
        class_permissions: { find: { '*': true }, create: { 'role:Admin': true }, protectedFields: { '*': ['name'] } },
        indexes: { score_idx: { score: -1 } },
      },
      score: 'number',
      owner: '*_User',
      players: 'relation<_User>',
      loc: 'geopoint',
      area: 'polygon',
      pic: 'file',
      raw: 'bytes',
    } as Document);
    await db.collection('_SCHEMA').insertOne({ _id: '_PushStatus', extra: 'string' } as Document);
    const schemas = await storage.loadSchemas();
    assert.deepEqual(
      schemas.map((schema) => schema.className),
      ['GameScore'],
    );
    assert.deepEqual(schemas[0], {
      className: 'GameScore',
      fields: {
        objectId: { type: 'String' },
        createdAt: { type: 'Date' },
        updatedAt: { type: 'Date' },
        ACL: { type: 'ACL' },
        score: { type: 'Number', required: true, defaultValue: 0 },
        owner: { type: 'Pointer', targetClass: '_User' },
        players: { type: 'Relation', targetClass: '_User' },
        loc: { type: 'GeoPoint' },
        area: { type: 'Polygon' },
        pic: { type: 'File' },
        raw: { type: 'Bytes' },
      },
      classLevelPermissions: {
        find: { '*': true },
        create: { 'role:Admin': true },
        protectedFields: { '*': ['name'] },
      },
      indexes: { score_idx: { score: -1 } },
    });
  });

  it('join documents written by parse-server drive relatedTo', async () => {
    await db.collection('_Join:likes:Post').insertMany([
      { _id: new ObjectId(), relatedId: 'U1', owningId: 'post1' },
      { _id: new ObjectId(), relatedId: 'U2', owningId: 'post2' },
    ]);
    await db.collection('_User').deleteMany({});
    await db.collection('_User').insertMany([{ _id: 'U1' }, { _id: 'U2' }] as Document[]);
    const found = await storage.find({
      schema: USER,
      where: { kind: 'relatedTo', ownerClass: 'Post', field: 'likes', owningId: 'post1' },
    });
    assert.deepEqual(
      found.map((o) => o.objectId),
      ['U1'],
    );
  });
});
