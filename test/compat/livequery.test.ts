// The official Parse JS SDK's LiveQuery client against Strata's LiveQuery: Parse.Query#subscribe() with the
// five events (ParseObjects with `original`), a session token per subscription and per client
// (Parse.LiveQueryClient), `select` as keys, the SDK's own error path (a refused subscription), unsubscribe
// and close. Runs against every compat target; an external server's LiveQuery URL is
// STRATA_COMPAT_LIVE_URL (default: its serverURL with ws://).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compatTargets, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

type ParseObject = InstanceType<ParseSDK['Object']>;

/** Resolves with the arguments of the next `event` an SDK emitter fires (it has `on`, not `once`). */
function nextEvent(
  emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown },
  event: string,
): Promise<unknown[]> {
  return new Promise((resolve) => {
    let done = false;
    emitter.on(event, (...args: unknown[]) => {
      if (done) return;
      done = true;
      resolve(args);
    });
  });
}

/** The SDK types `subscribe` as possibly undefined (it is, for a missing query). */
function subscribed<T>(subscription: T | undefined): T {
  assert.ok(subscription !== undefined);
  return subscription;
}

for (const spec of compatTargets()) {
  describe(`parse SDK LiveQuery [${spec.name}]`, { skip: spec.skip, timeout: 60_000 }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    let liveURL: string;
    const clients: Array<InstanceType<ParseSDK['LiveQueryClient']>> = [];

    const liveClient = async (sessionToken?: string): Promise<InstanceType<ParseSDK['LiveQueryClient']>> => {
      const client = new Parse.LiveQueryClient({
        applicationId: target.appId,
        serverURL: liveURL,
        javascriptKey: target.javascriptKey,
        ...(sessionToken === undefined ? {} : { sessionToken }),
      });
      clients.push(client);
      const opened = nextEvent(client, 'open');
      client.open();
      await opened;
      return client;
    };

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      liveURL = process.env['STRATA_COMPAT_LIVE_URL'] ?? target.serverURL.replace(/^http/, 'ws');
    });
    after(async () => {
      for (const client of clients) await client.close();
      await target?.close();
    });

    it('query.subscribe(): create, update (with original), leave, enter, delete as ParseObjects', async () => {
      const className = uniqueClassName('Chat');
      const seed = new Parse.Object(className);
      await seed.save({ room: 'seed' });
      const client = await liveClient();
      const subscription = subscribed(client.subscribe(new Parse.Query(className).equalTo('room', 'lobby')));
      await nextEvent(subscription, 'open');

      const created = nextEvent(subscription, 'create');
      const message = new Parse.Object(className);
      await message.save({ room: 'lobby', text: 'hello' });
      const [createdObject] = (await created) as [ParseObject];
      assert.equal(createdObject.id, message.id);
      assert.equal(createdObject.className, className);
      assert.equal(createdObject.get('text'), 'hello');
      assert.ok(createdObject.createdAt instanceof Date);

      const updated = nextEvent(subscription, 'update');
      await message.save({ text: 'edited' });
      const [updatedObject, original] = (await updated) as [ParseObject, ParseObject];
      assert.equal(updatedObject.get('text'), 'edited');
      assert.equal(original.get('text'), 'hello');

      const left = nextEvent(subscription, 'leave');
      await message.save({ room: 'attic' });
      const [leftObject] = (await left) as [ParseObject];
      assert.equal(leftObject.get('room'), 'attic');

      const entered = nextEvent(subscription, 'enter');
      await message.save({ room: 'lobby' });
      const [enteredObject, enteredOriginal] = (await entered) as [ParseObject, ParseObject];
      assert.equal(enteredObject.get('room'), 'lobby');
      assert.equal(enteredOriginal.get('room'), 'attic');

      const deleted = nextEvent(subscription, 'delete');
      await message.destroy();
      const [deletedObject] = (await deleted) as [ParseObject];
      assert.equal(deletedObject.id, message.id);

      // subscription.unsubscribe() goes through the SDK's default client; this one is the test's own.
      await client.unsubscribe(subscription);
      assert.equal(subscription.subscribed, false);
    });

    it('a session token per client: only objects its user may read arrive, with the fields it may see', async () => {
      const className = uniqueClassName('Inbox');
      const user = new Parse.User();
      user.set({ username: `lq_${randomBytes(4).toString('hex')}`, password: 'pw' });
      await user.signUp();
      const token = user.getSessionToken() as string;
      const client = await liveClient(token);
      const anonymous = await liveClient();
      const mine = subscribed(client.subscribe(new Parse.Query(className).select('title'), token));
      const theirs = subscribed(anonymous.subscribe(new Parse.Query(className)));
      await Promise.all([nextEvent(mine, 'open'), nextEvent(theirs, 'open')]);

      const anonymousSaw: string[] = [];
      theirs.on('create', (object: ParseObject) => anonymousSaw.push(object.get('title') as string));
      const created = nextEvent(mine, 'create');
      const letter = new Parse.Object(className);
      letter.setACL(new Parse.ACL(user));
      await letter.save({ title: 'private', body: 'not selected' }, { sessionToken: token });
      const [object] = (await created) as [ParseObject];
      assert.equal(object.get('title'), 'private');
      assert.equal(object.has('body'), false, 'select() sends keys: only title');

      // A public object next: the anonymous client gets it and, since events are ordered, not the private one.
      const publicCreated = nextEvent(theirs, 'create');
      await new Parse.Object(className).save({ title: 'public' });
      await publicCreated;
      assert.deepEqual(anonymousSaw, ['public']);
    });

    it('a refused subscription rejects through the SDK with the server code (CLP find denied → 119)', async () => {
      const className = uniqueClassName('Closed');
      const schema = new Parse.Schema(className);
      schema.addString('x');
      schema.setCLP({ find: {}, get: { '*': true }, count: {}, create: {}, update: {}, delete: {}, addField: {} });
      await schema.save();
      const client = await liveClient();
      const subscription = subscribed(client.subscribe(new Parse.Query(className)));
      const error = nextEvent(subscription, 'error');
      await assert.rejects(
        subscription.subscribePromise as Promise<unknown>,
        (err: { code?: number }) => err.code === 119,
      );
      assert.deepEqual(await error, ['Permission denied']);
    });
  });
}
