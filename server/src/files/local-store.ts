import { createHash } from 'node:crypto';
import { open, opendir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ErrorCode, ParseError } from '../errors/index.js';
import { makeDirectory, randomHex } from '../lib/index.js';
import type { FileRead, FileStore, FileWrite, StoredFileInfo } from './adapter.js';
import { checkFileAttributes } from './attributes.js';
import { contentTypeForName } from './content-type.js';
import { assertSafeFileName } from './names.js';
import { NO_BYTES, resolveRange } from './range.js';
import { MeteredSource } from './source.js';

/** Temp files of interrupted writes older than this are removed when a store opens. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const TEMP_DIR = '.tmp';
const SIDECAR_DIR = '.meta';

/**
 * What the sidecar `.meta/<name>` holds. `size`, `mtimeMs` and `ino` identify the data file it was
 * written with: a sidecar that does not match the data file beside it (a crash between the two renames of
 * an overwrite, a file replaced by hand) is ignored rather than trusted.
 */
interface Sidecar {
  readonly v: 1;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly sha256: string;
  readonly contentType?: string;
  readonly metadata: Record<string, string>;
  readonly tags?: Record<string, string>;
}

/**
 * Files in a local directory: `<root>/<name>` holds the bytes (a `/` in the name is a sub-directory), the
 * sidecar `<root>/.meta/<name>` (JSON) the content type, metadata, tags and a SHA-256 (the ETag). Names never
 * start with a dot, so `.tmp` and `.meta` cannot collide with a file.
 *
 * A write streams into `.tmp/<random>` (same filesystem, so rename is atomic), fsyncs, writes the sidecar
 * the same way, then renames the sidecar and finally the data into place and fsyncs the directory: the
 * file appears whole or not at all, and an acknowledged write survives a crash. Any failure removes the
 * temp files. Files put there by hand (no sidecar) are served with an ETag from size and mtime and a
 * content type from the extension. Empty sub-directories are left after deletes (harmless, and removing
 * them would race a concurrent write into the same directory).
 */
export class LocalFileStore implements FileStore {
  readonly kind = 'local';
  private readonly root: string;

  private constructor(directory: string) {
    this.root = resolve(directory);
  }

  /** Creates the directory if needed and removes temp files left by writes interrupted over an hour ago. */
  static async open(options: { readonly directory: string; readonly now?: () => number }): Promise<LocalFileStore> {
    const store = new LocalFileStore(options.directory);
    await makeDirectory(join(store.root, TEMP_DIR), { mode: 0o700 });
    await makeDirectory(join(store.root, SIDECAR_DIR), { mode: 0o700 });
    await store.removeStaleTemps((options.now ?? Date.now)());
    return store;
  }

