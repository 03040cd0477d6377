import { GridFSBucket, MongoClient, ObjectId } from 'mongodb';
import type { Collection, Db, Document, GridFSBucketWriteStream, GridFSFile } from 'mongodb';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { FileRead, FileStore, FileWrite, StoredFileInfo } from './adapter.js';
import { checkFileAttributes } from './attributes.js';
import { contentTypeForName } from './content-type.js';
import { decryptRange, deriveEncryptionKey, encryptChunks, ENCRYPTION_OVERHEAD } from './gridfs-encryption.js';
import { assertSafeFileName } from './names.js';
import { NO_BYTES, resolveRange } from './range.js';
import { MeteredSource } from './source.js';

/** parse-server's (the driver's default) chunk size: 255 KiB. */
const CHUNK_SIZE = 261120;
/**
 * The top-level field of a files document where Strata keeps what parse-server's layout has no place for
 * (the content type given at upload, and tags): `{"strata": {"contentType": "...", "tags": {...}}}`. It sits
 * beside `metadata`, never in it: parse-server answers a file's `metadata` to clients as it is stored.
 */
const STRATA_FIELD = 'strata';
/**
 * Where builds before that kept the same under `metadata`: still read (and stripped from the metadata
 * served), and refused as a user metadata key.
 */
const RESERVED_KEY = '_strata';

/**
 * Files in MongoDB GridFS, laid out exactly as parse-server's default files adapter does (bucket `fs`,
 * `filename` = stored name, `metadata` always an object, 261120-byte chunks, no prefix), so a database
 * parse-server wrote is served as it is and the other way round. A second write of a name adds a revision;
 * reads and stat use the newest; delete removes every revision.
 *
 * A content type given at upload is kept in the document's `strata` field; files without one (all of
 * parse-server's) get one from their extension. Uploads stream through the driver's upload stream one
 * chunk write at a time, so when the upload fails or is aborted no chunk insert is still in flight and
 * removing the revision's chunks (and its files document, in case it got written) leaves nothing behind.
 * The ETag is the revision's `_id`: a revision's bytes never change.
 */
export class GridFSFileStore implements FileStore {
  readonly kind = 'gridfs';
  private readonly bucket: GridFSBucket;
  private readonly files: Collection<GridFSFile>;
  private readonly chunks: Collection<Document>;

  private constructor(
    private readonly client: MongoClient,
    db: Db,
    private readonly options: { readonly bucketName: string; readonly key: Buffer | undefined },
  ) {
    this.bucket = new GridFSBucket(db, { bucketName: options.bucketName, chunkSizeBytes: CHUNK_SIZE });
    this.files = db.collection<GridFSFile>(`${options.bucketName}.files`);
    this.chunks = db.collection(`${options.bucketName}.chunks`);
  }

