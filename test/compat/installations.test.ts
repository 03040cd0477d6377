// The official Parse JS SDK's installation flow against Strata with the JavaScript key only: the current
// installation registers, subscribes to channels, survives being deleted on the server (the SDK re-creates
// it on 101), and the SDK cannot query other installations (119).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargets, expectParseError, rest, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

for (const spec of compatTargets()) {
  describe(`parse SDK installations [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
    });
    after(async () => {
      await target?.close();
    });

    const stored = async (installationId: string): Promise<Record<string, unknown>[]> => {
      const where = encodeURIComponent(JSON.stringify({ installationId }));
      const res = await rest(target, { method: 'GET', path: `/installations?where=${where}`, useMasterKey: true });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body as { results: Record<string, unknown>[] }).results;
    };

    it('registers the current installation with the client key and subscribes it to channels', async () => {
      const installation = await Parse.Installation.currentInstallation();
      assert.ok(installation);
      installation.set('channels', ['news']);
      installation.set('timeZone', 'Europe/Paris');
      await installation.save();
      const iid = String(installation.get('installationId'));
      const [row] = await stored(iid);
      assert.equal(row?.['deviceType'], 'web');
      assert.deepEqual(row?.['channels'], ['news']);
      assert.equal(row?.['objectId'], installation.id);

      installation.addUnique('channels', 'sport');
      await installation.save();
      assert.deepEqual((await stored(iid))[0]?.['channels'], ['news', 'sport']);
      // Its own installation can be fetched back with the client key.
      await installation.fetch();
      assert.deepEqual(installation.get('channels'), ['news', 'sport']);
    });

    it('registers again when the server deleted the installation (the SDK handles 101)', async () => {
      const installation = await Parse.Installation.currentInstallation();
      assert.ok(installation);
      const iid = String(installation.get('installationId'));
      const del = await rest(target, {
        method: 'DELETE',
        path: `/installations/${installation.id}`,
        useMasterKey: true,
      });
      assert.equal(del.status, 200);
      installation.set('badge', 2);
      await installation.save();
      const rows = await stored(iid);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.['badge'], 2);
    });

    it('cannot query installations, nor delete one, with the client key', async () => {
      await expectParseError(new Parse.Query(Parse.Installation).find(), 119);
      const installation = await Parse.Installation.currentInstallation();
      assert.ok(installation);
      await expectParseError(installation.destroy(), 119);
    });
  });
}
