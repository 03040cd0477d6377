// What every standalone benchmark (compare.js, slow-scan.js) does around its measurements: the load average
// printed before and after (a run on a busy machine is not a measurement of the servers), and the results file
// under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';

/** Prints `load average <when>: 1m 5m 15m` and answers the three numbers (for the results file). */
export function reportLoadAverage(when) {
  const load = loadavg();
  process.stdout.write(`load average ${when}: ${load.map((n) => n.toFixed(2)).join(' ')}\n`);
  return load;
}

/** Writes the results to `out`, or to bench/results/<timestamp>-<kind>.json, and prints where. */
export function writeResults({ results, out, benchDir, kind }) {
  const file =
    out ??
    path.join(benchDir, 'results', `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${kind}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
}
