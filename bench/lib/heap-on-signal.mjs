// Preloaded into a measured server (`node --expose-gc --import bench/lib/heap-on-signal.mjs ...`) by
// bench/live.js: on SIGWINCH (unused by servers, ignored by default; SIGUSR2 is profile-on-signal.mjs's, which
// may be loaded beside it) it collects garbage (twice: weak references and finalizers free more on the second
// pass) and writes `process.memoryUsage()` as JSON to $STRATA_BENCH_HEAP_FILE, so the memory per subscription
// is what the subscriptions keep alive, not garbage that has not been collected yet. Benchmark plumbing only.
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.STRATA_BENCH_HEAP_FILE;

process.on('SIGWINCH', () => {
  if (file === undefined || typeof globalThis.gc !== 'function') return;
  globalThis.gc();
  globalThis.gc();
  writeFileSync(`${file}.tmp`, JSON.stringify(process.memoryUsage()));
  renameSync(`${file}.tmp`, file);
});
