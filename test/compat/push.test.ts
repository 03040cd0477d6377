// Push with the official Parse JS SDK (issue 16's done-when): installations registered with the JavaScript
// key only (the current web installation with a browser subscription, an Android and an iOS one), each
// subscribed to a channel; a push to that channel, sent by the SDK's Parse.Push.send and by cloud code's,
// reaches the local fakes of FCM, APNs and a Web Push service with the right payloads, and afterSave on
// _PushStatus sees it succeed. In-process targets only: an external server cannot be pointed at the fakes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import webPush from 'web-push';
import { compatTargets, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';
import type { StartOptions } from '../helpers/in-process.js';
import { startFcmFake } from '../../server/src/push/fakes/fcm-fake.test-util.js';
import type { FcmFake } from '../../server/src/push/fakes/fcm-fake.test-util.js';
import { startApnsFake } from '../../server/src/push/fakes/apns-fake.test-util.js';
import type { ApnsFake } from '../../server/src/push/fakes/apns-fake.test-util.js';
import { startWebPushFake } from '../../server/src/push/fakes/web-push-fake.test-util.js';
import type { WebPushFake } from '../../server/src/push/fakes/web-push-fake.test-util.js';

const CLOUD = fileURLToPath(new URL('./fixtures/push/main.js', import.meta.url));
const IOS_TOKEN = 'c0ffee'.padEnd(64, '0');
const external = process.env['STRATA_COMPAT_SERVER_URL'] !== undefined;
const startOptions: StartOptions = { cloud: CLOUD };

for (const spec of compatTargets(startOptions)) {
  const skip = spec.skip ?? (external ? 'an external server cannot be pointed at the provider fakes' : undefined);
  describe(`parse SDK push [${spec.name}]`, { skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    let dir: string;
    let fcm: FcmFake;
    let apns: ApnsFake;
    let web: WebPushFake;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'strata-compat-push-'));
      const vapid = webPush.generateVAPIDKeys();
      fcm = await startFcmFake({ dir });
      apns = await startApnsFake({ dir, mode: 'token' });
      web = await startWebPushFake({ dir, vapidPublicKey: vapid.publicKey });
      // Both fakes serve TLS with their own self-signed certificate: trust both.
      const caFile = join(dir, 'fake-cas.pem');
      const { readFileSync, writeFileSync } = await import('node:fs');
      writeFileSync(caFile, readFileSync(apns.caFile, 'utf8') + readFileSync(web.caFile, 'utf8'));
      startOptions.config = {
        pushFcmServiceAccount: fcm.serviceAccountFile,
        pushFcmUrl: fcm.url,
        pushApnsKey: apns.keyFile,
        pushApnsKeyId: apns.keyId,
        pushApnsTeamId: apns.teamId,
        pushApnsUrl: apns.url,
        pushApnsTopic: 'org.strata.compat',
        pushCa: caFile,
        pushWebVapidPublicKey: vapid.publicKey,
        pushWebVapidPrivateKey: vapid.privateKey,
        pushWebVapidSubject: 'mailto:ops@strata.test',
      };
      target = await spec.start();
      Parse = useParse(target);
    });
    after(async () => {
      await target?.close();
      await Promise.all([fcm?.close(), apns?.close(), web?.close()]);
      rmSync(dir, { recursive: true, force: true });
    });

    const waitFor = async (statusId: string): Promise<Record<string, unknown>> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const status = await Parse.Push.getPushStatus(statusId);
        if (status.get('status') === 'succeeded' || status.get('status') === 'failed') return status.toJSON();
        assert.ok(Date.now() < deadline, `push ${statusId} did not finish`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    it('registers web, Android and iOS installations on a channel with the client key; a push reaches every provider', async () => {
      const current = await Parse.Installation.currentInstallation();
      assert.ok(current);
      current.set('deviceToken', JSON.stringify(web.subscription(`sdk-${spec.name}`)));
      current.set('channels', ['sdk-news']);
      await current.save();
      const android = new Parse.Installation();
      android.set({
        installationId: `sdk-android-${spec.name}`,
        deviceType: 'android',
        deviceToken: 'ok-sdk-android',
        channels: ['sdk-news'],
      });
      const ios = new Parse.Installation();
      ios.set({
        installationId: `sdk-ios-${spec.name}`,
        deviceType: 'ios',
        deviceToken: IOS_TOKEN,
        channels: ['sdk-news'],
        badge: 4,
      });
      // Parse.Installation#save makes the saved object the SDK's current installation; saveAll (one /batch)
      // registers other devices without touching it.
      await Parse.Object.saveAll([android, ios]);

      // The SDK sends with the master key it was initialized with, and answers the status id.
      const statusId = await Parse.Push.send({
        channels: ['sdk-news'],
        data: { alert: 'Hello from the SDK', title: 'Strata', badge: 'Increment', extra: 'x' },
      });
      assert.match(String(statusId), /^[A-Za-z0-9]{10}$/);
      const status = await waitFor(String(statusId));
      assert.equal(status['status'], 'succeeded', JSON.stringify(status));
      assert.equal(status['numSent'], 3);
      assert.deepEqual(status['sentPerType'], { web: 1, android: 1, ios: 1 });

      const fcmMessage = fcm.messages.find((m) => m['token'] === 'ok-sdk-android');
      assert.ok(fcmMessage, 'FCM got the Android device');
      assert.deepEqual(JSON.parse(String((fcmMessage['data'] as Record<string, unknown>)['data'])), {
        alert: 'Hello from the SDK',
        title: 'Strata',
        extra: 'x',
      });
      const apnsRequest = apns.accepted.find((r) => r.token === IOS_TOKEN);
      assert.ok(apnsRequest, 'APNs got the iOS device');
      assert.deepEqual(apnsRequest.body, {
        aps: { alert: { title: 'Strata', body: 'Hello from the SDK' }, badge: 5 },
        extra: 'x',
      });
      assert.equal(apnsRequest.headers['apns-topic'], 'org.strata.compat');
      const webDelivery = web.delivered.find((d) => d.id === `sdk-${spec.name}`);
      assert.ok(webDelivery, 'the Web Push service got the browser');
      assert.deepEqual(webDelivery.payload, { alert: 'Hello from the SDK', title: 'Strata', extra: 'x' });
    });

    it('sends from cloud code with Parse.Push.send, and afterSave on _PushStatus sees it succeed', async () => {
      const statusId = String(await Parse.Cloud.run('broadcast', { channel: 'sdk-news', alert: 'From the cloud' }));
      assert.match(statusId, /^[A-Za-z0-9]{10}$/);
      const status = await waitFor(statusId);
      assert.equal(status['numSent'], 3);
      assert.equal(status['source'], 'rest');
      // The cloud code's Parse.Cloud.beforePush changed the alert on its way.
      assert.ok(
        fcm.messages.some((m) =>
          String((m['data'] as Record<string, unknown>)['data']).includes('From the cloud (checked)'),
        ),
      );
      const deadline = Date.now() + 10_000;
      while (!((await Parse.Cloud.run('finishedPushes')) as string[]).includes(statusId)) {
        assert.ok(Date.now() < deadline, 'afterSave on _PushStatus never saw the push succeed');
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    it('Parse.Cloud.beforePush refuses a push with its error; afterPush hears the sent ones with their counts', async () => {
      await assert.rejects(
        Parse.Push.send({ channels: ['sdk-news'], data: { alert: 'blocked' } }),
        (err: unknown) =>
          (err as { code?: unknown }).code === 142 &&
          (err as { message?: unknown }).message === 'This push was refused by beforePush.',
      );
      const statusId = String(await Parse.Push.send({ channels: ['sdk-news'], data: { alert: 'counted' } }));
      await waitFor(statusId);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const heard = (await Parse.Cloud.run('afterPushes')) as Record<string, unknown>[];
        const mine = heard.find((h) => h['pushStatusId'] === statusId);
        if (mine !== undefined) {
          assert.deepEqual(mine, { pushStatusId: statusId, status: 'succeeded', numSent: 3, master: true });
          break;
        }
        assert.ok(Date.now() < deadline, 'afterPush never ran');
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    it('the client key alone cannot send a push', async () => {
      await assert.rejects(
        Parse.Push.send({ channels: ['sdk-news'], data: { alert: 'spam' } }, { useMasterKey: false }),
        (err: unknown) => typeof err === 'object' && err !== null && 'code' in err,
      );
    });
  });
}