  async write(file: FileWrite): Promise<StoredFileInfo> {
    const target = this.pathOf(file.name);
    const { metadata, tags } = checkFileAttributes(file);
    const source = new MeteredSource(file);
    const tempData = join(this.root, TEMP_DIR, `${randomHex(12)}.data`);
    const tempSidecar = join(this.root, TEMP_DIR, `${randomHex(12)}.json`);
    try {
      const written = await writeData(tempData, source);
      const sidecar: Sidecar = {
        v: 1,
        size: written.size,
        mtimeMs: written.mtimeMs,
        ino: written.ino,
        sha256: written.sha256,
        ...(file.contentType === undefined ? {} : { contentType: file.contentType }),
        metadata,
        ...(tags === undefined ? {} : { tags }),
      };
      await writeDurably(tempSidecar, JSON.stringify(sidecar));
      if (file.signal?.aborted === true) {
        throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'The upload was aborted.' });
      }
      const sidecarPath = this.sidecarPathOf(file.name);
      await makeDirectory(dirname(target), { mode: 0o700 });
      await makeDirectory(dirname(sidecarPath), { mode: 0o700 });
      await rename(tempSidecar, sidecarPath);
      await rename(tempData, target);
      await syncDirectory(dirname(target));
      await syncDirectory(dirname(sidecarPath));
      return this.infoFrom({ name: file.name, sidecar, mtimeMs: written.mtimeMs });
    } catch (error) {
      await Promise.all([removeQuietly(tempData), removeQuietly(tempSidecar)]);
      if (error instanceof ParseError) throw error;
      throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Could not store the file.', cause: error });
    }
  }

  async stat(name: string): Promise<StoredFileInfo | undefined> {
    const handle = await this.openIfPresent(name);
    if (handle === undefined) return undefined;
    try {
      return await this.describe(name, handle);
    } finally {
      await handle.close();
    }
  }

  async read(options: FileRead): Promise<AsyncIterable<Uint8Array> | undefined> {
    const handle = await this.openIfPresent(options.name);
    if (handle === undefined) return undefined;
    // Reading through the handle we opened keeps serving these bytes even if the file is replaced or
    // deleted meanwhile.
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return undefined;
      }
      const range = resolveRange(options, info.size);
      if (range === undefined) {
        await handle.close();
        return NO_BYTES;
      }
      return handle.createReadStream({ start: range.start, end: range.end, autoClose: true });
    } catch (error) {
      await handle.close();
      throw error instanceof ParseError ? error : new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { cause: error });
    }
  }

  async delete(name: string): Promise<boolean> {
    const target = this.pathOf(name);
    try {
      await unlink(target);
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') return false;
      throw new ParseError(ErrorCode.FILE_DELETE_ERROR, { cause: error });
    }
    await removeQuietly(this.sidecarPathOf(name));
    return true;
  }

  /**
   * Walks the tree once per page keeping only the `limit` smallest names after `after` (memory bounded by
   * the page, time by the number of files: a directory has no order to seek in). The store's own `.tmp` and
   * `.meta` directories are skipped; names never start with a dot.
   */
  async list(options: { readonly after?: string; readonly limit: number }): Promise<string[]> {
    const page = new SmallestNames(options.limit);
    const walk = async (directory: string, prefix: string): Promise<void> => {
      let dir;
      try {
        dir = await opendir(directory);
      } catch (error) {
        if (isMissing(error)) return;
        throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { cause: error });
      }
      for await (const entry of dir) {
        if (entry.name.startsWith('.')) continue;
        const name = prefix + entry.name;
        if (entry.isDirectory()) await walk(join(directory, entry.name), `${name}/`);
        else if (entry.isFile() && (options.after === undefined || name > options.after)) page.offer(name);
      }
    };
    await walk(this.root, '');
    return page.sorted();
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  /** The data file's path; refuses names that are unsafe or would resolve outside the root (122). */
  private pathOf(name: string): string {
    assertSafeFileName(name);
    const path = resolve(this.root, name);
    if (!path.startsWith(this.root + sep)) {
      throw new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename resolves outside the files directory.' });
    }
    return path;
  }

  /** The stored file opened for reading, or undefined when there is none. */
  private async openIfPresent(name: string): Promise<FileHandle | undefined> {
    const target = this.pathOf(name);
    try {
      return await open(target, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { cause: error });
    }
  }

  private sidecarPathOf(name: string): string {
    // The same tree as the data, so the two collide exactly when the data names themselves would.
    return join(this.root, SIDECAR_DIR, name);
  }

  private async describe(name: string, handle: FileHandle): Promise<StoredFileInfo | undefined> {
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const sidecar = await this.readSidecar(name);
    if (
      sidecar !== undefined &&
      sidecar.size === info.size &&
      sidecar.mtimeMs === info.mtimeMs &&
      sidecar.ino === info.ino
    ) {
      return this.infoFrom({ name, sidecar, mtimeMs: info.mtimeMs });
    }
    return {
      name,
      size: info.size,
      ...withContentType(contentTypeForName(name)),
      etag: `"${info.size.toString(16)}-${Math.trunc(info.mtimeMs * 1000).toString(16)}-${info.ino.toString(16)}"`,
      lastModified: new Date(Math.trunc(info.mtimeMs)),
      metadata: {},
    };
  }

  private infoFrom(input: { name: string; sidecar: Sidecar; mtimeMs: number }): StoredFileInfo {
    const { sidecar } = input;
    return {
      name: input.name,
      size: sidecar.size,
      ...withContentType(sidecar.contentType ?? contentTypeForName(input.name)),
      etag: `"${sidecar.sha256}"`,
      lastModified: new Date(Math.trunc(input.mtimeMs)),
      metadata: sidecar.metadata,
      ...(sidecar.tags === undefined ? {} : { tags: sidecar.tags }),
    };
  }

  private async readSidecar(name: string): Promise<Sidecar | undefined> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.sidecarPathOf(name), 'utf8'));
      return isSidecar(parsed) ? parsed : undefined;
    } catch {
      return undefined; // missing or unreadable: fall back to what the data file says
    }
  }

  private async removeStaleTemps(now: number): Promise<void> {
    const directory = join(this.root, TEMP_DIR);
    for (const entry of await readdir(directory)) {
      const path = join(directory, entry);
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true, recursive: true });
    }
  }
}

/** Streams `source` into a new file at `path`, fsyncs it, and reports what was written. */
async function writeData(
  path: string,
  source: MeteredSource,
): Promise<{ size: number; mtimeMs: number; ino: number; sha256: string }> {
  const handle = await open(path, 'wx', 0o600);
  try {
    const hash = createHash('sha256');
    let position = 0;
    for await (const chunk of source) {
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset, position);
        offset += bytesWritten;
        position += bytesWritten;
      }
    }
    await handle.sync();
    const info = await handle.stat();
    return { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, sha256: hash.digest('base64url') };
  } finally {
    await handle.close();
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename inside `directory` durable. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}

/** The `limit` smallest strings offered, kept sorted (a page of a listing without loading the rest). */
class SmallestNames {
  private readonly names: string[] = [];
  constructor(private readonly limit: number) {}

  offer(name: string): void {
    const names = this.names;
    if (names.length >= this.limit && name >= (names[names.length - 1] as string)) return;
    let low = 0;
    let high = names.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((names[mid] as string) < name) low = mid + 1;
      else high = mid;
    }
    names.splice(low, 0, name);
    if (names.length > this.limit) names.pop();
  }

  sorted(): string[] {
    return [...this.names];
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function withContentType(contentType: string | undefined): { contentType?: string } {
  return contentType === undefined ? {} : { contentType };
}

function isSidecar(value: unknown): value is Sidecar {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return (
    record['v'] === 1 &&
    typeof record['size'] === 'number' &&
    typeof record['mtimeMs'] === 'number' &&
    typeof record['ino'] === 'number' &&
    typeof record['sha256'] === 'string' &&
    record['metadata'] !== null &&
    typeof record['metadata'] === 'object'
  );
}
