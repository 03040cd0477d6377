#!/usr/bin/env node
// Crash consistency, the long run (issue 19 item 3): 20 rounds of SIGKILL under a mixed write load per backend,
// results in bench/results/<timestamp>-crash.json. The harness is test/reliability/crash-harness.ts (CI runs 3).
// Usage: node bench/crash.js [--rounds 20] [--backends sqlite,mongodb]   (mongodb needs STRATA_TEST_MONGODB_URI)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `bench/results/${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}-crash.json`;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'test/reliability/crash-run.ts', '--out', out, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
console.log(`results: ${out}`);
process.exit(result.status ?? 1);
