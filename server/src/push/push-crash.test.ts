/**
 * A push scheduled 3 s ahead is sent once, at its time, although the process that accepted it is SIGKILLed
 * before then and another starts on the same database: on the in-process queue (whose durable record is
 * `_PushStatus`, re-queued at start) and on BullMQ (the delayed job waits in Redis). Counted at the FCM fake.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { childApi, killed, spawnReady, until } from '../testing/child-process.test-util.js';
import { startFcmFake } from './fakes/fcm-fake.test-util.js';
import type { FcmFake } from './fakes/fcm-fake.test-util.js';

const SCRIPT = fileURLToPath(new URL('./fakes/push-process.test-util.ts', import.meta.url));
const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));
const redisURL = process.env['STRATA_TEST_REDIS_URL'];
const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';

function spawnServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return spawnReady({ script: SCRIPT, cwd: SERVER_DIR, env });
}

function crashTest(queue: 'memory' | 'redis'): void {
  let dir: string;
  let fcm: FcmFake;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-push-crash-'));
    fcm = await startFcmFake({ dir });
  });
  after(async () => {
    await fcm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a push scheduled 3 s ahead exactly once across a SIGKILL and a restart', async () => {
    const appId = `push-crash-${randomBytes(4).toString('hex')}`;
    const env: Record<string, string> = {
      PUSH_DATABASE_URI: `sqlite:${join(dir, 'crash.db')}`,
      PUSH_APP_ID: appId,
      PUSH_FCM_ACCOUNT: fcm.serviceAccountFile,
      PUSH_FCM_URL: fcm.url,
      ...(queue === 'redis' ? { PUSH_REDIS_URL: redisURL as string } : {}),
    };
    const children: ChildProcess[] = [];
    try {
      const first = await spawnServer(env);
      children.push(first.child);
      const api = childApi(appId);
      const installed = await api(first.port, '/installations', {
        method: 'POST',
        body: { installationId: 'crash-device', deviceType: 'android', deviceToken: 'ok-crash', channels: ['c'] },
      });
      assert.equal(installed.status, 201);
      const sent = await api(first.port, '/push', {
        method: 'POST',
        master: true,
        body: { channels: ['c'], data: { alert: 'once' }, push_time: new Date(Date.now() + 3000).toISOString() },
      });
      assert.equal(sent.status, 200, await sent.clone().text());
      const statusId = sent.headers.get('x-parse-push-status-id') as string;
      await killed(first.child);
      assert.equal(fcm.attempts.length, 0, 'nothing sent before its time');

      const second = await spawnServer(env);
      children.push(second.child);
      let status: Record<string, unknown> = {};
      await until(
        'the push to succeed',
        async () => {
          status = (await (
            await api(second.port, `/classes/_PushStatus/${statusId}`, { master: true })
          ).json()) as Record<string, unknown>;
          return status['status'] === 'succeeded';
        },
        60_000,
      );
      assert.equal(status['numSent'], 1);
      // A late duplicate would arrive within the lock / stalled periods: give it that long.
      await new Promise((r) => setTimeout(r, 2500));
      assert.deepEqual(fcm.attempts, ['ok-crash']);
    } finally {
      for (const child of children) await killed(child);
    }
  });
}

describe('a scheduled push survives a crash [in-process queue]', () => crashTest('memory'));
if (redisURL !== undefined && redisURL !== '') {
  describe('a scheduled push survives a crash [BullMQ on Redis]', () => crashTest('redis'));
} else if (requireServices) {
  describe('a scheduled push survives a crash [BullMQ on Redis]', () => {
    it('needs Redis', () => assert.fail('STRATA_REQUIRE_SERVICES=1 but STRATA_TEST_REDIS_URL is not set'));
  });
} else {
  process.stdout.write('# push crash test on Redis skipped: STRATA_TEST_REDIS_URL is not set\n');
}
