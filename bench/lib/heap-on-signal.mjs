// Preloaded into a measured server (`node --expose-gc --import bench/lib/heap-on-signal.mjs ...`) by
// bench/live.js: on SIGWINCH (unused by servers, ignored by default; SIGUSR2 is profile-on-signal.mjs's, which
// may be loaded beside it) it collects garbage (twice: weak references and finalizers free more on the second
// pass) and writes `process.memoryUsage()` as JSON to $STRATA_BENCH_HEAP_FILE, so the memory per subscription
// is what the subscriptions keep alive, not garbage that has not been collected yet. It also counts the time
// the process spent in garbage collection (V8's own GC entries): `gc` is the total before this probe's forced
// collections and `gcAfter` after them, so the GC time between two probes is `gc` of the later minus `gcAfter`
// of the earlier. Benchmark plumbing only.
import { renameSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const file = process.env.STRATA_BENCH_HEAP_FILE;
const totals = { minorMs: 0, majorMs: 0, collections: 0 };

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) totals.majorMs += entry.duration;
    else totals.minorMs += entry.duration;
    totals.collections++;
  }
}).observe({ entryTypes: ['gc'] });

process.on('SIGWINCH', () => {
  if (file === undefined || typeof globalThis.gc !== 'function') return;
  const gc = { ...totals };
  globalThis.gc();
  globalThis.gc();
  // The observer hears of the forced collections on a later tick: wait for it before reading the totals.
  setTimeout(() => {
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...process.memoryUsage(), gc, gcAfter: { ...totals } }));
    renameSync(`${file}.tmp`, file);
  }, 50);
});
