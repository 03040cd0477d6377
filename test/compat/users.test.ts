// The official Parse JS SDK signing up, logging in and out, becoming a user by token, and reading its
// sessions (rest.md §6-7). Runs against every target of `compatTargets()`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compatTargets, expectParseError, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

const unique = (name: string): string => `${name}_${randomBytes(4).toString('hex')}`;

for (const spec of compatTargets()) {
  describe(`parse SDK users and sessions [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      // Node has no storage for the "current user" unless asked for it.
      Parse.User.enableUnsafeCurrentUser();
    });
    after(async () => {
      await Parse.User.logOut().catch(() => undefined);
      await target?.close();
    });

    it('signUp returns a session, sets current(), and keeps the password out of the user', async () => {
      const username = unique('sdk');
      const user = new Parse.User();
      user.set({ username, password: 'secret-1', email: `${username}@example.com` });
      await user.signUp();
      assert.match(user.id ?? '', /^[A-Za-z0-9]{10}$/);
      assert.match(user.getSessionToken() ?? '', /^r:[0-9a-f]{32}$/);
      assert.equal(Parse.User.current()?.id, user.id);
      const fetched = await new Parse.Query(Parse.User).get(user.id as string);
      assert.equal(fetched.get('username'), username);
      assert.equal(fetched.get('password'), undefined);
      assert.equal(fetched.get('email'), `${username}@example.com`, 'a user reads its own email');
    });

    it('logIn, become, logOut: the old token then fails with 209', async () => {
      const username = unique('login');
      await Parse.User.signUp(username, 'secret-2', {});
      await Parse.User.logOut();
      assert.equal(Parse.User.current(), null);
      const user = await Parse.User.logIn(username, 'secret-2');
      const token = user.getSessionToken() as string;
      assert.equal(Parse.User.current()?.get('username'), username);
      const became = await Parse.User.become(token);
      assert.equal(became.id, user.id);
      const session = await Parse.Session.current();
      assert.equal(session.getSessionToken(), token);
      assert.deepEqual(session.get('createdWith'), { action: 'login', authProvider: 'password' });
      await Parse.User.logOut();
      assert.equal(Parse.User.current(), null);
      await expectParseError(Parse.User.become(token), Parse.Error.INVALID_SESSION_TOKEN);
    });

    it('duplicate username → 202, wrong password → 101', async () => {
      const username = unique('dup');
      await Parse.User.signUp(username, 'pw', {});
      await Parse.User.logOut();
      await expectParseError(Parse.User.signUp(username.toUpperCase(), 'pw', {}), Parse.Error.USERNAME_TAKEN);
      const wrong = await expectParseError(Parse.User.logIn(username, 'nope'), Parse.Error.OBJECT_NOT_FOUND);
      assert.equal(wrong.message, 'Invalid username/password.');
      await expectParseError(Parse.User.logIn(unique('ghost'), 'nope'), Parse.Error.OBJECT_NOT_FOUND);
    });

    it('a user saves itself, cannot save another user, and a password change keeps it logged in', async () => {
      const other = await Parse.User.signUp(unique('other'), 'pw', {});
      const otherId = other.id as string;
      await Parse.User.logOut();
      const me = await Parse.User.signUp(unique('me'), 'pw', {});
      me.set('bio', 'hello');
      await me.save();
      const stranger = Parse.User.createWithoutData(otherId);
      stranger.set('bio', 'hacked');
      await expectParseError(stranger.save(), Parse.Error.SESSION_MISSING);
      me.setPassword('pw-2');
      await me.save();
      assert.match(me.getSessionToken() ?? '', /^r:[0-9a-f]{32}$/);
      assert.equal((await Parse.User.current()?.fetch())?.get('bio'), 'hello', 'the new token works');
      const sessions = await new Parse.Query(Parse.Session).find();
      assert.deepEqual(
        sessions.map((s) => s.getSessionToken()),
        [me.getSessionToken()],
        'only the fresh session is left',
      );
      await Parse.User.logOut();
    });

    it('master key reads every user; a user finds only itself', async () => {
      const a = await Parse.User.signUp(unique('a'), 'pw', {});
      await Parse.User.logOut();
      await Parse.User.signUp(unique('b'), 'pw', {});
      const visible = await new Parse.Query(Parse.User).find();
      assert.deepEqual(
        visible.map((u) => u.id),
        [Parse.User.current()?.id],
      );
      const all = await new Parse.Query(Parse.User).containedIn('objectId', [a.id]).find({ useMasterKey: true });
      assert.equal(all.length, 1);
      await Parse.User.logOut();
    });
  });
}
