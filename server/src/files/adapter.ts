/**
 * The contract every file store implements (local directory, GridFS; S3-compatible later).
 *
 * Shaped so an object store fits without changes: names are flat keys (a `/` inside a name is just a
 * character of the key, like S3's; the local store maps it to sub-directories), metadata and tags are
 * string → string maps, reads may ask for a byte range, and nothing needs a directory listing. A store
 * never picks names: the caller (the files route) sanitizes the user's name and makes it unique first.
 */

/** What a store knows about one stored file. */
export interface StoredFileInfo {
  /** The stored (unique) name, as given to `write`. */
  readonly name: string;
  /** Length in bytes (of the plaintext, for an encrypted GridFS store). */
  readonly size: number;
  /**
   * As given at write time; for a file written without one (every file parse-server wrote to GridFS) it
   * is derived from the name's extension, and absent when the extension is unknown.
   */
  readonly contentType?: string;
  /** Strong validator, already quoted for an `ETag` header; stable while the content is unchanged. */
  readonly etag: string;
  readonly lastModified: Date;
  /** Parse.File metadata (`{}` when none). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Parse.File tags, when the store keeps them. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** One file to store. */
export interface FileWrite {
  /** Already sanitized and made unique by the caller; the store still refuses unsafe names (code 122). */
  readonly name: string;
  readonly contentType?: string;
  /** The bytes, streamed (a node `Readable` is one); never buffered whole. */
  readonly source: AsyncIterable<Uint8Array>;
  /** Abort with ParseError 116 (OBJECT_TOO_LARGE) while streaming once more bytes than this arrive. */
  readonly maxBytes?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  /** An aborted upload: `write` rejects and leaves nothing behind. */
  readonly signal?: AbortSignal;
}

/** A byte range to read: `start` and `end` are inclusive offsets, as in an HTTP `Range` header. */
export interface FileRead {
  readonly name: string;
  /** First byte (default 0). */
  readonly start?: number;
  /** Last byte, inclusive (default: the last byte of the file); clamped to the file's end. */
  readonly end?: number;
}

/**
 * A place to keep uploaded files.
 *
 * @example
 * const store = await openFileStore({ kind: 'local', directory: '/var/lib/strata/files' });
 * const info = await store.write({ name: 'a1b2_photo.jpg', contentType: 'image/jpeg', source: req });
 * const body = await store.read({ name: info.name, start: 0, end: 1023 });
 */
export interface FileStore {
  readonly kind: 'local' | 'gridfs' | (string & {});
  /**
   * Stores a file. Atomic: the file becomes visible only once completely written; on any failure (source
   * error, `maxBytes` exceeded, aborted signal, storage error) it rejects and nothing is left behind. A
   * second write of the same name replaces the first (GridFS keeps the old revision until deleted, and
   * reads the newest).
   */
  write(file: FileWrite): Promise<StoredFileInfo>;
  /** Undefined when there is no such file. */
  stat(name: string): Promise<StoredFileInfo | undefined>;
  /**
   * Bytes [start, end] inclusive (HTTP Range semantics); the whole file when both are omitted. Undefined
   * when the file is missing. Validate the range against `stat()` first: a negative, fractional or reversed
   * range is refused with code 162 (INVALID_VALUE), an `end` past the file is clamped, and a `start` past
   * the end yields no bytes. Consume the stream to its end or stop it (`break` out of `for await`, or
   * `destroy()` a node stream): it may hold a file handle or a cursor until then.
   */
  read(options: FileRead): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** True when something was deleted. */
  delete(name: string): Promise<boolean>;
  /**
   * One page of stored names in code-unit order: the first `limit` names after `after` (from the start
   * when absent). Cursor paging, so a page costs the same wherever it is (an admin listing: Parse itself has
   * no file listing). Optional: a store without it cannot be listed.
   */
  list?(options: { readonly after?: string; readonly limit: number }): Promise<string[]>;
  /** Releases connections and handles; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** How to open a store (see `openFileStore`). */
export type FileStoreOptions =
  | { readonly kind: 'local'; readonly directory: string }
  | {
      readonly kind: 'gridfs';
      /** A MongoDB URI naming the database (the same database as the objects, like parse-server). */
      readonly uri: string;
      /** Default `fs` (collections `fs.files` and `fs.chunks`), parse-server's bucket. */
      readonly bucketName?: string;
      /** parse-server's GridFS encryption key (its default wiring passes `fileKey`); off when absent. */
      readonly encryptionKey?: string;
    };
