import { readlinkSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The name a read-pool thread shows in `top -H`, `ps -L` and `/proc/<pid>/task/<tid>/comm` (15 bytes at most). */
export const READ_THREAD_NAME = 'strata-read';

/**
 * Called by a read-pool thread on itself: names the thread and lowers its CPU priority by `nice` steps below
 * the server's own (capped at 19). On Linux the nice value is per thread, so only this thread yields: when the
 * cores are busy, the scheduler gives the event loop (and every thread at the server's priority) about nine
 * times the CPU of a thread 10 steps lower, and a runaway scan gets what they leave; on idle cores nothing
 * changes. `os.setPriority()` without a pid would set the main thread's value, so the thread's own id comes
 * from `/proc/thread-self`. Only raising the value is asked for, which needs no privilege.
 *
 * Where there is no `/proc/thread-self` (not Linux) this does nothing and answers `undefined`: a process-wide
 * call would lower the event loop too. Best effort otherwise: a refused call leaves the thread as it was rather
 * than failing every read it would run. Answers the thread's nice value after the change.
 */
export function lowerThisThread(options: { readonly nice: number }): number | undefined {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(tid) || tid <= 0) return undefined;
  try {
    writeFileSync('/proc/thread-self/comm', READ_THREAD_NAME);
  } catch {
    // The name only helps people and tools find the thread; the priority below matters.
  }
  try {
    const current = getPriority(tid);
    if (options.nice > 0) setPriority(tid, Math.min(19, current + options.nice));
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
