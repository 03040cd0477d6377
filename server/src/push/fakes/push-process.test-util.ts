/**
 * A Strata process for the push kill-and-restart test (`push-crash.test.ts`): the `all` role on the database
 * (and, when given, Redis) named in its environment, pushing Android installations through the FCM fake the
 * test runs. Prints `ready <port>` once it serves and consumes the push queue; the test SIGKILLs it.
 *
 * Environment: PUSH_DATABASE_URI, PUSH_APP_ID, PUSH_FCM_ACCOUNT, PUSH_FCM_URL, PUSH_REDIS_URL (optional).
 */
import { startTestServer } from '../../testing/test-server.test-util.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

const redisURL = process.env['PUSH_REDIS_URL'];
const server = await startTestServer({
  databaseURI: env('PUSH_DATABASE_URI'),
  appId: env('PUSH_APP_ID'),
  pushFcmServiceAccount: env('PUSH_FCM_ACCOUNT'),
  pushFcmUrl: env('PUSH_FCM_URL'),
  ...(redisURL === undefined ? {} : { redisURL, jobLockDuration: 1000, jobStalledInterval: 500 }),
});
process.stdout.write(`ready ${new URL(server.url).port}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
