// Embedded mode's promise: a job accepted by a server that then crashes (SIGKILL, no shutdown code runs)
// runs when a server starts again on the same SQLite file. The in-process queue's record is `_JobStatus`.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APP_ID, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import { blockerRuns, exited, spawnJobProcess, until, waitForFinish } from './jobs.test-util.js';

describe('in-process jobs survive a crash', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-jobs-crash-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a server SIGKILLed mid-job runs the job again when it starts on the same database', async () => {
    const databaseURI = `sqlite:${join(dir, 'crash.db')}`;
    let child: ChildProcess | undefined;
    try {
      const crashing = await spawnJobProcess({
        JOBS_DATABASE_URI: databaseURI,
        JOBS_APP_ID: APP_ID,
        JOBS_DIR: dir,
        JOBS_ROLE: 'all',
      });
      child = crashing.child;
      const response = await fetch(`http://127.0.0.1:${crashing.port}/parse/jobs/blocker`, {
        method: 'POST',
        headers: {
          'X-Parse-Application-Id': APP_ID,
          'X-Parse-Master-Key': MASTER_KEY,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ n: 1 }),
      });
      assert.equal(response.status, 200);
      const id = response.headers.get('x-parse-job-status-id') as string;
      await until('the job to start in the child', () => blockerRuns(dir).length === 1);
      crashing.child.kill('SIGKILL');
      await exited(crashing.child);
      assert.equal(crashing.child.signalCode, 'SIGKILL');

      let params: unknown;
      const restarted = await startTestServer({
        databaseURI,
        cloudSetup: (registry) =>
          registry.defineJob({
            name: 'blocker',
            source: 'strata',
            handler: async (request) => {
              params = request.params;
              return 'finished after the crash';
            },
          }),
      });
      try {
        const row = await waitForFinish(restarted, id);
        assert.equal(row.status, 'succeeded');
        assert.equal(row.message, 'finished after the crash');
        assert.equal(row.attempts, 2);
        assert.deepEqual(params, { n: 1 });
      } finally {
        await restarted.close();
      }
    } finally {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (child !== undefined) await exited(child);
    }
  });
});
