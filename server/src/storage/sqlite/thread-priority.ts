import { execFileSync } from 'node:child_process';
import { readlinkSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The name a read-pool thread shows in `top -H`, `ps -L` and `/proc/<pid>/task/<tid>/comm` (15 bytes at most). */
export const READ_THREAD_NAME = 'strata-read';

/** Linux's `SCHED_IDLE` policy number, as `/proc/<pid>/task/<tid>/stat` shows it (field 41). */
export const SCHED_IDLE = 5;

/**
 * Called by a read-pool thread on itself: names the thread and lowers its CPU priority by `nice` steps below
 * the server's own (capped at 19). On Linux the nice value is per thread, so only this thread yields: when the
 * cores are busy, the scheduler gives the event loop (and every thread at the server's priority) about nine
 * times the CPU of a thread 10 steps lower, and a runaway scan gets what they leave; on idle cores nothing
 * changes. `os.setPriority()` without a pid would set the main thread's value, so the thread's own id comes
 * from `/proc/thread-self`. Only raising the value is asked for, which needs no privilege.
 *
 * With `idle`, the thread also moves to Linux's `SCHED_IDLE` policy (through util-linux's `chrt`, which every
 * Debian image has; Node has no call for it). A nice value only weighs threads that wait for the same core:
 * on two cores the scheduler still places a scan beside the event loop and lets it finish its slice when the
 * loop wakes, so a get waits behind it. A `SCHED_IDLE` thread is preempted as soon as any other thread wakes on
 * its core, and its core counts as free when the scheduler places a waking thread: the scan runs only on CPU
 * that the loop, its helpers and the other processes leave. Moving to it needs no privilege (moving back would).
 *
 * Where there is no `/proc/thread-self` (not Linux) this does nothing: a process-wide call would lower the event
 * loop too. Best effort otherwise: a refused call, or no `chrt`, leaves the thread as it was (or only niced)
 * rather than failing every read it would run. Answers what the thread got.
 */
export function lowerThisThread(options: { readonly nice: number; readonly idle?: boolean }): {
  readonly nice: number | undefined;
  readonly idle: boolean;
} {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return { nice: undefined, idle: false };
  }
  if (!Number.isInteger(tid) || tid <= 0) return { nice: undefined, idle: false };
  try {
    writeFileSync('/proc/thread-self/comm', READ_THREAD_NAME);
  } catch {
    // The name only helps people and tools find the thread; the priority below matters.
  }
  let nice: number | undefined;
  try {
    const current = getPriority(tid);
    if (options.nice > 0) setPriority(tid, Math.min(19, current + options.nice));
    nice = getPriority(tid);
  } catch {
    nice = undefined;
  }
  return { nice, idle: options.idle === true && idleThread(tid) };
}

/** `chrt --idle -p 0 <tid>`: true when the thread now runs under `SCHED_IDLE`. */
function idleThread(tid: number): boolean {
  try {
    execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
