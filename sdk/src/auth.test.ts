import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCodes, StrataError, acl, createClient, localStorageAdapter, memoryStorage } from './index.js';
import type { CurrentUser, StorageAdapter, StrataClient, UserFields } from './index.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY, backends, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

// Users, sessions, storage of the logged-in user, roles: through the SDK against a real server.
interface Profile extends UserFields {
  nickname?: string;
  age?: number;
}

const failsWith = (code: number) => (err: unknown) => {
  assert.ok(err instanceof StrataError, String(err));
  assert.equal(err.code, code, err.message);
  return true;
};

/** An AsyncStorage-style store (every method returns a promise), as React Native's is. */
function asyncStorage(): StorageAdapter & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: async (key) => items.get(key) ?? null,
    setItem: async (key, value) => {
      items.set(key, value);
    },
    removeItem: async (key) => {
      items.delete(key);
    },
  };
}

for (const { backend, skip } of backends()) {
  if (skip !== false) console.log(`# skipping SDK auth tests on ${backend}: ${skip}`);
  describe(`@strata/sdk users, sessions and roles [${backend}]`, { skip }, () => {
    let server: SdkTestServer;
    const make = (extra: { storage?: StorageAdapter } = {}): StrataClient<{ _User: Profile }> =>
      createClient<{ _User: Profile }>({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY, ...extra });

    before(async () => {
      server = await startServer({
        backend,
        config: { verifyUserEmails: true, publicServerURL: 'http://placeholder.invalid/parse' },
      });
    });
    after(() => server?.close());

    it('signs up, logs out and logs in, keeping the user and sending its session', async () => {
      const client = make();
      const events: Array<string | null> = [];
      const unsubscribe = client.auth.onChange((user) => events.push(user?.username ?? null));
      const ann = await client.auth.signUp({
        username: 'ann',
        password: 'pw-ann-1',
        email: 'ann@example.com',
        nickname: 'A',
      });
      assert.match(ann.objectId, /^[A-Za-z0-9]{10}$/);
      assert.match(ann.sessionToken ?? '', /^r:[0-9a-f]{32}$/);
      assert.equal(ann.username, 'ann');
      assert.equal(ann.nickname, 'A');
      assert.equal('password' in ann, false);
      assert.ok(ann.createdAt instanceof Date);
      assert.equal((await client.auth.currentUser())?.objectId, ann.objectId);
      assert.equal(await client.auth.sessionToken(), ann.sessionToken);

      // The session is sent with every call: an object only the user may read is readable.
      const notes = client.collection<{ text: string }>('Private');
      const note = await notes.create({ text: 'x', ACL: acl().user(ann, 'readWrite') });
      assert.equal((await notes.get(note.objectId)).text, 'x');

      await client.auth.logOut();
      assert.equal(await client.auth.currentUser(), null);
      await assert.rejects(notes.get(note.objectId), failsWith(ErrorCodes.OBJECT_NOT_FOUND));

      const back = await client.auth.logIn('ann', 'pw-ann-1');
      assert.equal(back.objectId, ann.objectId);
      assert.equal(back.email, 'ann@example.com');
      assert.equal(back.nickname, 'A');
      assert.equal(back.emailVerified, false);
      assert.ok(back.updatedAt instanceof Date);
      assert.notEqual(back.sessionToken, ann.sessionToken);
      assert.equal((await notes.get(note.objectId)).text, 'x');
      unsubscribe();
      await client.auth.logOut();
      assert.deepEqual(events, ['ann', null, 'ann']);
    });

    it('rejects bad credentials and duplicate users with Parse codes, logged in as before', async () => {
      const client = make();
      await client.auth.signUp({ username: 'bob', password: 'pw-bob-1', email: 'bob@example.com' });
      await assert.rejects(client.auth.logIn('bob', 'wrong'), failsWith(ErrorCodes.OBJECT_NOT_FOUND));
      assert.equal((await client.auth.currentUser())?.username, 'bob');
      const other = make();
      await assert.rejects(
        other.auth.signUp({ username: 'BOB', password: 'x1234567' }),
        failsWith(ErrorCodes.USERNAME_TAKEN),
      );
      await assert.rejects(
        other.auth.signUp({ username: 'bobby', password: 'x1234567', email: 'BOB@example.com' }),
        failsWith(ErrorCodes.EMAIL_TAKEN),
      );
      await assert.rejects(other.auth.signUp({ username: '', password: 'x' }), failsWith(ErrorCodes.USERNAME_MISSING));
      assert.equal(await other.auth.currentUser(), null);
      await assert.rejects(other.auth.refresh(), failsWith(ErrorCodes.SESSION_MISSING));
      await client.auth.logOut();
    });

    it('persists the user through a storage adapter: sync (localStorage) and async (AsyncStorage)', async () => {
      const local = memoryStorage();
      const first = make({ storage: localStorageAdapter(local as unknown as Storage) });
      const carl = await first.auth.signUp({ username: 'carl', password: 'pw-carl-1', age: 30 });
      // A new client on the same storage (a page reload) is logged in as the same user.
      const reloaded = make({ storage: localStorageAdapter(local as unknown as Storage) });
      const restored = await reloaded.auth.currentUser();
      assert.equal(restored?.objectId, carl.objectId);
      assert.ok(restored?.createdAt instanceof Date);
      assert.equal(restored?.age, 30);
      assert.equal((await reloaded.auth.refresh()).username, 'carl');

      const store = asyncStorage();
      const rn = make({ storage: store });
      await rn.auth.logIn('carl', 'pw-carl-1');
      assert.equal(store.items.size, 1);
      const raw = JSON.parse([...store.items.values()][0] as string) as Record<string, unknown>;
      assert.equal(raw['username'], 'carl');
      assert.match(raw['sessionToken'] as string, /^r:/);
      assert.equal((await make({ storage: store }).auth.currentUser())?.username, 'carl');
      await rn.auth.logOut();
      assert.equal(store.items.size, 0);

      // Unreadable stored data: logged out, not broken.
      store.items.set(`strata:${APP_ID}:currentUser`, '{not json');
      assert.equal(await make({ storage: store }).auth.currentUser(), null);
      // No localStorage in Node: the adapter falls back to memory.
      assert.equal(typeof localStorageAdapter().getItem, 'function');
    });

    it('keeps several clients (users) apart in one process', async () => {
      const a = make();
      const b = make();
      await a.auth.signUp({ username: 'dora', password: 'pw-dora-1' });
      await b.auth.signUp({ username: 'eve', password: 'pw-eve-1' });
      assert.equal((await a.auth.currentUser())?.username, 'dora');
      assert.equal((await b.auth.currentUser())?.username, 'eve');
      // A client derived with with() shares the logged-in user; one with its own storage does not.
      const derived = a.with({ timeoutMs: 5_000 });
      assert.equal((await derived.auth.currentUser())?.username, 'dora');
      assert.equal(
        (await derived.collection('_User').query().equalTo('username', 'dora').first())?.['username'],
        'dora',
      );
      assert.equal(await a.with({ storage: memoryStorage() }).auth.currentUser(), null);
      await a.auth.logOut();
      assert.equal((await b.auth.currentUser())?.username, 'eve');
      await b.auth.logOut();
    });

    it('becomes a user from a session token, updates it, and changes the password', async () => {
      const client = make();
      const fay = await client.auth.signUp({ username: 'fay', password: 'pw-fay-1' });
      const elsewhere = make();
      const became = await elsewhere.auth.become(fay.sessionToken as string);
      assert.equal(became.objectId, fay.objectId);
      assert.equal(became.sessionToken, fay.sessionToken);
      await assert.rejects(
        make().auth.become('r:00000000000000000000000000000000'),
        failsWith(ErrorCodes.INVALID_SESSION_TOKEN),
      );

      const updated = await elsewhere.auth.update({ nickname: 'F', age: 41 });
      assert.equal(updated.nickname, 'F');
      assert.equal((await client.auth.refresh()).age, 41);
      const changed = await elsewhere.auth.update({ password: 'pw-fay-2' });
      assert.notEqual(changed.sessionToken, fay.sessionToken);
      assert.equal('password' in changed, false);
      // The old session was revoked by the password change; the new one works.
      await assert.rejects(client.auth.refresh(), failsWith(ErrorCodes.INVALID_SESSION_TOKEN));
      assert.equal((await elsewhere.auth.refresh()).nickname, 'F');
      await client.auth.logOut();
      assert.equal(await client.auth.currentUser(), null);
      assert.equal((await make().auth.logIn('fay', 'pw-fay-2')).objectId, fay.objectId);
    });

    it('requests password reset and email verification mails', async () => {
      const client = make();
      await client.auth.signUp({ username: 'gil', password: 'pw-gil-1', email: 'gil@example.com' });
      const before = server.mails.length;
      await client.auth.requestPasswordReset('gil@example.com');
      await client.auth.requestEmailVerification('gil@example.com');
      const sent = server.mails.slice(before);
      assert.deepEqual(
        sent.map((m) => m.to),
        ['gil@example.com', 'gil@example.com'],
      );
      assert.match(sent[0]?.text ?? '', /request_password_reset\?token=/);
      assert.match(sent[1]?.text ?? '', /verify_email\?token=/);
      await client.auth.requestPasswordReset('nobody@example.com');
      await assert.rejects(client.auth.requestPasswordReset(''), failsWith(ErrorCodes.EMAIL_MISSING));
      await client.auth.logOut();
    });

    it('logs in anonymously and with authData, links and unlinks providers', async () => {
      const client = make();
      const anon = await client.auth.logInAnonymously();
      assert.match(anon.username ?? '', /^[A-Za-z0-9]{25}$/);
      assert.match(anon.sessionToken, /^r:/);
      const anonymousId = (anon.authData?.['anonymous'] as { id: string }).id;
      assert.match(anonymousId, /^[0-9a-f-]{36}$/);
      // The same authData logs the same user in again.
      const again = await make().auth.logInWith('anonymous', { id: anonymousId });
      assert.equal(again.objectId, anon.objectId);
      assert.equal(again.username, anon.username);

      const hal = await client.auth.signUp({ username: 'hal', password: 'pw-hal-1' });
      const linked = await client.auth.linkWith('anonymous', { id: 'hal-device-1' });
      assert.deepEqual(linked.authData, { anonymous: { id: 'hal-device-1' } });
      assert.equal(linked.sessionToken, hal.sessionToken);
      assert.equal((await make().auth.logInWith('anonymous', { id: 'hal-device-1' })).objectId, hal.objectId);
      const unlinked = await client.auth.unlink('anonymous');
      assert.deepEqual(unlinked.authData, {});
      const fresh = await make().auth.logInWith('anonymous', { id: 'hal-device-1' });
      assert.notEqual(fresh.objectId, hal.objectId);
      await assert.rejects(
        make().auth.logInWith('nosuchprovider', { id: 'x' }),
        failsWith(ErrorCodes.UNSUPPORTED_SERVICE),
      );
      await assert.rejects(make().auth.linkWith('anonymous', { id: 'y' }), failsWith(ErrorCodes.SESSION_MISSING));
      await client.auth.logOut();
    });

    it('lists, reads and revokes the user own sessions', async () => {
      const phone = make();
      const laptop = make();
      const ivy = await phone.auth.signUp({ username: 'ivy', password: 'pw-ivy-1' });
      await laptop.auth.logIn('ivy', 'pw-ivy-1');
      const current = await phone.sessions.current();
      assert.equal(current.sessionToken, ivy.sessionToken);
      assert.equal(current.user.objectId, ivy.objectId);
      assert.ok(current.expiresAt instanceof Date);
      assert.equal(current.createdWith?.action, 'signup');
      const all = await phone.sessions.list();
      assert.equal(all.length, 2);
      assert.ok(all.every((s) => s.user.objectId === ivy.objectId));
      const laptopToken = await laptop.auth.sessionToken();
      const laptopSession = all.find((s) => s.sessionToken === laptopToken);
      assert.ok(laptopSession);
      await phone.sessions.revoke(laptopSession.objectId);
      await assert.rejects(laptop.sessions.current(), failsWith(ErrorCodes.INVALID_SESSION_TOKEN));
      // Logging out with a dead session still logs out locally.
      await laptop.auth.logOut();
      assert.equal(await laptop.auth.currentUser(), null);
      await assert.rejects(make().sessions.current(), failsWith(ErrorCodes.INVALID_SESSION_TOKEN));
      await phone.auth.logOut();
    });

    it('creates roles, manages members and lets ACLs name them', async () => {
      const master = make().with({ masterKey: MASTER_KEY });
      const users: Array<CurrentUser<Profile>> = [];
      for (const name of ['jo', 'kim', 'lee']) {
        const c = make();
        users.push((await c.auth.signUp({ username: name, password: `pw-${name}-1` })) as CurrentUser<Profile>);
      }
      const [jo, kim, lee] = users as [CurrentUser<Profile>, CurrentUser<Profile>, CurrentUser<Profile>];
      const editors = await master.roles.create('editors', { acl: acl().publicRead(), users: [jo] });
      assert.equal(editors.name, 'editors');
      assert.deepEqual(editors.users, { __type: 'Relation', className: '_User' });
      const admins = await master.roles.create('admins', { acl: acl().publicRead(), users: [kim.objectId] });
      // Admins are editors too.
      await master.roles.addRoles(editors.objectId, [admins]);
      assert.deepEqual(
        (await master.roles.users(editors.objectId).find()).map((u) => u.username),
        ['jo'],
      );
      assert.deepEqual(
        (await master.roles.roles(editors.objectId).find()).map((r) => r.name),
        ['admins'],
      );
      assert.equal((await master.roles.byName('admins'))?.objectId, admins.objectId);
      assert.equal(await master.roles.byName('nobody'), undefined);

      const docs = master.collection<{ text: string }>('Doc');
      const doc = await docs.create({ text: 'draft', ACL: acl().role('editors', 'read') });
      const as = async (user: CurrentUser<Profile>) =>
        make().with({ sessionToken: user.sessionToken }).collection<{ text: string }>('Doc').get(doc.objectId);
      assert.equal((await as(jo)).text, 'draft');
      assert.equal((await as(kim)).text, 'draft');
      await assert.rejects(as(lee), failsWith(ErrorCodes.OBJECT_NOT_FOUND));
      await master.roles.addUsers(editors.objectId, [lee]);
      assert.equal((await as(lee)).text, 'draft');
      await master.roles.removeUsers(editors.objectId, [jo, lee]);
      await master.roles.removeRoles(editors.objectId, [admins]);
      await assert.rejects(as(jo), failsWith(ErrorCodes.OBJECT_NOT_FOUND));
      await assert.rejects(as(kim), failsWith(ErrorCodes.OBJECT_NOT_FOUND));
      await assert.rejects(master.roles.create('editors', { acl: acl() }), failsWith(ErrorCodes.DUPLICATE_VALUE));
      await master.roles.collection.delete(admins.objectId);
      assert.equal(await master.roles.byName('admins'), undefined);
    });
  });
}
