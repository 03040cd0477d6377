import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import type { CloudRegistry } from './registry.js';
import type { JobHandler, JobOptions } from './types.js';
import { jobStatus, startJob, until, waitForFinish, waitForStatus } from './jobs.test-util.js';

const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
if (mongoURI === undefined && !requireServices) {
  console.log('# skipping the MongoDB job tests: STRATA_TEST_MONGODB_URI is not set');
}

/** Registers a job: its handler, or the handler with its options. */
function job(
  registry: CloudRegistry,
  name: string,
  spec: JobHandler | { readonly handler: JobHandler; readonly options: JobOptions },
): void {
  if (typeof spec === 'function') registry.defineJob({ name, handler: spec, source: 'strata' });
  else registry.defineJob({ name, handler: spec.handler, options: spec.options, source: 'strata' });
}

/** A promise the test resolves by hand: lets a job sit "running" while the test looks at it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

async function countRows(server: TestServer): Promise<number> {
  const response = await server.call({ path: '/classes/_JobStatus?count=1&limit=0', master: true });
  return (response.body as { count: number }).count;
}

for (const backend of ['sqlite', 'mongodb'] as const) {
  const skip = backend === 'mongodb' && mongoURI === undefined && !requireServices;
  describe(
    `jobs on the in-process queue (${backend})`,
    { skip: skip ? 'STRATA_TEST_MONGODB_URI is not set' : false },
    () => {
      let server: TestServer;
      const halfway = gate();
      const seen: {
        signalAborted?: boolean;
        ip?: string;
        jobId?: string;
        headers?: Readonly<Record<string, string | undefined>>;
      } = {};

      before(async () => {
        server = await startTestServer({
          backend,
          readOnlyMasterKey: 'read-only-key',
          cloudSetup: (registry) => {
            job(registry, 'hello', async (request) => {
              seen.ip = request.ip;
              seen.jobId = request.jobId;
              seen.headers = request.headers;
              return `hello ${String(request.params['who'])}`;
            });
            job(registry, 'steps', async (request) => {
              await request.message('halfway');
              await request.progress(50);
              await halfway.wait;
              return { not: 'a string' };
            });
            job(registry, 'boom', async () => {
              throw new Error('the job broke');
            });
            job(registry, 'throwsString', () => Promise.reject('just a string'));
            let flakyCalls = 0;
            job(registry, 'flaky', {
              handler: async () => {
                flakyCalls++;
                if (flakyCalls < 3) throw new Error(`flaky call ${flakyCalls}`);
                return `ok after ${flakyCalls}`;
              },
              options: { attempts: 3, backoffMs: 10 },
            });
            job(registry, 'hopeless', {
              handler: async () => Promise.reject(new Error('always')),
              options: { attempts: 2, backoffMs: 10 },
            });
            job(registry, 'slow', {
              handler: (request) =>
                new Promise((resolve) => {
                  request.signal.addEventListener('abort', () => {
                    seen.signalAborted = true;
                    // Ignores the abort and finishes late: the recorded failure must stay.
                    setTimeout(() => resolve('too late'), 50);
                  });
                }),
              options: { timeoutMs: 100 },
            });
          },
        });
      });
      after(async () => {
        halfway.open();
        await server.close();
      });

      it('POST /jobs/:name answers {} with the status id, runs the job and records success', async () => {
        const id = await startJob(server, 'hello', { who: 'world' });
        const row = await waitForFinish(server, id);
        assert.equal(row.status, 'succeeded');
        assert.equal(row.message, 'hello world');
        assert.equal(row.jobName, 'hello');
        assert.equal(row.source, 'api');
        assert.deepEqual(row.params, { who: 'world' });
        assert.equal(row.attempts, 1);
        assert.equal((row.finishedAt as { __type?: string } | undefined)?.__type, 'Date');
        assert.equal(seen.jobId, id);
        assert.ok(seen.ip === '127.0.0.1' || seen.ip === '::ffff:127.0.0.1', String(seen.ip));
      });

      it('POST /jobs with {"jobName"} is the same, params from the body', async () => {
        const response = await server.call({
          method: 'POST',
          path: '/jobs',
          master: true,
          body: { jobName: 'hello', who: 'body' },
        });
        assert.equal(response.status, 200);
        const id = response.headers.get('x-parse-job-status-id') as string;
        const row = await waitForFinish(server, id);
        assert.equal(row.message, 'hello body');
      });

      it('the job sees the request headers, never the credentials', async () => {
        const response = await server.call({
          method: 'POST',
          path: '/jobs/hello',
          master: true,
          body: {},
          headers: { 'X-Custom': 'yes', 'X-Parse-Session-Token': 'r:secret' },
        });
        await waitForFinish(server, response.headers.get('x-parse-job-status-id') as string);
        assert.equal(seen.headers?.['x-custom'], 'yes');
        for (const name of ['x-parse-master-key', 'x-parse-session-token']) {
          assert.equal(seen.headers?.[name], undefined, name);
        }
      });

      it('message() and progress() show on the row while the job runs; a non-string result keeps the message', async () => {
        const id = await startJob(server, 'steps');
        const running = await waitForStatus(server, id, (row) => row.progress === 50);
        assert.equal(running.status, 'running');
        assert.equal(running.message, 'halfway');
        halfway.open();
        const done = await waitForFinish(server, id);
        assert.equal(done.status, 'succeeded');
        assert.equal(done.message, 'halfway');
        assert.equal(done.progress, 50);
      });

      it('a job that throws is recorded as failed with the error message', async () => {
        const failed = await waitForFinish(server, await startJob(server, 'boom'));
        assert.equal(failed.status, 'failed');
        assert.equal(failed.message, 'the job broke');
        assert.equal((failed.finishedAt as { __type?: string } | undefined)?.__type, 'Date');
        const rejected = await waitForFinish(server, await startJob(server, 'throwsString'));
        assert.equal(rejected.status, 'failed');
        assert.equal(rejected.message, 'just a string');
      });

      it('retries with backoff: attempts are counted, the last attempt decides', async () => {
        const flaky = await waitForFinish(server, await startJob(server, 'flaky'));
        assert.equal(flaky.status, 'succeeded');
        assert.equal(flaky.message, 'ok after 3');
        assert.equal(flaky.attempts, 3);
        const hopeless = await waitForFinish(server, await startJob(server, 'hopeless'));
        assert.equal(hopeless.status, 'failed');
        assert.equal(hopeless.message, 'always');
        assert.equal(hopeless.attempts, 2);
      });

      it('a job past its timeout has its signal aborted and fails; its late result is ignored', async () => {
        const id = await startJob(server, 'slow');
        const row = await waitForFinish(server, id);
        assert.equal(row.status, 'failed');
        assert.equal(row.message, 'The job timed out after 100 ms.');
        await until('the abort to reach the job', () => seen.signalAborted === true);
        // Give the late resolve a chance to (wrongly) overwrite the row, then check it did not.
        await new Promise((r) => setTimeout(r, 150));
        assert.equal((await jobStatus(server, id))?.status, 'failed');
      });

      it('refuses bad calls with Parse errors and records nothing', async () => {
        const before = await countRows(server);
        const cases: Array<{ name: string; call: Parameters<TestServer['call']>[0]; status: number; body: unknown }> = [
          {
            name: 'no master key',
            call: { method: 'POST', path: '/jobs/hello', body: {} },
            status: 403,
            body: { error: 'Permission denied' },
          },
          {
            name: 'read-only master key',
            call: { method: 'POST', path: '/jobs/hello', body: {}, headers: { 'X-Parse-Master-Key': 'read-only-key' } },
            status: 400,
            body: { code: 119, error: "read-only masterKey isn't allowed to run a job." },
          },
          {
            name: 'unknown job',
            call: { method: 'POST', path: '/jobs/nope', master: true, body: {} },
            status: 400,
            body: { code: 141, error: 'Invalid job.' },
          },
          {
            name: 'POST /jobs without a jobName',
            call: { method: 'POST', path: '/jobs', master: true, body: {} },
            status: 400,
            body: { code: 141, error: 'Invalid job.' },
          },
          {
            name: 'a jobName that is not a string',
            call: { method: 'POST', path: '/jobs', master: true, body: { jobName: ['hello'] } },
            status: 400,
            body: { code: 141, error: 'Invalid job.' },
          },
          {
            name: 'a body that is not JSON',
            call: {
              method: 'POST',
              path: '/jobs/hello',
              master: true,
              raw: '{"who":',
              headers: { 'Content-Type': 'application/json' },
            },
            status: 400,
            body: { code: 107, error: 'Invalid JSON' },
          },
        ];
        for (const c of cases) {
          const response = await server.call(c.call);
          assert.equal(response.status, c.status, `${c.name}: ${JSON.stringify(response.body)}`);
          if (c.name === 'a body that is not JSON') {
            assert.equal((response.body as { code?: number }).code, 107, c.name);
          } else {
            assert.deepEqual(response.body, c.body, c.name);
          }
        }
        assert.equal(await countRows(server), before);
      });

      it('params with a __proto__ key are refused or kept as plain data, never polluting', async () => {
        const response = await server.call({
          method: 'POST',
          path: '/jobs/hello',
          master: true,
          raw: '{"who":"x","__proto__":{"polluted":true}}',
          headers: { 'Content-Type': 'application/json' },
        });
        assert.ok(response.status === 200 || response.status === 400, JSON.stringify(response.body));
        assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
        if (response.status === 200) {
          const row = await waitForFinish(server, response.headers.get('x-parse-job-status-id') as string);
          assert.equal(row.status, 'succeeded');
        }
      });

      it('clients cannot read _JobStatus', async () => {
        const response = await server.call({ path: '/classes/_JobStatus' });
        assert.equal((response.body as { code?: number }).code, 119);
      });
    },
  );
}

describe('in-process jobs survive a restart', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-jobs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a job cut off by a shutdown runs again when the server starts on the same database', async () => {
    const databaseURI = `sqlite:${join(dir, 'restart.db')}`;
    let startedFirst = false;
    let abortedFirst = false;
    const first = await startTestServer({
      databaseURI,
      cloudSetup: (registry) =>
        job(
          registry,
          'durable',
          (request) =>
            new Promise((_, reject) => {
              startedFirst = true;
              request.signal.addEventListener('abort', () => {
                abortedFirst = true;
                reject(new Error('stopped'));
              });
            }),
        ),
    });
    const id = await startJob(first, 'durable', { n: 7 });
    await until('the first run to start', () => startedFirst);
    await first.close();
    assert.equal(abortedFirst, true, 'shutdown aborts the running job');

    let params: unknown;
    const second = await startTestServer({
      databaseURI,
      cloudSetup: (registry) =>
        job(registry, 'durable', async (request) => {
          params = request.params;
          return 'second life';
        }),
    });
    try {
      const row = await waitForFinish(second, id);
      assert.equal(row.status, 'succeeded');
      assert.equal(row.message, 'second life');
      assert.equal(row.attempts, 2);
      assert.deepEqual(params, { n: 7 });
    } finally {
      await second.close();
    }
  });

  it('an api-only server records the job; a worker started on the same database runs it', async () => {
    const databaseURI = `sqlite:${join(dir, 'roles.db')}`;
    let ran = 0;
    const setup = (registry: CloudRegistry): void =>
      job(registry, 'later', async () => {
        ran++;
        return 'ran on the worker';
      });
    const api = await startTestServer({ databaseURI, role: 'api', cloudSetup: setup });
    try {
      const id = await startJob(api, 'later');
      assert.equal((await jobStatus(api, id))?.status, 'running');
      const worker = await startTestServer({ databaseURI, role: 'worker', cloudSetup: setup });
      try {
        const row = await waitForFinish(api, id);
        assert.equal(row.status, 'succeeded');
        assert.equal(row.message, 'ran on the worker');
        assert.equal(ran, 1);
      } finally {
        await worker.close();
      }
    } finally {
      await api.close();
    }
  });
});

describe('scheduled jobs on the in-process queue', () => {
  it('a job with a cron schedule runs when the injected clock reaches its time', async () => {
    let clock = new Date('2031-05-01T12:00:10Z');
    let runs = 0;
    const server = await startTestServer({
      now: () => clock,
      cloudSetup: (registry) =>
        job(registry, 'report', {
          handler: async () => {
            runs++;
            return `report ${runs}`;
          },
          options: { schedule: '*/5 * * * *' },
        }),
    });
    try {
      clock = new Date('2031-05-01T12:05:00Z');
      let rows: Array<Record<string, unknown>> = [];
      await until('the scheduled run to be recorded', async () => {
        const response = await server.call({
          path: `/classes/_JobStatus?where=${encodeURIComponent(JSON.stringify({ jobName: 'report', status: 'succeeded' }))}`,
          master: true,
        });
        rows = (response.body as { results: Array<Record<string, unknown>> }).results;
        return rows.length > 0;
      });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.['source'], 'schedule');
      assert.equal(rows[0]?.['message'], 'report 1');
      assert.equal(runs, 1);
    } finally {
      await server.close();
    }
  });

  it('an invalid cron expression stops the start with a message naming the job', async () => {
    await assert.rejects(
      startTestServer({
        cloudSetup: (registry) =>
          job(registry, 'broken', { handler: async () => undefined, options: { schedule: 'every tuesday' } }),
      }),
      /Job broken: invalid schedule "every tuesday"/,
    );
  });
});
