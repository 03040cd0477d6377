import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import type { RawLiveClient } from './live-client.test-util.js';
import { LiveTestKit, countFinds, pointer } from './live-kit.test-util.js';

// `include` in LiveQuery events (beyond Parse; raw frames' query.include, as the parse SDK sends no include):
// pointers become the objects they point at, read as the subscriber (ACL, protected fields); a pointer it
// cannot read stays a bare pointer; one look-up per event for all subscribers with the same caller (counted
// with a beforeFind trigger on the pointed class, which getPointed runs as a REST include does).

type Json = Record<string, unknown>;

describe('LiveQuery include', () => {
  let server: TestServer;
  const authorFinds = countFinds('Author');
  const kit = new LiveTestKit(() => server);
  const { client, create, signUp } = kit;
  const ids: Record<string, string> = {};
  let alice: { id: string; token: string };

  before(async () => {
    server = await startTestServer({ cloudSetup: authorFinds.cloudSetup });
    alice = await signUp({ username: 'alice', password: 'pw-alice-1', email: 'alice@example.com' });
    // Everyone may read alice's user (as in Parse); her email stays protected from others.
    const acl = await server.call({
      method: 'PUT',
      path: `/users/${alice.id}`,
      body: { ACL: { '*': { read: true }, [alice.id]: { read: true, write: true } } },
      master: true,
    });
    assert.equal(acl.status, 200, JSON.stringify(acl.body));
    ids['pub'] = await create('Author', { name: 'pub', owner: pointer('_User', alice.id) });
    ids['secret'] = await create('Author', { name: 'secret', ACL: { [alice.id]: { read: true } } });
    await create('Message', { text: 'seed' });
  });
  after(async () => {
    await kit.closeAll();
    await server.close();
  });

  it('a readable pointer arrives as its object, an unreadable one as a bare pointer; original too', async () => {
    const c = await client();
    const answer = await c.subscribe(1, { className: 'Message', where: {}, include: ['author', 'authors'] });
    assert.equal(answer.op, 'subscribed');
    const from = c.frames.length;
    const id = await create('Message', {
      text: 'hi',
      author: pointer('Author', ids['pub'] as string),
      authors: [pointer('Author', ids['pub'] as string), pointer('Author', ids['secret'] as string)],
    });
    const created = (await c.op('create', 1, { from }))['object'] as Json;
    assert.equal(created['objectId'], id);
    const author = created['author'] as Json;
    assert.equal(author['__type'], 'Object');
    assert.equal(author['className'], 'Author');
    assert.equal(author['objectId'], ids['pub']);
    assert.equal(author['name'], 'pub');
    assert.equal(typeof author['createdAt'], 'string');
    const authors = created['authors'] as Json[];
    assert.equal(authors[0]?.['__type'], 'Object');
    assert.deepEqual(authors[1], pointer('Author', ids['secret'] as string), 'unreadable: a bare pointer');

    await server.call({
      method: 'PUT',
      path: `/classes/Message/${id}`,
      body: { author: pointer('Author', ids['secret'] as string) },
      master: true,
    });
    const updated = await c.op('update', 1, { from });
    assert.deepEqual((updated['object'] as Json)['author'], pointer('Author', ids['secret'] as string));
    assert.equal(((updated['original'] as Json)['author'] as Json)['name'], 'pub');
  });

  it('read as the subscriber: alice gets the object she may read', async () => {
    const c = await client({ sessionToken: alice.token });
    assert.equal((await c.subscribe(1, { className: 'Message', where: {}, include: 'author' })).op, 'subscribed');
    const from = c.frames.length;
    await create('Message', { text: 'to alice', author: pointer('Author', ids['secret'] as string) });
    const created = (await c.op('create', 1, { from }))['object'] as Json;
    assert.equal((created['author'] as Json)['name'], 'secret');
  });

  it('nested paths, and protected fields stay hidden in included objects (_User email)', async () => {
    const anonymous = await client();
    const own = await client({ sessionToken: alice.token });
    const query = { className: 'Message', where: { text: 'nested' }, include: ['author.owner'] };
    assert.equal((await anonymous.subscribe(1, query)).op, 'subscribed');
    assert.equal((await own.subscribe(1, query)).op, 'subscribed');
    const froms = [anonymous.frames.length, own.frames.length];
    await create('Message', { text: 'nested', author: pointer('Author', ids['pub'] as string) });
    const ownerSeenBy = async (c: RawLiveClient, from: number): Promise<Json> => {
      const object = (await c.op('create', 1, { from }))['object'] as Json;
      return (object['author'] as Json)['owner'] as Json;
    };
    const anonymousView = await ownerSeenBy(anonymous, froms[0] ?? 0);
    assert.equal(anonymousView['__type'], 'Object');
    assert.equal(anonymousView['username'], 'alice');
    assert.equal(anonymousView['email'], undefined, 'email is protected from others');
    assert.equal(anonymousView['sessionToken'], undefined);
    const ownView = await ownerSeenBy(own, froms[1] ?? 0);
    assert.equal(ownView['email'], 'alice@example.com', 'a user reads its own email');
  });

  it('one look-up per event for every subscriber with the same caller', async () => {
    // Only these subscribers (an earlier test's alice would be a second caller, with a look-up of her own).
    // Unsubscribed (acknowledged), so the server no longer holds them when the write comes.
    for (const c of kit.clients) {
      const from = c.frames.length;
      c.send({ op: 'unsubscribe', requestId: 1 });
      await c.op('unsubscribed', 1, { from });
    }
    const subscribers = await Promise.all([1, 2, 3, 4].map(() => client()));
    for (const c of subscribers) {
      assert.equal(
        (await c.subscribe(1, { className: 'Message', where: { text: 'shared' }, include: ['author'] })).op,
        'subscribed',
      );
    }
    const froms = subscribers.map((c) => c.frames.length);
    const before = authorFinds.count();
    await create('Message', { text: 'shared', author: pointer('Author', ids['pub'] as string) });
    const events = await Promise.all(subscribers.map((c, i) => c.op('create', 1, { from: froms[i] ?? 0 })));
    for (const event of events) assert.equal(((event['object'] as Json)['author'] as Json)['name'], 'pub');
    assert.equal(authorFinds.count() - before, 1);
  });

  it('bad include paths are refused with code 1', async () => {
    const c = await client();
    for (const include of [[1], ['a..b'], ['$where'], ['a.b.c.d'], Array.from({ length: 11 }, (_, i) => `f${i}`)]) {
      const answer = await c.subscribe(1, { className: 'Message', where: {}, include });
      assert.equal(answer.op, 'error', JSON.stringify(include));
      assert.equal(answer['code'], 1);
    }
  });
});
