import { dirname } from 'node:path';
import { ErrorCode, ParseError } from '../errors/index.js';
import { makeDirectorySync } from '../lib/index.js';
import type { StorageAdapter } from './adapter.js';

export interface OpenStorageOptions {
  /** How long to wait for a MongoDB server before failing (default 5000 ms). SQLite opens a file: no wait. */
  readonly connectTimeoutMs?: number;
  /** SQLite: threads running reads off the event loop (default 0: every read on the one connection). */
  readonly sqliteReadThreads?: number;
  /** SQLite: CPU priority steps below the server's for those threads (default 0: the same). */
  readonly sqliteReadNice?: number;
  /** SQLite: run SQL known to be slow on threads under Linux's `SCHED_IDLE` policy (default off). */
  readonly sqliteReadIdle?: boolean;
}

/**
 * Opens the backend a database URI names: `sqlite:<path>` (or `sqlite::memory:`) or `mongodb://` /
 * `mongodb+srv://`. Backends are imported on demand so that an embedded start never loads the MongoDB
 * driver (cold start), and vice versa. A database that cannot be opened or reached fails with a message
 * naming it and the reason, never the bare "Internal server error.".
 */
export async function openStorage(uri: string, options: OpenStorageOptions = {}): Promise<StorageAdapter> {
  if (uri.startsWith('sqlite:')) {
    const { createSqliteStorage } = await import('./sqlite/index.js');
    const path = uri.slice('sqlite:'.length);
    try {
      // The first start creates the data directory (owner-only: it holds the database).
      if (path !== ':memory:') makeDirectorySync(dirname(path), { mode: 0o700 });
      return createSqliteStorage({
        path,
        readThreads: options.sqliteReadThreads ?? 0,
        readNice: options.sqliteReadNice ?? 0,
        readIdle: options.sqliteReadIdle ?? false,
      });
    } catch (err) {
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
        message: `cannot open the SQLite database ${path}: ${reasonOf(err)}`,
        cause: err,
      });
    }
  }
  if (uri.startsWith('mongodb://') || uri.startsWith('mongodb+srv://')) {
    const { openMongoStorage } = await import('./mongo/index.js');
    return openMongoStorage({ uri, connectTimeoutMs: options.connectTimeoutMs ?? 5000 });
  }
  throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
    message: `Unsupported database URI "${uri}": use sqlite:<path> or mongodb://...`,
  });
}

/** The most specific message: a storage ParseError's generic text hides the driver's own. */
function reasonOf(err: unknown): string {
  let current: unknown = err;
  while (current instanceof ParseError && current.cause !== undefined) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
