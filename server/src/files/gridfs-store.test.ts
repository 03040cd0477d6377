/**
 * The GridFS store against a real server (FerretDB 1.24 in CI): the shared conformance suite, plain and
 * encrypted, then parse-server compatibility: the layout we write, files parse-server wrote (inserted by
 * hand with the driver, as its adapter lays them out), revisions, and its AES-256-GCM format both ways.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { MongoClient, ObjectId } from 'mongodb';
import type { Db } from 'mongodb';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { FileStore } from './adapter.js';
import { describeWithMongo, isFerretDB, uniqueDatabaseName, withDatabase } from '../testing/mongo.test-util.js';
import { bytesOf, runFileStoreConformance, sourceOf } from './conformance/index.js';
import { openFileStore } from './index.js';

/** A URI for a fresh database (`strata_files_<random>`) on the server `serverUri` names. */
function testDatabaseUri(serverUri: string): string {
  return withDatabase(serverUri, uniqueDatabaseName('strata_files_'));
}

const CHUNK = 261120;
const MB = 1024 * 1024;

interface FreshStore {
  readonly uri: string;
  readonly client: MongoClient;
  readonly db: Db;
  readonly store: FileStore;
}

/** A GridFS store on a fresh database, and a driver client on the same database to look at what it wrote. */
async function openFreshStore(serverUri: string, encryptionKey?: string): Promise<FreshStore> {
  const uri = testDatabaseUri(serverUri);
  const store = await openFileStore({ kind: 'gridfs', uri, ...(encryptionKey === undefined ? {} : { encryptionKey }) });
  const client = await MongoClient.connect(uri);
  return { uri, client, db: client.db(), store };
}

async function closeFreshStore(fresh: FreshStore): Promise<void> {
  await fresh.store.close();
  await fresh.db.dropDatabase();
  await fresh.client.close();
}

/** Everything in the bucket, as strings, without the chunk data. */
async function bucketContents(db: Db, bucket = 'fs'): Promise<string[]> {
  const files = await db
    .collection(`${bucket}.files`)
    .find({}, { projection: { _id: 1, filename: 1, length: 1 } })
    .toArray();
  const chunks = await db
    .collection(`${bucket}.chunks`)
    .find({}, { projection: { _id: 0, files_id: 1, n: 1 } })
    .toArray();
  return [
    ...files.map((f) => `files:${String(f['_id'])}:${String(f['filename'])}:${String(f['length'])}`),
    ...chunks.map((c) => `chunks:${String(c['files_id'])}:${String(c['n'])}`),
  ].sort();
}

/** parse-server's key derivation and layout, written independently of the store's code. */
function parseServerKey(key: string): Buffer {
  return Buffer.from(createHash('sha256').update(key).digest('base64').substring(0, 32), 'utf8');
}
function parseServerEncrypt(plain: Buffer, key: string): Buffer {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-gcm', parseServerKey(key), iv);
  return Buffer.concat([cipher.update(plain), cipher.final(), iv, cipher.getAuthTag()]);
}
function parseServerDecrypt(stored: Buffer, key: string): Buffer {
  const tag = stored.subarray(stored.length - 16);
  const iv = stored.subarray(stored.length - 32, stored.length - 16);
  const decipher = createDecipheriv('aes-256-gcm', parseServerKey(key), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(stored.subarray(0, stored.length - 32)), decipher.final()]);
}

/** Inserts a file the way parse-server's GridFS adapter leaves it: no contentType, metadata object. */
async function insertParseServerFile(
  db: Db,
  file: { filename: string; bytes: Buffer; metadata?: Record<string, unknown>; uploadDate?: Date },
): Promise<ObjectId> {
  const id = new ObjectId();
  for (let n = 0; n * CHUNK < file.bytes.length; n += 1) {
    await db
      .collection('fs.chunks')
      .insertOne({ _id: new ObjectId(), files_id: id, n, data: file.bytes.subarray(n * CHUNK, (n + 1) * CHUNK) });
  }
  await db.collection('fs.files').insertOne({
    _id: id,
    length: file.bytes.length,
    chunkSize: CHUNK,
    uploadDate: file.uploadDate ?? new Date(),
    filename: file.filename,
    metadata: file.metadata ?? {},
  });
  return id;
}

