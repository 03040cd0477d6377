import type { StorageAdapter } from '../adapter.js';
import { COMMITS_PER_CHECKPOINT, Checkpointer, WRITER_AUTO_CHECKPOINT } from './checkpointer.js';
import { SqliteDriver } from './driver.js';
import type { SqliteDriverOptions } from './driver.js';
import { ReadPool } from './read-pool.js';
import { SqliteStorage } from './sqlite-storage.js';
import { SqliteState } from './state.js';

/** `createSqliteStorage`'s options: the driver's, plus the threads beside the connection. */
export interface SqliteStorageOptions extends SqliteDriverOptions {
  /**
   * Threads that run finds and counts off the event loop, each with its own read-only connection (0: every
   * read on the one connection). A file database only; `:memory:` has nothing to share.
   */
  readonly readThreads?: number;
  /** Steps of CPU priority below the server's that the read threads run at (Linux; 0 or unset: the same). */
  readonly readNice?: number;
  /** Run SQL known to be slow on threads under Linux's `SCHED_IDLE` policy (see read-pool.ts). Default: off. */
  readonly readIdle?: boolean;
  /** WAL checkpoints on a thread instead of the committing event loop (checkpointer.ts). Default: on for a file. */
  readonly checkpointThread?: boolean;
}

/**
 * Opens (or creates) a SQLite database and returns it as a `StorageAdapter`. Call `initialize()` once
 * before use.
 *
 * @example
 * const storage = createSqliteStorage({ path: './data/strata.db' });
 * await storage.initialize();
 */
export function createSqliteStorage(options: SqliteStorageOptions): StorageAdapter {
  const threads = options.path === ':memory:' ? 0 : (options.readThreads ?? 0);
  const pool =
    threads > 0
      ? new ReadPool({
          path: options.path,
          size: threads,
          busyTimeoutMs: options.busyTimeoutMs ?? 5000,
          nice: options.readNice ?? 0,
          idle: options.readIdle ?? false,
        })
      : undefined;
  const driver = new SqliteDriver(options);
  const file = options.path !== ':memory:' && options.checkpointThread !== false;
  if (file) driver.pragma(`wal_autocheckpoint = ${WRITER_AUTO_CHECKPOINT}`);
  const checkpointer = file
    ? new Checkpointer({ path: options.path, everyCommits: COMMITS_PER_CHECKPOINT })
    : undefined;
  return new SqliteStorage(new SqliteState(driver, checkpointer), null, pool);
}
