/**
 * The WAL checkpointer's thread (checkpointer.ts): its own read-write connection to the database file, which on
 * each message copies the WAL's committed frames back into the file (PASSIVE: it neither waits for nor blocks the
 * writer or the readers), with the fsyncs that go with it, and answers how many frames it copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteDriver } from './driver.js';

const { path } = workerData as { path: string };
// No busy wait: a checkpoint already running (another process's) makes this one give way until the next request.
const driver = new SqliteDriver({ path, busyTimeoutMs: 0 });
driver.pragma('wal_autocheckpoint = 0');
const port = parentPort;

port?.on('message', () => {
  let copied = 0;
  try {
    const [row] = driver.pragma('wal_checkpoint(PASSIVE)') as { checkpointed?: number }[];
    copied = row?.checkpointed ?? 0;
  } catch {
    // SQLITE_BUSY (another checkpoint is running): the next request tries again; the writer's own
    // auto-checkpoint bounds the WAL meanwhile.
  }
  port.postMessage(copied);
});
