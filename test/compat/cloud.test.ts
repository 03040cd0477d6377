// Parse-style cloud code (fixtures/cloud/main.js: Parse.Cloud.define, beforeSave rejecting and changing
// objects, afterSave and beforeFind using the SDK inside) loaded with `--cloud` the way users start Strata,
// driven by the official Parse JS SDK. Against an external server, start it with that main.js as its cloud
// code.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { compatTargets, expectParseError, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

const CLOUD_MAIN = fileURLToPath(new URL('./fixtures/cloud/main.js', import.meta.url));

/** Polls `probe` until it answers true; fails with `what` after a generous deadline (no timed assertions). */
async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const spec of compatTargets({ cloud: CLOUD_MAIN })) {
  describe(`parse SDK against Parse cloud code [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
    });
    after(async () => {
      await target?.close();
    });

    it('runs a function with Parse.Cloud.run', async () => {
      assert.equal(await Parse.Cloud.run('hello', { name: 'Ada' }), 'Hello Ada');
      assert.equal(await Parse.Cloud.run('hello'), 'Hello world');
    });

    it('hands Dates in params to the function as Date and returns them as Date', async () => {
      const when = new Date('2021-06-01T12:00:00.000Z');
      const result = (await Parse.Cloud.run('echoTypes', { when })) as { isDate: boolean; year: number; when: Date };
      assert.equal(result.isDate, true);
      assert.equal(result.year, 2021);
      assert.ok(result.when instanceof Date);
      assert.equal(result.when.toISOString(), when.toISOString());
    });

    it('answers an unknown function with 141', async () => {
      const error = await expectParseError(Parse.Cloud.run('noSuchFunction'), 141);
      assert.equal(error.message, 'Invalid function: "noSuchFunction"');
    });

    it('passes a thrown Parse.Error through with its code, and a thrown string as 141', async () => {
      const error = await expectParseError(Parse.Cloud.run('fail'), Parse.Error.INVALID_QUERY);
      assert.equal(error.message, 'That request makes no sense.');
      const stringError = await expectParseError(Parse.Cloud.run('failWithString'), 141);
      assert.equal(stringError.message, 'Something broke.');
    });

    it('enforces requireUser (142 without a session) and sees the caller as request.user', async () => {
      const refused = await expectParseError(Parse.Cloud.run('whoAmI'), 142);
      assert.equal(refused.message, 'Validation failed. Please login to continue.');
      const user = await Parse.User.signUp('cloud-ada', 'ada-password-1', {});
      const sessionToken = user.getSessionToken() ?? undefined;
      assert.equal(await Parse.Cloud.run('whoAmI', {}, { sessionToken }), 'cloud-ada');
    });

    it('rejects a save in beforeSave with the thrown code, and saves nothing', async () => {
      const review = new Parse.Object('CloudReview');
      review.set({ movie: 'Rejected', stars: 7 });
      const error = await expectParseError(review.save(), 142);
      assert.equal(error.message, 'Stars must be between 1 and 5.');
      const spam = new Parse.Object('CloudReview');
      spam.set({ movie: 'Rejected', stars: 3, comment: 'spam' });
      const spamError = await expectParseError(spam.save(), 141);
      assert.equal(spamError.message, 'No spam, please.');
      const count = await new Parse.Query('CloudReview').equalTo('movie', 'Rejected').count({ useMasterKey: true });
      assert.equal(count, 0);
    });

    it('saves what beforeSave changed and echoes it to the client', async () => {
      const review = new Parse.Object('CloudReview');
      review.set({ movie: 'Matrix', stars: 5, comment: 'A very long comment about the film' });
      await review.save();
      // The client's object carries the trigger's changes from the response...
      assert.equal(review.get('comment'), 'A very long comme...');
      assert.equal(review.get('moderated'), false);
      // ...and so does the stored row.
      const stored = await new Parse.Query('CloudReview').get(review.id ?? '', { useMasterKey: true });
      assert.equal(stored.get('comment'), 'A very long comme...');
      assert.equal(stored.get('moderated'), false);

      // An update: request.original and dirtyKeys() as in Parse.
      review.set('stars', 4);
      await review.save();
      assert.equal(review.get('previousStars'), 5);
      const updated = await new Parse.Query('CloudReview').get(review.id ?? '', { useMasterKey: true });
      assert.equal(updated.get('stars'), 4);
      assert.equal(updated.get('previousStars'), 5);
      assert.equal(updated.get('moderated'), false);
    });

    it('runs afterSave, whose own SDK saves reach the server', async () => {
      const review = new Parse.Object('CloudReview');
      review.set({ movie: 'Logged', stars: 2 });
      await review.save();
      const logs = new Parse.Query('CloudReviewLog').equalTo('reviewId', review.id);
      await eventually('the afterSave log row', async () => (await logs.count({ useMasterKey: true })) === 1);
      const entry = await logs.first({ useMasterKey: true });
      assert.equal(entry?.get('stars'), 2);
      assert.equal(entry?.get('isUpdate'), false);
    });

    it('runs functions whose Parse.Query sees the data, and returns Parse.Objects whole', async () => {
      for (const stars of [4, 2]) {
        const review = new Parse.Object('CloudReview');
        review.set({ movie: 'Average', stars });
        await review.save();
      }
      assert.equal(await Parse.Cloud.run('averageStars', { movie: 'Average' }), 3);
      const latest = await Parse.Cloud.run('latestReview');
      assert.ok(latest instanceof Parse.Object);
      assert.equal(latest.className, 'CloudReview');
      assert.equal(typeof latest.id, 'string');
      assert.equal(typeof latest.get('stars'), 'number');
    });

    it('filters queries in beforeFind with a Parse.Query made inside the trigger', async () => {
      const post = (author: string, title: string): Promise<unknown> => {
        const object = new Parse.Object('CloudPost');
        object.set({ author, title });
        return object.save();
      };
      await post('alice', 'hello');
      await post('mallory', 'buy now');
      await post('bob', 'hi');
      const before = await new Parse.Query('CloudPost').ascending('author').find();
      assert.deepEqual(
        before.map((p) => p.get('author')),
        ['alice', 'bob', 'mallory'],
      );
      const block = new Parse.Object('CloudBlock');
      block.set('author', 'mallory');
      await block.save(null, { useMasterKey: true });
      const after = await new Parse.Query('CloudPost').ascending('author').find();
      assert.deepEqual(
        after.map((p) => p.get('author')),
        ['alice', 'bob'],
      );
      assert.equal(await new Parse.Query('CloudPost').count(), 2);
    });
  });
}
