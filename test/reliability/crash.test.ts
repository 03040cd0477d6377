/**
 * Crash consistency in CI (issue 19 item 3): 3 rounds of SIGKILL under a mixed write load on SQLite and on
 * FerretDB (see crash-harness.ts for what is checked). `node bench/crash.js` runs 20 rounds and records them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCrashRounds } from './crash-harness.js';
import type { RoundResult } from './crash-harness.js';

const MONGO = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip =
  MONGO === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1' ? 'STRATA_TEST_MONGODB_URI is not set' : false;

function assertConsistent(results: readonly RoundResult[]): void {
  for (const round of results) {
    assert.deepEqual(round.lost, [], `round ${round.round}: acknowledged writes lost`);
    assert.deepEqual(round.partialTransactions, [], `round ${round.round}: partial transactions`);
    assert.deepEqual(round.corruptFiles, [], `round ${round.round}: corrupt files`);
    assert.deepEqual(round.jobsNotRun, [], `round ${round.round}: acknowledged jobs that did not run`);
  }
  const total = (key: keyof RoundResult['acked']): number => results.reduce((sum, r) => sum + r.acked[key], 0);
  // The load really ran: every kind of write was acknowledged at least once before some kill.
  for (const key of ['creates', 'increments', 'relations', 'files'] as const) assert.ok(total(key) > 0, key);
}

for (const backend of ['sqlite', 'mongodb'] as const) {
  describe(`crash consistency (${backend})`, { skip: backend === 'mongodb' ? mongoSkip : false }, () => {
    it('loses no acknowledged write over 3 SIGKILLs under load', async () => {
      const dir = mkdtempSync(join(tmpdir(), `strata-crash-${backend}-`));
      try {
        const results = await runCrashRounds({
          backend,
          rounds: 3,
          seed: 19_3,
          dir,
          ...(MONGO === undefined ? {} : { mongoURI: MONGO }),
          log: (line) => console.log(line),
        });
        assertConsistent(results);
        const acknowledged = results.reduce((sum, r) => sum + r.acked.transactions, 0);
        if (backend === 'sqlite') assert.ok(acknowledged > 0, 'transactions were acknowledged');
        else assert.equal(acknowledged, 0, 'FerretDB has no transactions: every transactional batch is refused');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
