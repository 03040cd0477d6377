/**
 * A Strata process for the kill-and-restart tests (`jobs-redis.test.ts`, `jobs-crash.test.ts`): an app on the
 * database (and, when given, Redis) named in its environment, registering the job `blocker`, which appends
 * `<pid>:<jobId>` to `<JOBS_DIR>/runs` and then waits until `<JOBS_DIR>/release` exists. Prints
 * `ready <port>` once it serves and consumes the queue; exits cleanly on SIGTERM (the tests SIGKILL it to
 * play a crash).
 *
 * Environment: JOBS_DATABASE_URI, JOBS_APP_ID, JOBS_DIR, JOBS_ROLE (`worker` or `all`), JOBS_REDIS_URL
 * (optional: without it the in-process queue is used).
 */
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../testing/test-server.test-util.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

const dir = env('JOBS_DIR');
const redisURL = process.env['JOBS_REDIS_URL'];
const role = env('JOBS_ROLE') === 'worker' ? 'worker' : 'all';

const server = await startTestServer({
  role,
  databaseURI: env('JOBS_DATABASE_URI'),
  ...(redisURL === undefined ? {} : { redisURL }),
  appId: env('JOBS_APP_ID'),
  // Short lock and stalled-check periods so the test sees a killed worker's job again within seconds.
  jobLockDuration: 1000,
  jobStalledInterval: 500,
  cloudSetup: (registry) =>
    registry.defineJob({
      name: 'blocker',
      source: 'strata',
      handler: async (request) => {
        appendFileSync(join(dir, 'runs'), `${process.pid}:${request.jobId}\n`);
        while (!existsSync(join(dir, 'release'))) {
          if (request.signal.aborted) throw new Error('stopped');
          await new Promise((r) => setTimeout(r, 50));
        }
        return `released in ${process.pid}`;
      },
    }),
});
process.stdout.write(`ready ${new URL(server.url).port}\n`);

process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
