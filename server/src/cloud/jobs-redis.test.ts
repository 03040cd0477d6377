import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Redis as RedisClient } from 'ioredis';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import type { CloudRegistry } from './registry.js';
import { blockerRuns, exited, spawnJobProcess, startJob, until, waitForFinish } from './jobs.test-util.js';

const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const skip = redisURL === undefined && !requireServices;
if (skip) console.log('# skipping the BullMQ job tests: STRATA_TEST_REDIS_URL is not set');

/** A fresh app id per use: the queue's Redis prefix is `strata:<appId>`, so runs never share a queue. */
function uniqueAppId(label: string): string {
  return `jobs-${label}-${randomBytes(4).toString('hex')}`;
}

async function deleteKeys(redis: RedisClient, pattern: string): Promise<void> {
  const keys = await redis.keys(pattern);
  if (keys.length > 0) await redis.del(...keys);
}

describe('jobs on BullMQ (Redis)', { skip: skip ? 'STRATA_TEST_REDIS_URL is not set' : false }, () => {
  let redis: RedisClient;
  let dir: string;
  const appIds: string[] = [];

  before(async () => {
    assert.ok(redisURL, 'STRATA_TEST_REDIS_URL is required when STRATA_REQUIRE_SERVICES=1');
    const { Redis } = await import('ioredis');
    redis = new Redis(redisURL);
    dir = mkdtempSync(join(tmpdir(), 'strata-jobs-redis-'));
  });
  after(async () => {
    for (const appId of appIds) await deleteKeys(redis, `strata:${appId}:*`);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  async function server(options: {
    label: string;
    appId?: string;
    role?: 'api' | 'worker' | 'all';
    databaseURI?: string;
    cloudSetup: (registry: CloudRegistry) => void;
  }): Promise<TestServer> {
    const appId = options.appId ?? uniqueAppId(options.label);
    appIds.push(appId);
    return startTestServer({
      appId,
      redisURL: redisURL as string,
      role: options.role ?? 'all',
      ...(options.databaseURI === undefined ? {} : { databaseURI: options.databaseURI }),
      cloudSetup: options.cloudSetup,
    });
  }

  it('runs a job to success or failure, with retries and backoff counted on the row', async () => {
    let flaky = 0;
    const app = await server({
      label: 'basic',
      cloudSetup: (registry) => {
        registry.defineJob({
          name: 'hello',
          source: 'strata',
          handler: async (request) => {
            await request.progress(100);
            return `hello ${String(request.params['who'])}`;
          },
        });
        registry.defineJob({
          name: 'boom',
          source: 'strata',
          handler: () => Promise.reject(new Error('broken on Redis')),
          options: { attempts: 2, backoffMs: 10 },
        });
        registry.defineJob({
          name: 'flaky',
          source: 'strata',
          handler: async () => {
            flaky++;
            if (flaky < 3) throw new Error(`try ${flaky}`);
            return 'third time';
          },
          options: { attempts: 4, backoffMs: 10 },
        });
      },
    });
    try {
      const hello = await waitForFinish(app, await startJob(app, 'hello', { who: 'redis' }));
      assert.equal(hello.status, 'succeeded');
      assert.equal(hello.message, 'hello redis');
      assert.equal(hello.progress, 100);
      assert.equal(hello.attempts, 1);

      const boom = await waitForFinish(app, await startJob(app, 'boom'));
      assert.equal(boom.status, 'failed');
      assert.equal(boom.message, 'broken on Redis');
      assert.equal(boom.attempts, 2);

      const retried = await waitForFinish(app, await startJob(app, 'flaky'));
      assert.equal(retried.status, 'succeeded');
      assert.equal(retried.message, 'third time');
      assert.equal(retried.attempts, 3);
    } finally {
      await app.close();
    }
  });

  it('an api server enqueues, a worker server consumes', async () => {
    const appId = uniqueAppId('split');
    const databaseURI = `sqlite:${join(dir, 'split.db')}`;
    const ranOn: string[] = [];
    // The same job on both servers, each recording where it ran.
    const whereJob = (role: string) => (registry: CloudRegistry) =>
      registry.defineJob({
        name: 'where',
        source: 'strata',
        handler: async () => {
          ranOn.push(role);
          return role;
        },
      });
    const api = await server({
      label: 'split',
      appId,
      role: 'api',
      databaseURI,
      cloudSetup: whereJob('api'),
    });
    const worker = await server({
      label: 'split',
      appId,
      role: 'worker',
      databaseURI,
      cloudSetup: whereJob('worker'),
    });
    try {
      const row = await waitForFinish(api, await startJob(api, 'where'));
      assert.equal(row.status, 'succeeded');
      assert.equal(row.message, 'worker');
      assert.deepEqual(ranOn, ['worker']);
    } finally {
      await worker.close();
      await api.close();
    }
  });

  it('a scheduled job runs once per fire time however many servers share the schedule', async () => {
    const appId = uniqueAppId('cron');
    const databaseURI = `sqlite:${join(dir, 'cron.db')}`;
    const runs: string[] = [];
    const setup = (registry: CloudRegistry): void =>
      registry.defineJob({
        name: 'tick',
        source: 'strata',
        handler: async (request) => {
          runs.push(request.jobId);
          return 'tick';
        },
        options: { schedule: '* * * * * *' },
      });
    const first = await server({ label: 'cron', appId, databaseURI, cloudSetup: setup });
    const second = await server({ label: 'cron', appId, databaseURI, cloudSetup: setup });
    try {
      await until('three scheduled runs', () => runs.length >= 3);
      assert.equal(new Set(runs).size, runs.length, `a fire time ran twice: ${runs.join(', ')}`);
      const response = await first.call({
        path: `/classes/_JobStatus?where=${encodeURIComponent(JSON.stringify({ jobName: 'tick' }))}`,
        master: true,
      });
      const rows = (response.body as { results: Array<{ source: string }> }).results;
      assert.ok(rows.length >= 3);
      assert.ok(rows.every((row) => row.source === 'schedule'));
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('a job whose worker is killed mid-run is run again by a restarted worker', async () => {
    const appId = uniqueAppId('kill');
    const jobsDir = mkdtempSync(join(dir, 'kill-'));
    const databaseURI = `sqlite:${join(dir, 'kill.db')}`;
    const api = await server({
      label: 'kill',
      appId,
      role: 'api',
      databaseURI,
      // The API only needs to know the job exists; the workers run it.
      cloudSetup: (registry) =>
        registry.defineJob({ name: 'blocker', source: 'strata', handler: () => Promise.resolve() }),
    });
    const env = {
      JOBS_DATABASE_URI: databaseURI,
      JOBS_REDIS_URL: redisURL as string,
      JOBS_APP_ID: appId,
      JOBS_DIR: jobsDir,
      JOBS_ROLE: 'worker',
    };
    const children: ChildProcess[] = [];
    try {
      const first = await spawnJobProcess(env);
      children.push(first.child);
      const id = await startJob(api, 'blocker');
      await until('the first worker to start the job', () => blockerRuns(jobsDir).length === 1);

      first.child.kill('SIGKILL');
      await exited(first.child);
      assert.equal(first.child.signalCode, 'SIGKILL');

      const second = await spawnJobProcess(env);
      children.push(second.child);
      await until('the restarted worker to pick the job up', () => blockerRuns(jobsDir).length === 2);
      writeFileSync(join(jobsDir, 'release'), '');
      const row = await waitForFinish(api, id);
      assert.equal(row.status, 'succeeded');
      assert.equal(row.message, `released in ${second.pid}`);
      assert.equal(row.attempts, 2);
      assert.deepEqual(blockerRuns(jobsDir), [
        { pid: first.pid, jobId: id },
        { pid: second.pid, jobId: id },
      ]);
      second.child.kill('SIGTERM');
      await exited(second.child);
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map(exited));
      await api.close();
    }
  });
});