  /** Connects to the database named in `uri`. */
  static async open(options: {
    readonly uri: string;
    readonly bucketName?: string;
    readonly encryptionKey?: string;
  }): Promise<GridFSFileStore> {
    const client = new MongoClient(options.uri);
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
        message: 'Could not connect to MongoDB for GridFS files.',
        cause: error,
      });
    }
    const key = options.encryptionKey === undefined ? undefined : deriveEncryptionKey(options.encryptionKey);
    return new GridFSFileStore(client, client.db(), { bucketName: options.bucketName ?? 'fs', key });
  }

  async write(file: FileWrite): Promise<StoredFileInfo> {
    assertSafeFileName(file.name);
    const { metadata, tags } = checkFileAttributes({ ...file, reservedKey: RESERVED_KEY });
    const source = new MeteredSource(file);
    const strata = {
      ...(file.contentType === undefined ? {} : { contentType: file.contentType }),
      ...(tags === undefined ? {} : { tags }),
    };
    const upload = this.bucket.openUploadStream(file.name, { metadata: { ...metadata }, chunkSizeBytes: CHUNK_SIZE });
    let streamError: unknown;
    // Without a listener, an 'error' event (e.g. a failed chunk insert) would crash the process.
    upload.on('error', (error) => (streamError ??= error));
    try {
      const key = this.options.key;
      for await (const chunk of key === undefined ? source : encryptChunks(source, key)) {
        await writeChunk(upload, chunk);
      }
      if (file.signal?.aborted === true) {
        throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'The upload was aborted.' });
      }
      await endUpload(upload);
      // The driver writes the files document itself, with no room for fields of ours: they follow it.
      if (Object.keys(strata).length > 0) {
        await this.files.updateOne({ _id: upload.id }, { $set: { [STRATA_FIELD]: strata } });
      }
    } catch (error) {
      await this.discard(upload);
      if (error instanceof ParseError) throw error;
      throw new ParseError(ErrorCode.FILE_SAVE_ERROR, {
        message: 'Could not store the file.',
        cause: streamError ?? error,
      });
    }
    const doc = upload.gridFSFile;
    return {
      name: file.name,
      size: source.bytes,
      ...withContentType(file.contentType ?? contentTypeForName(file.name)),
      etag: etagOf(upload.id),
      lastModified: doc?.uploadDate ?? new Date(),
      metadata,
      ...(tags === undefined ? {} : { tags }),
    };
  }

  async stat(name: string): Promise<StoredFileInfo | undefined> {
    assertSafeFileName(name);
    const doc = await this.newest(name);
    return doc === undefined ? undefined : this.infoOf(name, doc);
  }

  async read(options: FileRead): Promise<AsyncIterable<Uint8Array> | undefined> {
    assertSafeFileName(options.name);
    const doc = await this.newest(options.name);
    if (doc === undefined) return undefined;
    const key = this.options.key;
    if (key === undefined) {
      const range = resolveRange(options, doc.length);
      if (range === undefined) return NO_BYTES;
      // By the revision's id, not by name: the bytes stat() described even if a newer revision lands.
      return guarded(this.bucket.openDownloadStream(doc._id, { start: range.start, end: range.end + 1 }));
    }
    const plaintextSize = Math.max(0, doc.length - ENCRYPTION_OVERHEAD);
    const range = resolveRange(options, plaintextSize);
    if (range === undefined) return NO_BYTES;
    const trailer = await collect(this.bucket.openDownloadStream(doc._id, { start: plaintextSize, end: doc.length }));
    const ciphertext = this.bucket.openDownloadStream(doc._id, { start: 0, end: range.end + 1 });
    return guarded(decryptRange({ key, trailer, ciphertext, start: range.start, end: range.end, plaintextSize }));
  }

  async delete(name: string): Promise<boolean> {
    assertSafeFileName(name);
    try {
      const revisions = await this.files.find({ filename: name }, { projection: { _id: 1 } }).toArray();
      let deleted = false;
      for (const { _id } of revisions) {
        // The driver removes the files document first (the revision disappears at once), then its chunks.
        await this.bucket.delete(_id).then(
          () => (deleted = true),
          (error: unknown) => {
            if (!isFileNotFound(error)) throw error;
          },
        );
      }
      return deleted;
    } catch (error) {
      throw new ParseError(ErrorCode.FILE_DELETE_ERROR, { cause: error });
    }
  }

  /** By the `filename` index GridFS keeps; a name with several revisions is listed once. */
  async list(options: { readonly after?: string; readonly limit: number }): Promise<string[]> {
    try {
      const names: string[] = [];
      let after = options.after;
      while (names.length < options.limit) {
        const want = options.limit - names.length;
        const docs = await this.files
          .find(after === undefined ? {} : { filename: { $gt: after } }, { projection: { filename: 1 } })
          .sort({ filename: 1 })
          .limit(want * 2)
          .toArray();
        for (const doc of docs) {
          if (doc.filename !== names[names.length - 1] && names.length < options.limit) names.push(doc.filename);
        }
        if (docs.length < want * 2) break;
        after = docs[docs.length - 1]?.filename;
      }
      return names;
    } catch (error) {
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'Could not list the files.', cause: error });
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async newest(name: string): Promise<GridFSFile | undefined> {
    const doc = await this.files.findOne({ filename: name }, { sort: { uploadDate: -1, _id: -1 } });
    return doc ?? undefined;
  }

  private infoOf(name: string, doc: GridFSFile): StoredFileInfo {
    const { metadata, contentType, tags } = splitMetadata(doc.metadata, (doc as Document)[STRATA_FIELD]);
    return {
      name,
      size: this.options.key === undefined ? doc.length : Math.max(0, doc.length - ENCRYPTION_OVERHEAD),
      ...withContentType(contentType ?? contentTypeForName(name)),
      etag: etagOf(doc._id),
      lastModified: doc.uploadDate,
      metadata,
      ...(tags === undefined ? {} : { tags }),
    };
  }

  /** Removes every trace of a failed upload: its chunks, and its files document should it exist. */
  private async discard(upload: GridFSBucketWriteStream): Promise<void> {
    await upload.abort().catch(() => undefined); // fails when the stream already ended or errored
    await this.chunks.deleteMany({ files_id: upload.id }).catch(() => undefined);
    await this.files.deleteOne({ _id: upload.id }).catch(() => undefined);
  }
}

function writeChunk(upload: GridFSBucketWriteStream, chunk: Buffer): Promise<void> {
  // The callback fires once the chunk is buffered or, when it completed a GridFS chunk, inserted.
  return new Promise((resolve, reject) => {
    upload.write(chunk, (error) => (error === null || error === undefined ? resolve() : reject(error)));
  });
}

function endUpload(upload: GridFSBucketWriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    upload.end((error?: Error | null) => (error === null || error === undefined ? resolve() : reject(error)));
  });
}

function withContentType(contentType: string | undefined): { contentType?: string } {
  return contentType === undefined ? {} : { contentType };
}

function etagOf(id: unknown): string {
  const text = id instanceof ObjectId ? id.toHexString() : String(id);
  return `"${text.replace(/[^\x21\x23-\x7e]/g, '')}"`;
}

/**
 * User metadata (values as strings), and the content type and tags Strata kept: in the document's own
 * `strata` field, or (older builds) under `metadata._strata`.
 */
function splitMetadata(
  raw: unknown,
  own: unknown,
): {
  metadata: Record<string, string>;
  contentType: string | undefined;
  tags: Record<string, string> | undefined;
} {
  const metadata: Record<string, string> = {};
  let contentType: string | undefined;
  let tags: Record<string, string> | undefined;
  const take = (kept: unknown): void => {
    if (kept === null || typeof kept !== 'object') return;
    const strata = kept as Record<string, unknown>;
    if (typeof strata['contentType'] === 'string') contentType = strata['contentType'];
    if (strata['tags'] !== null && typeof strata['tags'] === 'object') tags = stringValues(strata['tags']);
  };
  if (raw !== null && typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw)) {
      if (key === '__proto__') continue;
      if (key === RESERVED_KEY) {
        take(value);
        continue;
      }
      // parse-server stores whatever JSON the client sent; our interface is string → string.
      metadata[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  take(own);
  return { metadata, contentType, tags };
}

function stringValues(raw: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key !== '__proto__') out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

/** Read errors surface as ParseErrors (a revision deleted mid-read, the server gone). */
async function* guarded(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* stream;
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'Could not read the file.', cause: error });
  }
}

function isFileNotFound(error: unknown): boolean {
  return error instanceof Error && /FileNotFound|File not found/i.test(error.message);
}
