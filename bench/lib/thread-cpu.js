// CPU per thread of one process around a measurement (Linux /proc/<pid>/task/*/stat): the main thread (the event
// loop), Strata's SQLite read threads (named `strata-read`, see server/src/storage/sqlite/thread-priority.ts) and
// the rest (V8's GC and compiler helpers, libuv's pool). Each is in cores (CPU seconds per second of wall time),
// so the split between the loop and a scanning thread reads the same whatever else runs on the machine: what other
// processes take is missing from both, not moved between them. Returns null where /proc is unavailable.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const READ_THREAD_NAME = 'strata-read';

/**
 * tid -> { name, ticks (utime + stime, 1/100 s), nice, policy (0 normal, 5 SCHED_IDLE), waitNs (time spent
 * runnable but waiting for a CPU, from schedstat) } for every thread of `pid`.
 */
function threadsOf(pid) {
  const out = new Map();
  for (const entry of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), {
        name: readFileSync(`/proc/${pid}/task/${entry}/comm`, 'utf8').trim(),
        ticks: Number(fields[11]) + Number(fields[12]),
        nice: Number(fields[16]),
        policy: Number(fields[38]),
        waitNs: Number(readFileSync(`/proc/${pid}/task/${entry}/schedstat`, 'utf8').split(' ')[1]),
      });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/**
 * Starts the accounting for `pid`; the returned function answers `{ mainCores, readThreadCores, otherCores,
 * readThreads, readThreadNice, readThreadIdle, mainWaitMsPerSec, scanShare }` since the start. `mainWaitMsPerSec`
 * is how long the event loop was ready to run but waited for a CPU, per second: the CPU it lost to other threads. A thread born during the measurement counts from 0;
 * one that ended is lost (its last ticks are not visible any more). `scanShare` is the read threads' part of
 * what the loop and they used together.
 */
export function startThreadAccounting(pid) {
  let before;
  let at;
  try {
    before = threadsOf(pid);
    at = performance.now();
  } catch {
    return () => null;
  }
  return () => {
    try {
      const after = threadsOf(pid);
      const seconds = (performance.now() - at) / 1000;
      let main = 0;
      let read = 0;
      let other = 0;
      let mainWaitNs = 0;
      const readNice = new Set();
      const readIdle = new Set();
      for (const [tid, t] of after) {
        const used = t.ticks - (before.get(tid)?.ticks ?? 0);
        if (tid === pid) {
          main += used;
          mainWaitNs = t.waitNs - (before.get(tid)?.waitNs ?? 0);
        } else if (t.name === READ_THREAD_NAME) {
          read += used;
          readNice.add(t.nice);
          readIdle.add(t.policy === 5);
        } else other += used;
      }
      const cores = (ticks) => Number((ticks / 100 / seconds).toFixed(3));
      return {
        mainCores: cores(main),
        readThreadCores: cores(read),
        otherCores: cores(other),
        readThreads: [...after.values()].filter((t) => t.name === READ_THREAD_NAME).length,
        readThreadNice: [...readNice],
        readThreadIdle: [...readIdle],
        mainWaitMsPerSec: Number((mainWaitNs / 1e6 / seconds).toFixed(1)),
        scanShare: main + read === 0 ? 0 : Number((read / (main + read)).toFixed(3)),
      };
    } catch {
      return null;
    }
  };
}