async function storedBytes(db: Db, filesId: unknown): Promise<Buffer> {
  const chunks = await db.collection('fs.chunks').find({ files_id: filesId }).sort({ n: 1 }).toArray();
  return Buffer.concat(chunks.map((c) => Buffer.from((c['data'] as { buffer: Uint8Array }).buffer)));
}

describeWithMongo('gridfs file store', (serverUri) => {
  const handles = new Map<FileStore, FreshStore>();
  const variants: { name: string; encryptionKey?: string; largeFileBytes?: number }[] = [
    { name: 'gridfs' },
    // The encrypted path streams the same way at any size; 20 MB keeps the run short on a shared machine.
    { name: 'gridfs, encrypted', encryptionKey: 'conformance key', largeFileBytes: 20 * MB },
  ];
  for (const variant of variants) {
    runFileStoreConformance({
      name: variant.name,
      ...(variant.largeFileBytes === undefined ? {} : { largeFileBytes: variant.largeFileBytes }),
      open: async () => {
        const fresh = await openFreshStore(serverUri, variant.encryptionKey);
        handles.set(fresh.store, fresh);
        return fresh.store;
      },
      destroy: async (store) => {
        const fresh = handles.get(store);
        if (fresh === undefined) await store.close();
        else await closeFreshStore(fresh);
      },
      snapshot: async (store) => bucketContents(handles.get(store)!.db),
    });
  }

  describe('parse-server compatibility', () => {
    let client: MongoClient;
    let db: Db;
    let uri: string;
    let store: FileStore;
    before(async () => {
      ({ uri, client, db, store } = await openFreshStore(serverUri));
      if (await isFerretDB(serverUri)) console.log('[gridfs] running against FerretDB');
    });
    after(() => closeFreshStore({ uri, client, db, store }));

    it('writes parse-server’s layout: bucket fs, filename, metadata object, 261120-byte chunks', async () => {
      const bytes = randomBytes(CHUNK * 2 + 10);
      await store.write({ name: 'abc123_layout.bin', source: sourceOf(bytes) });
      const doc = await db.collection('fs.files').findOne({ filename: 'abc123_layout.bin' });
      assert.ok(doc !== null);
      assert.ok(doc['_id'] instanceof ObjectId);
      assert.equal(doc['length'], bytes.length);
      assert.equal(doc['chunkSize'], CHUNK);
      assert.ok(doc['uploadDate'] instanceof Date);
      assert.deepEqual(doc['metadata'], {});
      assert.equal('contentType' in doc, false);
      const chunks = await db.collection('fs.chunks').find({ files_id: doc['_id'] }).sort({ n: 1 }).toArray();
      assert.deepEqual(
        chunks.map((c) => c['n']),
        [0, 1, 2],
      );
      assert.ok((await storedBytes(db, doc['_id'])).equals(bytes));
    });

    it('keeps our content type and tags beside metadata, which holds the user metadata only', async () => {
      await store.write({
        name: 'abc123_typed.dat',
        contentType: 'application/x-custom',
        source: sourceOf(Buffer.from('x')),
        metadata: { owner: 'u1' },
        tags: { kind: 'doc' },
      });
      const doc = await db.collection('fs.files').findOne({ filename: 'abc123_typed.dat' });
      // parse-server answers `metadata` to clients as stored: nothing of ours may be in it.
      assert.deepEqual(doc?.['metadata'], { owner: 'u1' });
      assert.deepEqual(doc?.['strata'], { contentType: 'application/x-custom', tags: { kind: 'doc' } });
      const info = await store.stat('abc123_typed.dat');
      assert.equal(info?.contentType, 'application/x-custom');
      assert.deepEqual(info?.metadata, { owner: 'u1' });
      assert.deepEqual(info?.tags, { kind: 'doc' });
      // A file an older build wrote, with ours under metadata._strata, reads the same.
      await db.collection('fs.files').updateOne(
        { filename: 'abc123_typed.dat' },
        {
          $set: { metadata: { owner: 'u1', _strata: { contentType: 'text/x-old', tags: { kind: 'old' } } } },
          $unset: { strata: '' },
        },
      );
      const old = await store.stat('abc123_typed.dat');
      assert.equal(old?.contentType, 'text/x-old');
      assert.deepEqual(old?.metadata, { owner: 'u1' });
      assert.deepEqual(old?.tags, { kind: 'old' });
      await assert.rejects(
        store.write({ name: 'abc123_clash.txt', source: sourceOf(Buffer.from('x')), metadata: { _strata: 'mine' } }),
        (error: unknown) => error instanceof ParseError && error.code === ErrorCode.INVALID_KEY_NAME,
      );
      assert.equal(await store.stat('abc123_clash.txt'), undefined);
    });

    it('serves a file parse-server wrote (no content type; metadata of any JSON)', async () => {
      const bytes = randomBytes(CHUNK + 500);
      const name = 'd41d8cd98f00b204e9800998ecf8427e_photo.png';
      const id = await insertParseServerFile(db, { filename: name, bytes, metadata: { owner: 'x', count: 5 } });
      const info = await store.stat(name);
      assert.equal(info?.size, bytes.length);
      assert.equal(info?.contentType, 'image/png');
      assert.deepEqual(info?.metadata, { owner: 'x', count: '5' });
      assert.equal(info?.etag, `"${id.toHexString()}"`);
      assert.ok((await bytesOf((await store.read({ name }))!)).equals(bytes));
      const range = await bytesOf((await store.read({ name, start: CHUNK - 3, end: CHUNK + 2 }))!);
      assert.ok(range.equals(bytes.subarray(CHUNK - 3, CHUNK + 3)));
      assert.equal(await store.delete(name), true);
      assert.equal(await db.collection('fs.files').countDocuments({ _id: id }), 0);
      assert.equal(await db.collection('fs.chunks').countDocuments({ files_id: id }), 0);
    });

    it('a file without a metadata field is served with empty metadata', async () => {
      const id = new ObjectId();
      await db
        .collection('fs.chunks')
        .insertOne({ _id: new ObjectId(), files_id: id, n: 0, data: Buffer.from('legacy') });
      await db
        .collection('fs.files')
        .insertOne({ _id: id, length: 6, chunkSize: CHUNK, uploadDate: new Date(), filename: 'legacy.txt' });
      const info = await store.stat('legacy.txt');
      assert.deepEqual(info?.metadata, {});
      assert.equal((await bytesOf((await store.read({ name: 'legacy.txt' }))!)).toString(), 'legacy');
    });

    it('reads the newest of several revisions; delete removes them all', async () => {
      const name = 'revised_doc.txt';
      await insertParseServerFile(db, {
        filename: name,
        bytes: Buffer.from('first'),
        uploadDate: new Date('2024-01-01'),
      });
      const newest = await insertParseServerFile(db, {
        filename: name,
        bytes: Buffer.from('third'),
        uploadDate: new Date('2024-03-01'),
      });
      await insertParseServerFile(db, {
        filename: name,
        bytes: Buffer.from('second'),
        uploadDate: new Date('2024-02-01'),
      });
      const info = await store.stat(name);
      assert.equal(info?.etag, `"${newest.toHexString()}"`);
      assert.equal(info?.lastModified.toISOString(), '2024-03-01T00:00:00.000Z');
      assert.equal((await bytesOf((await store.read({ name }))!)).toString(), 'third');
      assert.equal(await store.delete(name), true);
      assert.equal(await db.collection('fs.files').countDocuments({ filename: name }), 0);
      assert.deepEqual(
        (await bucketContents(db)).filter((entry) => entry.includes(name)),
        [],
      );
    });

    it('a write of an existing name adds a revision that wins', async () => {
      await store.write({ name: 'rewrite.txt', source: sourceOf(Buffer.from('v1')) });
      await store.write({ name: 'rewrite.txt', source: sourceOf(Buffer.from('v2')) });
      assert.equal(await db.collection('fs.files').countDocuments({ filename: 'rewrite.txt' }), 2);
      assert.equal((await bytesOf((await store.read({ name: 'rewrite.txt' }))!)).toString(), 'v2');
      assert.equal(await store.delete('rewrite.txt'), true);
      assert.equal(await db.collection('fs.files').countDocuments({ filename: 'rewrite.txt' }), 0);
    });
  });

  describe('encryption (parse-server’s format)', () => {
    const KEY = 'my fileKey from parse.com days';
    let client: MongoClient;
    let db: Db;
    let uri: string;
    let store: FileStore;
    before(async () => {
      ({ uri, client, db, store } = await openFreshStore(serverUri, KEY));
    });
    after(() => closeFreshStore({ uri, client, db, store }));

    it('stores ciphertext ‖ IV ‖ tag that parse-server’s scheme decrypts, never the plaintext', async () => {
      const plain = Buffer.concat([Buffer.from('TOP SECRET '.repeat(1000)), randomBytes(CHUNK)]);
      const info = await store.write({ name: 'secret.txt', source: sourceOf(plain) });
      assert.equal(info.size, plain.length);
      const doc = await db.collection('fs.files').findOne({ filename: 'secret.txt' });
      assert.equal(doc?.['length'], plain.length + 32);
      const stored = await storedBytes(db, doc?.['_id']);
      assert.equal(stored.includes(Buffer.from('TOP SECRET')), false, 'plaintext visible in fs.chunks');
      assert.equal(stored.includes(plain.subarray(plain.length - 64)), false, 'plaintext visible in fs.chunks');
      assert.ok(parseServerDecrypt(stored, KEY).equals(plain));
      assert.equal((await store.stat('secret.txt'))?.size, plain.length);
    });

    it('reads a file parse-server encrypted, whole and in ranges', async () => {
      const plain = randomBytes(CHUNK * 2 + 77);
      await insertParseServerFile(db, { filename: 'from_parse_server.bin', bytes: parseServerEncrypt(plain, KEY) });
      const info = await store.stat('from_parse_server.bin');
      assert.equal(info?.size, plain.length);
      assert.equal(info?.contentType, 'application/octet-stream');
      assert.ok((await bytesOf((await store.read({ name: 'from_parse_server.bin' }))!)).equals(plain));
      for (const [start, end] of [
        [0, 0],
        [CHUNK - 5, CHUNK + 5],
        [plain.length - 1, plain.length - 1],
        [100, plain.length + 1000],
      ] as const) {
        const part = await bytesOf((await store.read({ name: 'from_parse_server.bin', start, end }))!);
        assert.ok(part.equals(plain.subarray(start, end + 1)), `range ${start}-${end}`);
      }
    });

    it('a wrong key or tampered bytes fail the read with a ParseError', async () => {
      const plain = Buffer.from('integrity matters');
      await insertParseServerFile(db, { filename: 'other_key.txt', bytes: parseServerEncrypt(plain, 'another key') });
      await assert.rejects(bytesOf((await store.read({ name: 'other_key.txt' }))!), (error: unknown) => {
        assert.ok(error instanceof ParseError);
        assert.equal(error.code, ErrorCode.INTERNAL_SERVER_ERROR);
        return true;
      });
      const tampered = parseServerEncrypt(plain, KEY);
      tampered[0] = (tampered[0] ?? 0) ^ 1;
      await insertParseServerFile(db, { filename: 'tampered.txt', bytes: tampered });
      await assert.rejects(bytesOf((await store.read({ name: 'tampered.txt' }))!), ParseError);
    });
  });
});
