import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ParseModule from 'parse/node';
import { APP_ID, CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { LiveTestKit, countFinds, pointer } from './live-kit.test-util.js';

// LiveQuery subscriptions whose `where` reads other objects ($inQuery, $notInQuery, $select, $dontSelect,
// $relatedTo) fire (Parse's never do): each written state is matched after re-queries through core as the
// subscriber, one per distinct sub-query per event (counted with a beforeFind trigger on the sub-query's
// class). Attacks: a sub-query over objects or fields the subscriber cannot read must not make events depend on
// them. Raw frames and the official SDK.

const Parse = ParseModule as unknown as typeof ParseModule.default;
type Json = Record<string, unknown>;

describe('LiveQuery sub-query subscriptions', () => {
  let server: TestServer;
  const teamFinds = countFinds('Team');
  const kit = new LiveTestKit(() => server);
  const { client, create, update, signUp } = kit;
  const ids: Record<string, string> = {};
  let alice: { id: string; token: string };

  before(async () => {
    server = await startTestServer({ cloudSetup: teamFinds.cloudSetup });
    alice = await signUp({ username: 'alice', password: 'pw-alice-1' });
    ids['open'] = await create('Team', { name: 'open', active: true });
    ids['closed'] = await create('Team', { name: 'closed', active: false });
    // Active, but only alice may read it.
    ids['private'] = await create('Team', {
      name: 'private',
      active: true,
      ACL: { [alice.id]: { read: true, write: true } },
    });
    await create('Message', { text: 'seed', team: pointer('Team', ids['open'] as string) });
    // A class nobody but the master may find.
    await server.call({
      method: 'POST',
      path: '/schemas/Vault',
      master: true,
      body: { className: 'Vault', fields: { code: { type: 'String' } }, classLevelPermissions: { find: {}, get: {} } },
    });
  });
  after(async () => {
    await kit.closeAll();
    await server.close();
  });

  it('$inQuery: create in an active team fires, in an inactive one does not; moving out is a leave', async () => {
    const c = await client();
    const where = { team: { $inQuery: { className: 'Team', where: { active: true } } } };
    assert.equal((await c.subscribe(1, { className: 'Message', where })).op, 'subscribed');
    const from = c.frames.length;
    await create('Message', { text: 'nope', team: pointer('Team', ids['closed'] as string) });
    const id = await create('Message', { text: 'yes', team: pointer('Team', ids['open'] as string) });
    const created = await c.op('create', 1, { from });
    assert.equal((created['object'] as Json)['objectId'], id);
    assert.equal((created['object'] as Json)['text'], 'yes');
    await update('Message', id, { team: pointer('Team', ids['closed'] as string) });
    const left = await c.op('leave', 1, { from });
    assert.equal((left['object'] as Json)['objectId'], id);
    assert.deepEqual(
      c.frames
        .slice(from)
        .filter((f) => f['requestId'] === 1)
        .map((f) => f.op),
      ['create', 'leave'],
    );
  });

  it('$notInQuery: messages outside inactive teams (a message without a team too)', async () => {
    const c = await client();
    const where = { team: { $notInQuery: { className: 'Team', where: { active: false } } } };
    assert.equal((await c.subscribe(1, { className: 'Message', where })).op, 'subscribed');
    const from = c.frames.length;
    await create('Message', { text: 'in closed', team: pointer('Team', ids['closed'] as string) });
    const loose = await create('Message', { text: 'no team' });
    const open = await create('Message', { text: 'in open', team: pointer('Team', ids['open'] as string) });
    const events = await c.quiet(from, 800);
    assert.deepEqual(
      events.filter((f) => f.op === 'create').map((f) => (f['object'] as Json)['objectId']),
      [loose, open],
    );
  });

  it('$select / $dontSelect: a value among (not among) the values of a key of the sub-query', async () => {
    const c = await client();
    const select = { room: { $select: { query: { className: 'Team', where: { active: true } }, key: 'name' } } };
    const dontSelect = {
      room: { $dontSelect: { query: { className: 'Team', where: { active: true } }, key: 'name' } },
    };
    assert.equal((await c.subscribe(1, { className: 'Post', where: select })).op, 'subscribed');
    assert.equal((await c.subscribe(2, { className: 'Post', where: dontSelect })).op, 'subscribed');
    const from = c.frames.length;
    const inOpen = await create('Post', { room: 'open' });
    const inClosed = await create('Post', { room: 'closed' });
    // 'private' is an active team's name, but the anonymous subscriber cannot read that team.
    const inPrivate = await create('Post', { room: 'private' });
    const events = await c.quiet(from, 800);
    const of = (requestId: number): unknown[] =>
      events.filter((f) => f['requestId'] === requestId).map((f) => (f['object'] as Json)['objectId']);
    assert.deepEqual(of(1), [inOpen]);
    assert.deepEqual(of(2), [inClosed, inPrivate]);
  });

  it('$relatedTo: updates of the members of a relation fire, of others not', async () => {
    const member = await create('Message', { text: 'pinned' });
    const other = await create('Message', { text: 'other' });
    await update('Team', ids['open'] as string, {
      pinned: { __op: 'AddRelation', objects: [pointer('Message', member)] },
    });
    const c = await client();
    const where = { $relatedTo: { object: pointer('Team', ids['open'] as string), key: 'pinned' } };
    assert.equal((await c.subscribe(1, { className: 'Message', where })).op, 'subscribed');
    const from = c.frames.length;
    await update('Message', other, { text: 'other 2' });
    await update('Message', member, { text: 'pinned 2' });
    const event = await c.op('update', 1, { from });
    assert.equal((event['object'] as Json)['objectId'], member);
    assert.deepEqual(
      (await c.quiet(from, 300)).map((f) => f.op),
      ['update'],
    );
  });

  it('equality on a Relation field ({tags: pointer}, $ne) matches the members as REST does', async () => {
    const [red, blue] = [await create('Tag', { name: 'red' }), await create('Tag', { name: 'blue' })];
    const relate = (tag: string): Json => ({ tags: { __op: 'AddRelation', objects: [pointer('Tag', tag)] } });
    const redBoard = await create('Board', { title: 'r', ...relate(red) });
    const blueBoard = await create('Board', { title: 'b', ...relate(blue) });
    const c = await client();
    const isRed = { tags: pointer('Tag', red) };
    const notRed = { tags: { $ne: pointer('Tag', red) } };
    assert.equal((await c.subscribe(1, { className: 'Board', where: isRed })).op, 'subscribed');
    assert.equal((await c.subscribe(2, { className: 'Board', where: notRed })).op, 'subscribed');
    const from = c.frames.length;
    await update('Board', blueBoard, { title: 'b2' });
    await update('Board', redBoard, { title: 'r2' });
    await c.op('update', 1, { from });
    await c.op('update', 2, { from });
    const events = await c.quiet(from, 300);
    const of = (requestId: number): unknown[] =>
      events.filter((f) => f['requestId'] === requestId).map((f) => (f['object'] as Json)['objectId']);
    assert.deepEqual(of(1), [redBoard]);
    assert.deepEqual(of(2), [blueBoard]);
    // The same where through REST finds the same boards.
    const found = await server.call({ path: `/classes/Board?where=${encodeURIComponent(JSON.stringify(isRed))}` });
    assert.deepEqual(
      ((found.body as Json)['results'] as Json[]).map((board) => board['objectId']),
      [redBoard],
    );
  });

  it('a connection may hold at most --live-query-max-subquery-subscriptions re-querying subscriptions (155)', async () => {
    const c = await client();
    const where = (n: number): Json => ({
      team: { $inQuery: { className: 'Team', where: { name: `cap-${n}` } } },
    });
    for (let n = 1; n <= 10; n++) {
      assert.equal((await c.subscribe(n, { className: 'CapNote', where: where(n) })).op, 'subscribed');
    }
    const refused = await c.subscribe(11, { className: 'CapNote', where: where(11) });
    assert.equal(refused.op, 'error');
    assert.equal(refused['code'], 155);
    assert.match(refused['error'] as string, /sub-queries on this connection \(at most 10\)/);
    // A Relation-field constraint re-queries too, so it counts; a plain query does not.
    const relation = await c.subscribe(12, { className: 'Board', where: { tags: pointer('Tag', 'x') } });
    assert.equal(relation['code'], 155);
    assert.equal((await c.subscribe(13, { className: 'CapNote', where: { text: 'plain' } })).op, 'subscribed');
    // `update` of the plain one into a sub-query is refused and leaves it as it was.
    const from = c.frames.length;
    c.send({ op: 'update', requestId: 13, query: { className: 'CapNote', where: where(13) } });
    const error = await c.op('error', 13, { from });
    assert.equal(error['code'], 155);
    await create('CapNote', { text: 'plain' });
    await c.op('create', 13, { from });
    // Another connection has its own count; an unsubscribe frees a place.
    const other = await client();
    assert.equal((await other.subscribe(1, { className: 'CapNote', where: where(1) })).op, 'subscribed');
    c.send({ op: 'unsubscribe', requestId: 1 });
    await c.op('unsubscribed', 1);
    assert.equal((await c.subscribe(14, { className: 'CapNote', where: where(14) })).op, 'subscribed');
    // (Sub-queries on their own class, CapNote: the next test counts the Team finds of Message writes.)
  });

  it('one re-query per distinct sub-query per event, whatever the number of subscribers', async () => {
    const subscribers = await Promise.all([1, 2, 3, 4, 5].map(() => client()));
    const where = { team: { $inQuery: { className: 'Team', where: { name: 'open' } } } };
    for (const c of subscribers) assert.equal((await c.subscribe(1, { className: 'Message', where })).op, 'subscribed');
    const froms = subscribers.map((c) => c.frames.length);
    const finds = teamFinds.count();
    const id = await create('Message', { text: 'counted', team: pointer('Team', ids['open'] as string) });
    await Promise.all(subscribers.map((c, i) => c.op('create', 1, { from: froms[i] ?? 0 })));
    // Other subscriptions of this suite with other Team sub-queries may add theirs; this one adds exactly one.
    const createFinds = teamFinds.count() - finds;
    await update('Message', id, { text: 'counted again' });
    await Promise.all(subscribers.map((c, i) => c.op('update', 1, { from: froms[i] ?? 0 })));
    const updateFinds = teamFinds.count() - finds - createFinds;
    // Before and after point at the same team: one query serves both states of the update too.
    assert.ok(createFinds >= 1 && createFinds <= 4, `create: ${createFinds} Team finds`);
    assert.equal(updateFinds, createFinds, 'an update costs what a create does: one per distinct sub-query');
    for (const c of subscribers) await c.close();
  });

  it('attack: a sub-query over a class the subscriber may not find is refused (119)', async () => {
    const c = await client();
    const where = { team: { $inQuery: { className: 'Vault', where: {} } } };
    const answer = await c.subscribe(1, { className: 'Message', where });
    assert.equal(answer.op, 'error');
    assert.equal(answer['code'], 119);
    const select = { room: { $select: { query: { className: 'Vault', where: {} }, key: 'code' } } };
    assert.equal((await c.subscribe(2, { className: 'Post', where: select }))['code'], 119);
  });

  it('attack: a sub-query testing a field hidden from the subscriber is refused (119)', async () => {
    const c = await client();
    const where = { owner: { $inQuery: { className: '_User', where: { email: 'alice@example.com' } } } };
    const answer = await c.subscribe(1, { className: 'Message', where });
    assert.equal(answer.op, 'error', JSON.stringify(answer));
    assert.equal(answer['code'], 119);
  });

  it('attack: objects the subscriber cannot read never make a sub-query match (alice can, anonymous cannot)', async () => {
    const anonymous = await client();
    const owner = await client({ sessionToken: alice.token });
    const where = { team: { $inQuery: { className: 'Team', where: { active: true } } } };
    assert.equal((await anonymous.subscribe(1, { className: 'Message', where })).op, 'subscribed');
    assert.equal((await owner.subscribe(1, { className: 'Message', where })).op, 'subscribed');
    const fromAnonymous = anonymous.frames.length;
    const fromOwner = owner.frames.length;
    const secret = await create('Message', { text: 'in private', team: pointer('Team', ids['private'] as string) });
    const marker = await create('Message', { text: 'marker', team: pointer('Team', ids['open'] as string) });
    const seen = await owner.op('create', 1, { from: fromOwner });
    assert.equal((seen['object'] as Json)['objectId'], secret);
    await anonymous.op('create', 1, { from: fromAnonymous });
    const anonymousIds = anonymous.frames
      .slice(fromAnonymous)
      .filter((f) => f.op === 'create')
      .map((f) => (f['object'] as Json)['objectId']);
    assert.deepEqual(anonymousIds, [marker]);
  });

  it('the official SDK: query.matchesQuery(...).subscribe() gets create events', async () => {
    Parse.initialize(APP_ID, CLIENT_KEY);
    Parse.serverURL = server.mountURL;
    Parse.liveQueryServerURL = server.url.replace(/^http/, 'ws');
    const query = new Parse.Query('Message').matchesQuery('team', new Parse.Query('Team').equalTo('active', true));
    const subscription = await query.subscribe();
    try {
      await new Promise<void>((resolve) => subscription.on('open', () => resolve()));
      const created = new Promise<InstanceType<typeof Parse.Object>>((resolve) => {
        subscription.on('create', (object: InstanceType<typeof Parse.Object>) => resolve(object));
      });
      await create('Message', { text: 'sdk closed', team: pointer('Team', ids['closed'] as string) });
      const id = await create('Message', { text: 'sdk open', team: pointer('Team', ids['open'] as string) });
      const object = await created;
      assert.equal(object.id, id);
      assert.equal(object.get('text'), 'sdk open');
    } finally {
      await subscription.unsubscribe();
      await Parse.LiveQuery.close();
    }
  });
});
