// A push's badge change on iOS installations (issue 16 gap: badges were written one row at a time), against a
// running server on SQLite and on MongoDB (FerretDB), delivered to the local APNs fake in pages of 3: an
// increment by 2 and then a number reach every iOS device with its own badge (missing counts as 0), in every
// page, and are stored; Android devices keep no badge. The badges of a page are written in one storage call
// (`core.applyPushBadges`: one UPDATE / updateMany), which runs no `_Installation` save trigger, as parse-server's
// bulk badge update does not.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compatTargets, rest } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';
import type { StartOptions } from '../helpers/in-process.js';
import { startApnsFake } from '../../server/src/push/fakes/apns-fake.test-util.js';
import type { ApnsFake } from '../../server/src/push/fakes/apns-fake.test-util.js';

type Json = Record<string, unknown>;
const external = process.env['STRATA_COMPAT_SERVER_URL'] !== undefined;
const startOptions: StartOptions = {};
const token = (n: number): string => n.toString(16).padStart(64, 'b');

for (const spec of compatTargets(startOptions)) {
  const skip = spec.skip ?? (external ? 'an external server cannot be pointed at the APNs fake' : undefined);
  describe(`push badges, one write per page [${spec.name}]`, { skip }, () => {
    let target: CompatTarget;
    let dir: string;
    let apns: ApnsFake;
    const ids = new Map<string, string>();
    const startBadges = [undefined, 0, 2, 5, 9, undefined, 1];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'strata-push-badges-'));
      apns = await startApnsFake({ dir, mode: 'token' });
      startOptions.config = {
        pushApnsKey: apns.keyFile,
        pushApnsKeyId: apns.keyId,
        pushApnsTeamId: apns.teamId,
        pushApnsUrl: apns.url,
        pushApnsTopic: 'org.strata.badges',
        pushCa: apns.caFile,
        pushPageSize: 3,
      };
      target = await spec.start();
      for (const [n, badge] of startBadges.entries()) {
        const created = await rest(target, {
          method: 'POST',
          path: '/installations',
          body: {
            installationId: `ios-${n}`,
            deviceType: 'ios',
            deviceToken: token(n),
            channels: ['badges'],
            ...(badge === undefined ? {} : { badge }),
          },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        ids.set(token(n), (created.body as { objectId: string }).objectId);
      }
      const android = await rest(target, {
        method: 'POST',
        path: '/installations',
        body: {
          installationId: 'android-1',
          deviceType: 'android',
          deviceToken: 'android-token',
          channels: ['badges'],
        },
      });
      assert.equal(android.status, 201);
      ids.set('android', (android.body as { objectId: string }).objectId);
    });
    after(async () => {
      await target?.close();
      await apns?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    const push = async (badge: unknown): Promise<Json> => {
      const sent = await fetch(`${target.serverURL}/push`, {
        method: 'POST',
        headers: {
          'X-Parse-Application-Id': target.appId,
          'X-Parse-Master-Key': target.masterKey,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ channels: ['badges'], data: { alert: 'count', badge } }),
      });
      assert.equal(sent.status, 200, await sent.text());
      const id = sent.headers.get('x-parse-push-status-id') as string;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const status = (await rest(target, { method: 'GET', path: `/classes/_PushStatus/${id}`, useMasterKey: true }))
          .body as Json;
        if (status['status'] === 'succeeded' || status['status'] === 'failed') return status;
        assert.ok(Date.now() < deadline, JSON.stringify(status));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const stored = async (): Promise<Map<string, unknown>> => {
      const all = (await rest(target, { method: 'GET', path: '/installations?limit=100', useMasterKey: true }))
        .body as { results: Json[] };
      return new Map(all.results.map((row) => [row['objectId'] as string, row['badge']]));
    };
    const delivered = (from: number): Map<string, unknown> =>
      new Map(
        apns.accepted
          .slice(from)
          .map((request) => [request.token, (request.body['aps'] as Json | undefined)?.['badge']]),
      );

    it('an increment reaches every iOS device of every page with its own badge, and is stored', async () => {
      const from = apns.accepted.length;
      const status = await push({ __op: 'Increment', amount: 2 });
      assert.equal(status['status'], 'succeeded', JSON.stringify(status));
      assert.deepEqual(status['sentPerType'], { ios: startBadges.length });
      const sent = delivered(from);
      const rows = await stored();
      for (const [n, badge] of startBadges.entries()) {
        const expected = (badge ?? 0) + 2;
        assert.equal(sent.get(token(n)), expected, `device ${n} at APNs`);
        assert.equal(rows.get(ids.get(token(n)) as string), expected, `device ${n} stored`);
      }
      assert.equal(rows.get(ids.get('android') as string), undefined, 'Android devices get no badge');
    });

    it('a number sets every iOS badge; "Increment" then adds one to it', async () => {
      let from = apns.accepted.length;
      await push(7);
      assert.deepEqual(
        [...delivered(from).values()],
        startBadges.map(() => 7),
      );
      from = apns.accepted.length;
      await push('Increment');
      assert.deepEqual(
        [...delivered(from).values()],
        startBadges.map(() => 8),
      );
      const rows = await stored();
      for (const n of startBadges.keys()) assert.equal(rows.get(ids.get(token(n)) as string), 8);
    });
  });
}
