/**
 * The MongoDB adapter against a real server (FerretDB 1.24 in CI): the shared storage conformance suite,
 * then what is specific to MongoDB: relation look-ups through `_Join:*`, duplicate keys, the default
 * indexes of `initialize()`, transactions on a server without them, and an unreachable server.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { ParseError } from '../../errors/index.js';
import { MATCH_ALL } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ParseObjectValue } from '../../schema/index.js';
import type { StorageAdapter } from '../adapter.js';
import { runStorageConformance } from '../conformance/index.js';
import { createMongoStorage, TRANSACTIONS_UNAVAILABLE_MESSAGE } from './index.js';
import {
  describeWithMongo,
  isFerretDB,
  testServerUri,
  uniqueDatabaseName,
  withDatabase,
} from '../../testing/mongo.test-util.js';
import { GAME_SCORE, USER, classSchema } from './test-schemas.js';

const T = new Date('2024-05-01T10:00:00.000Z');
const serverUri = testServerUri();
const ferretDB = serverUri !== undefined && (await isFerretDB(serverUri));

function isParseError(code: number, message?: string): (error: unknown) => boolean {
  return (error) =>
    error instanceof ParseError && error.code === code && (message === undefined || error.message === message);
}

describeWithMongo('mongo storage', (serverUri) => {
  const databases = new Map<StorageAdapter, string>();
  runStorageConformance({
    name: ferretDB ? 'mongodb (FerretDB)' : 'mongodb',
    ...(ferretDB
      ? {
          unsupported: {
            caseInsensitiveIndexes: 'FerretDB 1.x does not implement index collations',
            nestedArrays: 'FerretDB 1.x cannot store arrays inside arrays (nor Polygon GeoJSON)',
            // Measured with the bare driver: 50 concurrent findOneAndUpdate {$inc} on one document end at 5-18.
            atomicConcurrentUpdates: 'FerretDB 1.24 (SQLite handler) loses concurrent $inc updates on one document',
            // Measured: {tags: {$elemMatch: {$nin: ['x','y']}}} matches [] and not ['x','z'] (the whole array is tested).
            elemMatchOperators: 'FerretDB 1.24 applies $elemMatch: {$nin} to the whole array, not to each element',
            // Measured: $nearSphere / $within / $geoWithin → "unknown operator"; createIndex {loc: '2d'} → code 27.
            geoQueries: 'FerretDB 1.24 implements no geo operators and no 2d/2dsphere indexes',
            // Measured: $text → "unknown top level operator: $text"; {title: 'text'} index → code 27; no textScore.
            textSearch: 'FerretDB 1.24 implements neither $text nor text indexes nor {$meta: "textScore"}',
            // Measured against FerretDB 1.24 with the bare driver (aggregate tests run all of these on SQLite):
            aggregateAccumulators: 'FerretDB 1.24 does not implement $avg, $min, $max, $first, $last, $push, $addToSet',
            aggregateSumOfConstant: 'FerretDB 1.24 returns 0 for {$sum: 1} inside $group',
            aggregateComputedProject: 'FerretDB 1.24 treats "$path" values in $project as literal strings',
            aggregateUnwind: 'FerretDB 1.24 drops the other fields of the documents $unwind produces',
            aggregateUnwindOptions: 'FerretDB 1.24 only accepts the string form of $unwind',
            aggregateSample: 'FerretDB 1.24 does not implement $sample',
          },
        }
      : {}),
    create: async () => {
      const uri = withDatabase(serverUri, uniqueDatabaseName());
      const storage = createMongoStorage({ uri });
      databases.set(storage, uri);
      return storage;
    },
    destroy: async (storage) => {
      const uri = databases.get(storage);
      await storage.close();
      if (uri === undefined) return;
      const client = new MongoClient(uri);
      try {
        await client.db().dropDatabase();
      } finally {
        await client.close();
      }
    },
  });

  const uri = withDatabase(serverUri, uniqueDatabaseName());
  let storage: StorageAdapter;
  let client: MongoClient;
  let db: Db;
  before(async () => {
    storage = createMongoStorage({ uri });
    await storage.initialize();
    client = new MongoClient(uri);
    db = client.db();
  });
  after(async () => {
    await db.dropDatabase();
    await client.close();
    await storage.close();
  });

  it('initialize() builds the default indexes and _SCHEMA entries, idempotently', async () => {
    await storage.initialize();
    const userIndexes = await db.collection('_User').listIndexes().toArray();
    const byName = new Map(userIndexes.map((index) => [index['name'], index]));
    assert.deepEqual(byName.get('username_1')?.['key'], { username: 1 });
    assert.equal(byName.get('username_1')?.['unique'], true);
    assert.deepEqual(byName.get('email_1')?.['key'], { email: 1 });
    assert.deepEqual(byName.get('_email_verify_token')?.['key'], { _email_verify_token: 1 });
    assert.deepEqual(byName.get('_perishable_token')?.['key'], { _perishable_token: 1 });
    assert.deepEqual(byName.get('_auth_data_anonymous_id')?.['key'], { '_auth_data_anonymous.id': 1 });
    const roleIndexes = await db.collection('_Role').listIndexes().toArray();
    assert.equal(roleIndexes.find((index) => index['name'] === 'name_1')?.['unique'], true);
    assert.deepEqual(
      await db
        .collection('_SCHEMA')
        .find({}, { sort: { _id: 1 } })
        .toArray(),
      [
        {
          _id: '_Role',
          objectId: 'string',
          updatedAt: 'date',
          createdAt: 'date',
          name: 'string',
          users: 'relation<_User>',
          roles: 'relation<_Role>',
        },
        {
          _id: '_Session',
          objectId: 'string',
          updatedAt: 'date',
          createdAt: 'date',
          user: '*_User',
          installationId: 'string',
          sessionToken: 'string',
          expiresAt: 'date',
          createdWith: 'object',
        },
        {
          _id: '_User',
          objectId: 'string',
          updatedAt: 'date',
          createdAt: 'date',
          username: 'string',
          email: 'string',
          emailVerified: 'boolean',
          authData: 'object',
        },
      ],
    );
    const schemas = await storage.loadSchemas();
    assert.deepEqual(schemas.map((schema) => schema.className).sort(), ['_Role', '_Session', '_User']);
    assert.deepEqual(schemas.find((schema) => schema.className === '_Role')?.fields['users'], {
      type: 'Relation',
      targetClass: '_User',
    });
  });

  it('duplicate username, email, authData id and objectId → 137 naming the field', async () => {
    const object = (objectId: string, fields: ParseObjectValue) => ({
      schema: USER,
      object: { objectId, createdAt: T, updatedAt: T, fields },
    });
    await storage.insert(
      object('dupUser01', { username: 'bob', email: 'bob@x.io', authData: { anonymous: { id: 'a1' } } }),
    );
    const base = 'A duplicate value for a field with unique values was provided';
    await assert.rejects(
      storage.insert(object('dupUser02', { username: 'bob' })),
      isParseError(137, `${base}: username`),
    );
    await assert.rejects(
      storage.insert(object('dupUser03', { username: 'other', email: 'bob@x.io' })),
      isParseError(137, `${base}: email`),
    );
    await assert.rejects(
      storage.insert(object('dupUser04', { username: 'third', authData: { anonymous: { id: 'a1' } } })),
      isParseError(137, `${base}: _auth_data_anonymous_id`),
    );
    await assert.rejects(
      storage.insert(object('dupUser01', { username: 'fourth' })),
      isParseError(137, `${base}: objectId`),
    );
    // Several users without an email are fine (sparse unique index).
    await storage.insert(object('dupUser05', { username: 'noMail1' }));
    await storage.insert(object('dupUser06', { username: 'noMail2' }));
    await assert.rejects(
      storage.updateOne({
        schema: USER,
        where: { kind: 'eq', path: ['objectId'], value: 'dupUser06' },
        update: { fields: { username: { op: 'set', value: 'noMail1' } }, updatedAt: T },
      }),
      isParseError(137, `${base}: username`),
    );
  });

  it('relatedTo and relationHas are resolved through _Join:<field>:<Owner>', async () => {
    const post = classSchema('Post', { likes: { type: 'Relation', targetClass: '_User' } });
    const people = classSchema('_User', {});
    for (const id of ['rUser0001', 'rUser0002', 'rUser0003']) {
      await storage.insert({
        schema: people,
        object: { objectId: id, createdAt: T, updatedAt: T, fields: { username: id } },
      });
    }
    for (const id of ['post00001', 'post00002']) {
      await storage.insert({ schema: post, object: { objectId: id, createdAt: T, updatedAt: T, fields: {} } });
    }
    const edge = (owningId: string, relatedId: string) => ({ ownerClass: 'Post', field: 'likes', owningId, relatedId });
    await storage.addRelation(edge('post00001', 'rUser0001'));
    await storage.addRelation(edge('post00001', 'rUser0002'));
    await storage.addRelation(edge('post00002', 'rUser0002'));
    const ids = async (schema: typeof post, where: Parameters<StorageAdapter['find']>[0]['where']) =>
      (await storage.find({ schema, where, sort: [{ path: ['objectId'], direction: 1 }] })).map((o) => o.objectId);
    assert.deepEqual(
      await ids(people, { kind: 'relatedTo', ownerClass: 'Post', field: 'likes', owningId: 'post00001' }),
      ['rUser0001', 'rUser0002'],
    );
    assert.deepEqual(await ids(post, { kind: 'relationHas', field: 'likes', relatedIds: ['rUser0001'], mode: 'any' }), [
      'post00001',
    ]);
    assert.deepEqual(
      await ids(post, { kind: 'relationHas', field: 'likes', relatedIds: ['rUser0001'], mode: 'none' }),
      ['post00002'],
    );
    assert.equal(
      await storage.count({
        schema: post,
        where: {
          kind: 'and',
          conditions: [
            { kind: 'relationHas', field: 'likes', relatedIds: ['rUser0002'], mode: 'any' },
            { kind: 'ne', path: ['objectId'], value: 'post00002' },
          ],
        },
      }),
      1,
    );
  });

  it('keys projects the stored keys of the asked fields (pointer and authData included)', async () => {
    await storage.insert({
      schema: GAME_SCORE,
      object: {
        objectId: 'keys00001',
        createdAt: T,
        updatedAt: T,
        ACL: { '*': { read: true } },
        fields: { score: 1, playerName: 'x', owner: new Pointer('_User', 'u1') },
      },
    });
    const [read] = await storage.find({
      schema: GAME_SCORE,
      where: { kind: 'eq', path: ['objectId'], value: 'keys00001' },
      keys: ['owner', 'score'],
    });
    assert.deepEqual(read, {
      objectId: 'keys00001',
      createdAt: T,
      updatedAt: T,
      ACL: { '*': { read: true } },
      fields: { score: 1, owner: new Pointer('_User', 'u1') },
    });
    const [user] = await storage.find({
      schema: USER,
      where: { kind: 'eq', path: ['objectId'], value: 'dupUser01' },
      keys: ['authData'],
    });
    assert.deepEqual(user?.fields, { authData: { anonymous: { id: 'a1' } } });
  });

  it('transaction() on a server without replica set answers 108 and runs nothing', async () => {
    const hello = await db.admin().command({ hello: 1 });
    if (typeof hello['setName'] === 'string') {
      console.log('skipping: this server is a replica set member, so transactions are available');
      return;
    }
    let ran = false;
    await assert.rejects(
      storage.transaction(async () => {
        ran = true;
      }),
      isParseError(108, TRANSACTIONS_UNAVAILABLE_MESSAGE),
    );
    assert.equal(ran, false);
  });

  it('an unreachable server fails the operation with ParseError 1 and does not crash the process', async () => {
    const unreachable = createMongoStorage({
      uri: 'mongodb://127.0.0.1:9/strata_unreachable',
      serverSelectionTimeoutMS: 200,
    });
    try {
      await assert.rejects(unreachable.find({ schema: GAME_SCORE, where: MATCH_ALL }), (error: unknown) => {
        return error instanceof ParseError && error.code === 1 && error.cause instanceof Error;
      });
      await assert.rejects(
        unreachable.transaction(async () => undefined),
        isParseError(1),
      );
    } finally {
      await unreachable.close();
    }
  });

  it('a closed adapter rejects with ParseError 1', async () => {
    const closed = createMongoStorage({ uri });
    await closed.count({ schema: GAME_SCORE, where: MATCH_ALL });
    await closed.close();
    await assert.rejects(closed.count({ schema: GAME_SCORE, where: MATCH_ALL }), isParseError(1));
  });
});
