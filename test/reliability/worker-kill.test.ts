/**
 * A worker killed mid-job and mid-push (issue 19 item 3), on the in-process queue and on BullMQ/Redis: a Strata
 * process (role `all`, worker-process.ts) accepts a 10-step job and a push to 60 Android installations (sent
 * at 20 a second through the FCM fake, which counts every delivery), is SIGKILLed while both are under way,
 * and another process starts on the same database (and Redis). What the README promises, checked:
 * - jobs are delivered at least once: the job runs again from the start in the new process and succeeds;
 * - a push resumes after the last page of installations it finished: every device gets the notification, and
 *   only devices of the page in flight at the kill may get it twice (at most one page, `--push-page-size`).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startFcmFake } from '../../server/src/push/fakes/fcm-fake.test-util.js';
import type { FcmFake } from '../../server/src/push/fakes/fcm-fake.test-util.js';
import { childApi, killed, spawnReady, until } from '../../server/src/testing/child-process.test-util.js';

const SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEVICES = 60;
const PAGE = 10;
const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const redisSkip =
  (redisURL === undefined || redisURL === '') && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
    ? 'STRATA_TEST_REDIS_URL is not set'
    : false;

/** How long a step of this test may take on a loaded machine (a cold child, a push of 60 devices). */
const WAIT_MS = 90_000;

function spawnWorker(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return spawnReady({ script: SCRIPT, cwd: ROOT, env, readyMs: WAIT_MS });
}

/** The `steps` job's lines: `<jobId> <pid> <step>`. */
function steps(dir: string): Array<{ jobId: string; pid: number; step: number }> {
  const file = join(dir, 'steps');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [jobId, pid, step] = line.split(' ');
      return { jobId: String(jobId), pid: Number(pid), step: Number(step) };
    });
}

function killTest(queue: 'memory' | 'redis'): void {
  let dir: string;
  let fcm: FcmFake;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), `strata-worker-kill-${queue}-`));
    fcm = await startFcmFake({ dir });
  });
  after(async () => {
    await fcm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a job runs again and a push reaches every device, each at most one page twice, after a SIGKILL', async () => {
    const appId = `worker-kill-${randomBytes(4).toString('hex')}`;
    const env: Record<string, string> = {
      WK_DATABASE_URI: `sqlite:${join(dir, 'kill.db')}`,
      WK_APP_ID: appId,
      WK_DIR: dir,
      WK_FCM_ACCOUNT: fcm.serviceAccountFile,
      WK_FCM_URL: fcm.url,
      ...(queue === 'redis' ? { WK_REDIS_URL: redisURL as string } : {}),
    };
    const children: ChildProcess[] = [];
    const api = childApi(appId);
    try {
      const first = await spawnWorker(env);
      children.push(first.child);
      for (let offset = 0; offset < DEVICES; offset += 30) {
        const requests = Array.from({ length: 30 }, (_, i) => ({
          method: 'POST',
          path: '/parse/installations',
          body: {
            installationId: `device-${offset + i}`,
            deviceType: 'android',
            deviceToken: `tok-${offset + i}`,
            channels: ['kill'],
          },
        }));
        const batch = await api(first.port, '/batch', { method: 'POST', master: true, body: { requests } });
        assert.equal(batch.status, 200, await batch.clone().text());
      }
      const job = await api(first.port, '/jobs/steps', { method: 'POST', master: true, body: {} });
      assert.equal(job.status, 200, await job.clone().text());
      const jobId = job.headers.get('x-parse-job-status-id') as string;
      const push = await api(first.port, '/push', {
        method: 'POST',
        master: true,
        body: { channels: ['kill'], data: { alert: 'exactly once?' } },
      });
      assert.equal(push.status, 200, await push.clone().text());
      const pushId = push.headers.get('x-parse-push-status-id') as string;

      // Kill while both are under way: some devices sent, the job a few steps in.
      await until(
        'the push and the job to be under way',
        () => fcm.attempts.length >= 15 && steps(dir).filter((s) => s.jobId === jobId).length >= 2,
        WAIT_MS,
      );
      await killed(first.child);
      const sentBeforeKill = fcm.attempts.length;
      const stepsBeforeKill = steps(dir).length;
      assert.ok(sentBeforeKill < DEVICES, `the push was mid-way at the kill (${sentBeforeKill} of ${DEVICES} sent)`);
      assert.ok(stepsBeforeKill < 10, `the job was mid-way at the kill (${stepsBeforeKill} of 10 steps)`);

      const second = await spawnWorker(env);
      children.push(second.child);
      const status = async (path: string): Promise<Record<string, unknown>> =>
        (await (await api(second.port, path, { master: true })).json()) as Record<string, unknown>;
      let pushStatus: Record<string, unknown> = {};
      let jobStatus: Record<string, unknown> = {};
      await until(
        'the push and the job to finish in the new process',
        async () => {
          pushStatus = await status(`/classes/_PushStatus/${pushId}`);
          jobStatus = await status(`/classes/_JobStatus/${jobId}`);
          return pushStatus['status'] === 'succeeded' && jobStatus['status'] === 'succeeded';
        },
        WAIT_MS,
      );
      // A late duplicate would come within the lock and stalled-check periods: wait that long.
      await new Promise((r) => setTimeout(r, 2500));

      const perDevice = new Map<string, number>();
      for (const token of fcm.attempts) perDevice.set(token, (perDevice.get(token) ?? 0) + 1);
      const missing = Array.from({ length: DEVICES }, (_, i) => `tok-${i}`).filter((t) => !perDevice.has(t));
      const twice = [...perDevice].filter(([, n]) => n > 1).map(([t]) => t);
      console.log(
        `# worker kill (${queue}): push ${sentBeforeKill} of ${DEVICES} sent before the SIGKILL, ` +
          `${fcm.attempts.length} deliveries in all, ${twice.length} devices twice, numSent ${String(pushStatus['numSent'])}; ` +
          `job ${stepsBeforeKill} of 10 steps before, attempts ${String(jobStatus['attempts'])}`,
      );
      assert.deepEqual(missing, [], 'every device got the notification');
      assert.ok(
        [...perDevice.values()].every((n) => n <= 2),
        'no device got it more than twice',
      );
      assert.ok(twice.length <= PAGE, `only the page in flight is sent again (${twice.length} devices twice)`);
      assert.equal(pushStatus['numFailed'] ?? 0, 0);

      const runs = steps(dir).filter((s) => s.jobId === jobId);
      const secondRun = runs.filter((s) => s.pid !== first.child.pid).map((s) => s.step);
      assert.ok(
        runs.some((s) => s.pid === first.child.pid),
        'the first process started the job',
      );
      assert.deepEqual(secondRun, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'the job ran again, whole, in the new process');
      assert.match(String(jobStatus['message']), /^done in \d+$/);
      await killed(second.child, 'SIGTERM');
    } finally {
      for (const child of children) await killed(child);
    }
  });
}

describe('a worker SIGKILLed mid-job and mid-push [in-process queue]', () => killTest('memory'));
describe('a worker SIGKILLed mid-job and mid-push [BullMQ on Redis]', { skip: redisSkip }, () => killTest('redis'));
