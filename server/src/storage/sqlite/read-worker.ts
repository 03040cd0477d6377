/**
 * One thread of the SQLite read pool (read-pool.ts): a read-only connection to the database file, running
 * the SELECTs the main thread compiled and answering with raw rows. In WAL mode each statement reads the
 * last committed state when it starts, so a read sent after an acknowledged write sees that write. The thread
 * runs `nice` steps below the server's priority (`--sqlite-read-nice`) and, with `idle`, under Linux's
 * `SCHED_IDLE` policy (`--sqlite-read-idle`): only on CPU that no other thread wants.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteDriver } from './driver.js';
import type { ReadReply, ReadRequest } from './read-pool.js';
import { lowerThisThread } from './thread-priority.js';

const { path, busyTimeoutMs, nice, idle } = workerData as {
  path: string;
  busyTimeoutMs: number;
  nice: number;
  idle: boolean;
};
// Before the first statement: a scan on this thread yields the CPU to the event loop (thread-priority.ts).
lowerThisThread({ nice, idle });
const driver = new SqliteDriver({ path, busyTimeoutMs, readonly: true });
const port = parentPort;

/**
 * This thread's CPU time in ms (Linux: the first field of /proc/thread-self/schedstat, in ns), so the pool can
 * tell a slow statement from one starved of CPU; undefined elsewhere (the pool then never calls SQL slow).
 */
function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

port?.on('message', (request: ReadRequest) => {
  let reply: ReadReply;
  try {
    const before = threadCpuMs();
    const rows = driver.allRaw(request.sql, request.params);
    const after = threadCpuMs();
    reply = { id: request.id, rows, ...(before === undefined || after === undefined ? {} : { cpuMs: after - before }) };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    reply = {
      id: request.id,
      error: {
        message: cause instanceof Error ? cause.message : String(cause),
        ...(cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? { code: cause.code } : {}),
      },
    };
  }
  port.postMessage(reply);
});
