/**
 * A Strata process for worker-kill.test.ts: role `all` on the SQLite file (and, when given, Redis) of its
 * environment, pushing Android installations through the test's FCM fake at a low rate so a push takes seconds,
 * and defining the job `steps`, which appends `<jobId> <attempt pid> <step>` to a file once per step. Prints
 * `ready <port>` once it serves; the test SIGKILLs it mid-push and mid-job and starts another.
 *
 * Environment: WK_DATABASE_URI, WK_APP_ID, WK_DIR, WK_FCM_ACCOUNT, WK_FCM_URL, WK_REDIS_URL (optional).
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

const redisURL = process.env['WK_REDIS_URL'];
const server = await startTestServer({
  databaseURI: env('WK_DATABASE_URI'),
  appId: env('WK_APP_ID'),
  pushFcmServiceAccount: env('WK_FCM_ACCOUNT'),
  pushFcmUrl: env('WK_FCM_URL'),
  // 20 notifications a second in pages of 10: a push to 60 devices takes about 3 s, long enough to kill mid-way.
  pushRateLimit: 20,
  pushPageSize: 10,
  // A lock of 5 s: short enough that the next process takes the job over soon after the SIGKILL, long enough
  // that a live worker starved of CPU on a loaded machine still renews it (a lapsed lock means a second run).
  ...(redisURL === undefined ? {} : { redisURL, jobLockDuration: 5000, jobStalledInterval: 1000 }),
  cloudSetup: (registry) =>
    registry.defineJob({
      name: 'steps',
      source: 'strata',
      handler: async (request) => {
        for (let step = 0; step < 10; step++) {
          appendFileSync(join(env('WK_DIR'), 'steps'), `${request.jobId} ${process.pid} ${step}\n`);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        return `done in ${process.pid}`;
      },
    }),
});
process.stdout.write(`ready ${new URL(server.url).port}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
