/**
 * A worker process for the kill-and-restart test (`jobs-redis.test.ts`): a Strata app with role `worker` on
 * the database and Redis named in its environment, registering the job `blocker`, which counts its starts
 * in Redis and then waits until the test sets the release key. Prints `ready` once it consumes the queue;
 * exits cleanly on SIGTERM (the test SIGKILLs it to play a crash).
 *
 * Environment: JOBS_DATABASE_URI, JOBS_REDIS_URL, JOBS_APP_ID, JOBS_KEY (Redis key prefix of the test).
 */
import { Redis } from 'ioredis';
import { startTestServer } from '../testing/test-server.test-util.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

const redisURL = env('JOBS_REDIS_URL');
const key = env('JOBS_KEY');
const redis = new Redis(redisURL);

const server = await startTestServer({
  role: 'worker',
  databaseURI: env('JOBS_DATABASE_URI'),
  redisURL,
  appId: env('JOBS_APP_ID'),
  // Short lock and stalled-check periods so the test sees a killed worker's job again within seconds.
  jobLockDuration: 1000,
  jobStalledInterval: 500,
  cloudSetup: (registry) =>
    registry.defineJob({
      name: 'blocker',
      source: 'strata',
      handler: async (request) => {
        const starts = await redis.incr(`${key}:started`);
        await redis.rpush(`${key}:runs`, `${process.pid}:${request.jobId}`);
        while ((await redis.get(`${key}:release`)) === null) {
          if (request.signal.aborted) throw new Error('stopped');
          await new Promise((r) => setTimeout(r, 50));
        }
        return `released on start ${starts}`;
      },
    }),
});
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void server.close().then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
