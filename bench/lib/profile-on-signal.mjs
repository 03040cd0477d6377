// Preloaded into a benchmarked server (`node --import bench/lib/profile-on-signal.mjs ...`) by
// bench/server-cpu.mjs --profile: the first SIGUSR2 starts V8's CPU profiler, the second stops it and writes
// the profile to $STRATA_BENCH_PROFILE_DIR/<pid>-<n>.cpuprofile (n = 1, 2, ...), so the profile covers the measured requests only (not module loading
// or seeding, which dominate a whole-life `--cpu-prof`).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const dir = process.env.STRATA_BENCH_PROFILE_DIR;
let session;
let written = 0;

process.on('SIGUSR2', () => {
  if (session === undefined) {
    session = new Session();
    session.connect();
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  const current = session;
  session = undefined;
  current.post('Profiler.stop', (err, result) => {
    written += 1;
    if (err === null && dir !== undefined)
      writeFileSync(`${dir}/${process.pid}-${written}.cpuprofile`, JSON.stringify(result.profile));
    current.disconnect();
  });
});
