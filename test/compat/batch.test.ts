// `Parse.Object.saveAll` / `destroyAll` from the official Parse JS SDK, which go through `POST /batch`,
// including per-item failures; plus the raw batch wire shape. Runs against every target of
// `compatTargets()`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargets, expectParseError, rest, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

type ParseObject = InstanceType<ParseSDK['Object']>;

for (const spec of compatTargets()) {
  describe(`parse SDK batch [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    const Item = uniqueClassName('Item');

    const make = (fields: Record<string, unknown>): ParseObject => {
      const obj = new Parse.Object(Item);
      obj.set(fields);
      return obj;
    };
    const count = (): Promise<number> => new Parse.Query(Item).count();

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      // Fix the schema first so later type mismatches are deterministic.
      await make({ n: 0, label: 'seed' }).save();
    });
    after(async () => {
      await target?.close();
    });

    it('saveAll creates and updates several objects in one batch', async () => {
      const fresh = [make({ n: 1 }), make({ n: 2 }), make({ n: 3 })];
      await Parse.Object.saveAll(fresh);
      for (const obj of fresh) assert.match(obj.id ?? '', /^[A-Za-z0-9]{10}$/);
      assert.equal(new Set(fresh.map((o) => o.id)).size, 3);
      for (const obj of fresh) {
        assert.ok(obj.createdAt instanceof Date);
        assert.equal(obj.updatedAt?.toISOString(), obj.createdAt.toISOString());
      }

      const [first, second] = fresh as [ParseObject, ParseObject, ParseObject];
      first.increment('n', 10);
      second.set('label', 'second');
      const added = make({ n: 4 });
      await Parse.Object.saveAll([first, second, added]);
      assert.equal(first.get('n'), 11);
      assert.match(added.id ?? '', /^[A-Za-z0-9]{10}$/);

      const back = await new Parse.Query(Item).containedIn('objectId', [first.id, second.id, added.id]).find();
      const byId = new Map(back.map((o) => [o.id, o]));
      assert.equal(byId.get(first.id)?.get('n'), 11);
      assert.equal(byId.get(second.id)?.get('label'), 'second');
      assert.equal(byId.get(added.id)?.get('n'), 4);
    });

    it("saveAll rejects with the failing item's error while the other items are saved", async () => {
      const before = await count();
      const good1 = make({ n: 10, label: 'good1' });
      const bad = make({ n: 'not a number', label: 'bad' });
      const good2 = make({ n: 11, label: 'good2' });
      const err = await expectParseError(Parse.Object.saveAll([good1, bad, good2]), Parse.Error.INCORRECT_TYPE);
      assert.equal(err.message, `schema mismatch for ${Item}.n; expected Number but got String`);
      assert.equal(bad.id, undefined);
      assert.match(good1.id ?? '', /^[A-Za-z0-9]{10}$/);
      assert.match(good2.id ?? '', /^[A-Za-z0-9]{10}$/);
      assert.equal(await count(), before + 2);
      assert.deepEqual(
        (await new Parse.Query(Item).containedIn('label', ['good1', 'bad', 'good2']).find())
          .map((o) => o.get('label'))
          .sort(),
        ['good1', 'good2'],
      );
    });

    it('destroyAll deletes every object, after which fetching one fails with 101', async () => {
      const doomed = [make({ n: 20 }), make({ n: 21 })];
      await Parse.Object.saveAll(doomed);
      await Parse.Object.destroyAll(doomed);
      for (const obj of doomed) {
        await expectParseError(new Parse.Query(Item).get(obj.id ?? ''), Parse.Error.OBJECT_NOT_FOUND);
      }
    });

    it('destroyAll reports each failing item in an aggregate error', async () => {
      const real = make({ n: 30 });
      await real.save();
      const ghost = new Parse.Object(Item);
      ghost.id = 'ghostGhost';
      const err = await expectParseError(Parse.Object.destroyAll([real, ghost]), Parse.Error.AGGREGATE_ERROR);
      const errors = (err.raw as { errors: { code: number; object: ParseObject }[] }).errors;
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.code, Parse.Error.OBJECT_NOT_FOUND);
      assert.equal(errors[0]?.object.id, 'ghostGhost');
      await expectParseError(new Parse.Query(Item).get(real.id ?? ''), Parse.Error.OBJECT_NOT_FOUND);
    });

    it('answers a raw batch with HTTP 200 and one success or error entry per request', async () => {
      const existing = make({ n: 40 });
      await existing.save();
      const mount = new URL(target.serverURL).pathname;
      const res = await rest(target, {
        method: 'POST',
        path: '/batch',
        body: {
          requests: [
            { method: 'POST', path: `${mount}/classes/${Item}`, body: { n: 41 } },
            { method: 'POST', path: `${mount}/classes/${Item}`, body: { n: 'wrong' } },
            {
              method: 'PUT',
              path: `${mount}/classes/${Item}/${existing.id ?? ''}`,
              body: { n: { __op: 'Increment', amount: 2 } },
            },
            { method: 'DELETE', path: `${mount}/classes/${Item}/missingId0` },
            { method: 'GET', path: `${mount}/classes/${Item}/${existing.id ?? ''}` },
          ],
        },
      });
      assert.equal(res.status, 200);
      const items = res.body as Record<string, Record<string, unknown>>[];
      assert.equal(items.length, 5);
      const created = items[0]?.['success'];
      assert.deepEqual(Object.keys(created ?? {}).sort(), ['createdAt', 'objectId']);
      assert.deepEqual(items[1], {
        error: { code: 111, error: `schema mismatch for ${Item}.n; expected Number but got String` },
      });
      const updated = items[2]?.['success'];
      assert.deepEqual(Object.keys(updated ?? {}).sort(), ['n', 'updatedAt']);
      assert.equal(updated?.['n'], 42);
      assert.equal(items[3]?.['error']?.['code'], 101);
      // Sub-requests run concurrently, so the GET may see n before or after the increment.
      assert.equal(items[4]?.['success']?.['objectId'], existing.id);
    });
  });
}
