/**
 * The long crash-consistency run (issue 19 item 3), started by `node bench/crash.js`: N rounds (default 20)
 * per backend, the results printed and written as JSON. Usage:
 *   node --import tsx test/reliability/crash-run.ts [--rounds 20] [--backends sqlite,mongodb] [--out file.json]
 * MongoDB runs against STRATA_TEST_MONGODB_URI (FerretDB here); without it that backend is skipped, with the reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashRounds } from './crash-harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    backends: { type: 'string', default: 'sqlite,mongodb' },
    out: { type: 'string' },
    seed: { type: 'string', default: '20261207' },
  },
});
const report: Record<string, unknown> = { startedAt: new Date().toISOString(), rounds: Number(values.rounds) };
let failed = false;
for (const backend of (values.backends ?? '').split(',') as Array<'sqlite' | 'mongodb'>) {
  const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
  if (backend === 'mongodb' && mongoURI === undefined) {
    process.stdout.write('mongodb: skipped (STRATA_TEST_MONGODB_URI is not set)\n');
    report[backend] = { skipped: 'STRATA_TEST_MONGODB_URI is not set' };
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), `strata-crash-run-${backend}-`));
  try {
    const results = await runCrashRounds({
      backend,
      rounds: Number(values.rounds),
      seed: Number(values.seed),
      dir,
      ...(mongoURI === undefined ? {} : { mongoURI }),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const sum = (pick: (r: (typeof results)[number]) => number): number => results.reduce((n, r) => n + pick(r), 0);
    const summary = {
      rounds: results.length,
      acknowledged: {
        creates: sum((r) => r.acked.creates),
        increments: sum((r) => r.acked.increments),
        relations: sum((r) => r.acked.relations),
        transactions: sum((r) => r.acked.transactions),
        files: sum((r) => r.acked.files),
        jobs: sum((r) => r.acked.jobs),
      },
      transactionsRefused: results.at(-1)?.transactionsRefused ?? 0,
      lost: sum((r) => r.lost.length),
      partialTransactions: sum((r) => r.partialTransactions.length),
      corruptFiles: sum((r) => r.corruptFiles.length),
      jobsNotRun: sum((r) => r.jobsNotRun.length),
    };
    if (summary.lost + summary.partialTransactions + summary.corruptFiles + summary.jobsNotRun > 0) failed = true;
    process.stdout.write(`${backend}: ${JSON.stringify(summary)}\n`);
    report[backend] = { summary, results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
report['finishedAt'] = new Date().toISOString();
if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.exit(failed ? 1 : 0);
