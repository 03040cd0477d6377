// GraphQL subscriptions over WebSocket (issue 15 item 7) with the real `graphql-ws` client: events of the live
// query hub in write order (CREATE / ENTER / UPDATE / LEAVE / DELETE against a where), nested pointers read as
// the subscriber, and the attacks: a subscriber never receives an object or a field REST would hide from it
// (ACL, CLP, protectedFields, a pointer it may not read, a session revoked mid-subscription), bad keys and
// tokens close the socket, and the limits (subscriptions per connection, depth, queries over the socket,
// subscriptions over HTTP) answer with errors. Runs on SQLite, and on MongoDB (FerretDB) when configured.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { compatTargets, graphqlClient, rawGraphQL, rest } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';
import { openGraphQLSocket } from '../helpers/graphql-ws.js';
import type { GraphQLSocket, Outcome, Subscription } from '../helpers/graphql-ws.js';

const suffix = (): string => randomBytes(3).toString('hex');
const MAX_SUBSCRIPTIONS = 3;

interface Node {
  objectId: string;
  text: string | null;
  score?: number | null;
  secret?: string | null;
  note?: { body: string } | null;
  owner?: { username: string } | null;
}
type EventData = Record<string, { event: string; node: Node; original: Node | null }>;
type NodeData = Record<string, Node>;

/** The code of the first error of an outcome (a refused subscription answers a result with errors). */
function codeOf(outcome: Outcome<unknown>): unknown {
  if (outcome.kind === 'next') return outcome.result.errors?.[0]?.extensions?.['code'];
  if (outcome.kind === 'error') return outcome.errors[0]?.extensions?.['code'];
  return undefined;
}

function messageOf(outcome: Outcome<unknown>): string {
  if (outcome.kind === 'next') return outcome.result.errors?.[0]?.message ?? '';
  if (outcome.kind === 'error') return outcome.errors[0]?.message ?? '';
  return '';
}

for (const spec of compatTargets({ config: { graphQLMaxSubscriptions: MAX_SUBSCRIPTIONS } })) {
  describe(`GraphQL subscriptions [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    const sockets: GraphQLSocket[] = [];
    const Item = `GqlLive${suffix()}`;
    const Note = `GqlNote${suffix()}`;
    const Closed = `GqlClosed${suffix()}`;
    const users: Record<'alice' | 'bob', { token: string; id: string }> = {
      alice: { token: '', id: '' },
      bob: { token: '', id: '' },
    };
    const as = (who?: 'alice' | 'bob') =>
      graphqlClient(target, who === undefined ? {} : { sessionToken: users[who].token });
    const open = (caller: Parameters<typeof openGraphQLSocket>[1] = {}): GraphQLSocket => {
      const socket = openGraphQLSocket(target, caller);
      sockets.push(socket);
      return socket;
    };

    /** Creates an Item as `who` (public read/write unless `acl` says otherwise); its objectId. */
    const create = async (fields: Record<string, unknown>, who: 'alice' | 'bob' = 'alice'): Promise<string> => {
      const data = await as(who).request<Record<string, { [k: string]: { objectId: string } }>>(
        `mutation ($f: Create${Item}FieldsInput) { create${Item}(input: { fields: $f }) { ${lower(Item)} { objectId } } }`,
        { f: fields },
      );
      return data[`create${Item}`]?.[lower(Item)]?.objectId as string;
    };
    const update = (id: string, fields: Record<string, unknown>): Promise<unknown> =>
      as('alice').request(
        `mutation ($id: ID!, $f: Update${Item}FieldsInput) { update${Item}(input: { id: $id, fields: $f }) { clientMutationId } }`,
        { id, f: fields },
      );

    /**
     * Waits until the subscription is registered on the server: creates probe objects the subscriber can see
     * until one arrives (the server has no "subscribed" message). Returns the probes' room-free marker.
     */
    const ready = async (sub: Subscription<unknown>, probe: Record<string, unknown>): Promise<void> => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        await create({ ...probe, text: `probe-${attempt}` });
        await Promise.race([sub.arrived(), delay(250)]);
        if (sub.waiting > 0) return;
      }
      assert.fail('the subscription never delivered a probe');
    };
    /** The next outcome that is not a probe's event. */
    const nextReal = async <T>(sub: Subscription<T>, field: string): Promise<Outcome<T>> => {
      for (;;) {
        const outcome = await sub.next();
        if (outcome.kind !== 'next' || outcome.result.errors !== undefined) return outcome;
        const value = (outcome.result.data as Record<string, { node?: Node; text?: string }> | undefined)?.[field];
        const text = value?.node?.text ?? value?.text;
        if (typeof text === 'string' && text.startsWith('probe-')) continue;
        return outcome;
      }
    };

    before(async () => {
      target = await spec.start();
      const schema = (className: string, fields: Record<string, unknown>, clp: Record<string, unknown>) =>
        rest(target, {
          method: 'POST',
          path: `/schemas/${className}`,
          useMasterKey: true,
          body: { className, fields, classLevelPermissions: clp },
        });
      const open = { '*': true };
      const publicCLP = { find: open, get: open, count: open, create: open, update: open, delete: open, addField: {} };
      assert.equal((await schema(Note, { body: { type: 'String' } }, publicCLP)).status, 200);
      const created = await schema(
        Item,
        {
          text: { type: 'String' },
          room: { type: 'String' },
          score: { type: 'Number' },
          secret: { type: 'String' },
          owner: { type: 'Pointer', targetClass: '_User' },
          note: { type: 'Pointer', targetClass: Note },
        },
        { ...publicCLP, protectedFields: { '*': ['secret'] } },
      );
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const closed = await schema(Closed, { text: { type: 'String' } }, { ...publicCLP, find: {}, get: {} });
      assert.equal(closed.status, 200);
      for (const name of ['alice', 'bob'] as const) {
        const signed = await as().request<{ signUp: { viewer: { sessionToken: string; user: { objectId: string } } } }>(
          `mutation ($u: String!) { signUp(input: { fields: { username: $u, password: "pw" } }) { viewer { sessionToken user { objectId } } } }`,
          { u: `${name}-${suffix()}` },
        );
        users[name] = { token: signed.signUp.viewer.sessionToken, id: signed.signUp.viewer.user.objectId };
      }
    });
    after(async () => {
      await Promise.all(sockets.map((socket) => socket.dispose().catch(() => undefined)));
      await target?.close();
    });

    it('delivers CREATE, LEAVE, ENTER, UPDATE, DELETE against the where, with pointers read as the subscriber', async () => {
      const room = `room-${suffix()}`;
      const socket = open({ sessionToken: users.bob.token });
      await socket.connected;
      const field = `on${Item}Event`;
      const sub = socket.subscribe<EventData>(
        `subscription ($where: ${Item}WhereInput) { ${field}(where: $where) {
          event node { objectId text score owner { username } } original { score } } }`,
        { where: { room: { equalTo: room }, score: { greaterThan: 10 } } },
      );
      await ready(sub, { room, score: 100 });
      // Users read only themselves by default: the subscriber's own user resolves, another's would be null.
      const id = await create({ room, text: 'a', score: 20, owner: { link: users.bob.id } });
      await update(id, { score: 5 });
      await update(id, { score: 30 });
      await update(id, { text: 'b' });
      await as('alice').request(`mutation ($id: ID!) { delete${Item}(input: { id: $id }) { clientMutationId } }`, {
        id,
      });
      const seen: { event: string; text: string | null; score: number | null | undefined; original?: number | null }[] =
        [];
      for (let i = 0; i < 5; i += 1) {
        const outcome = await nextReal(sub, field);
        assert.equal(outcome.kind, 'next', JSON.stringify(outcome));
        assert.equal(outcome.kind === 'next' ? outcome.result.errors : 'x', undefined, JSON.stringify(outcome));
        const data = outcome.kind === 'next' ? outcome.result.data?.[field] : undefined;
        assert.ok(data);
        assert.equal(data.node.objectId, id);
        assert.match(data.node.owner?.username ?? JSON.stringify(data), /^bob-/);
        seen.push({ event: data.event, text: data.node.text, score: data.node.score, original: data.original?.score });
      }
      assert.deepEqual(seen, [
        { event: 'CREATE', text: 'a', score: 20, original: undefined },
        { event: 'LEAVE', text: 'a', score: 5, original: 20 },
        { event: 'ENTER', text: 'a', score: 30, original: 5 },
        { event: 'UPDATE', text: 'b', score: 30, original: 30 },
        { event: 'DELETE', text: 'b', score: 30, original: undefined },
      ]);
    });

    it('never sends what REST hides: ACL-private objects, protected fields, unreadable pointers', async () => {
      const room = `room-${suffix()}`;
      const query = `subscription ($where: ${Item}WhereInput) { onCreate${Item}(where: $where) {
        objectId text secret note { body } } }`;
      const field = `onCreate${Item}`;
      const bob = open({ sessionToken: users.bob.token }).subscribe<NodeData>(query, {
        where: { room: { equalTo: room } },
      });
      const master = open({ master: true }).subscribe<NodeData>(query, { where: { room: { equalTo: room } } });
      await ready(bob, { room });
      await ready(master, { room });
      const privateNote = await as('alice').request<Record<string, { [k: string]: { objectId: string } }>>(
        `mutation ($f: Create${Note}FieldsInput) { create${Note}(input: { fields: $f }) { ${lower(Note)} { objectId } } }`,
        { f: { body: 'for alice', ACL: { users: [{ userId: users.alice.id, read: true, write: true }] } } },
      );
      const noteId = privateNote[`create${Note}`]?.[lower(Note)]?.objectId as string;
      const aliceOnly = { users: [{ userId: users.alice.id, read: true, write: true }] };
      await create({ room, text: 'private', secret: 's1', ACL: aliceOnly });
      await create({ room, text: 'public', secret: 's2', note: { link: noteId } });

      const got = await nextReal(bob, field);
      assert.equal(got.kind, 'next');
      const node = got.kind === 'next' ? got.result.data?.[field] : undefined;
      // The private object was written first: the next event bob gets is the public one.
      assert.equal(node?.text, 'public');
      assert.equal(node?.secret, null, 'protectedFields hide secret from bob');
      assert.equal(node?.note, null, 'a pointer bob may not read is null');

      const first = await nextReal(master, field);
      const second = await nextReal(master, field);
      const masterNodes = [first, second].map((o) => (o.kind === 'next' ? o.result.data?.[field] : undefined));
      assert.deepEqual(
        masterNodes.map((n) => [n?.text, n?.secret, n?.note?.body ?? null]),
        [
          ['private', 's1', null],
          ['public', 's2', 'for alice'],
        ],
      );
    });

    it('a session revoked mid-subscription reads as the public from then on', async () => {
      const login = await as().request<{ logIn: { viewer: { sessionToken: string } } }>(
        `mutation ($u: String!) { logIn(input: { username: $u, password: "pw" }) { viewer { sessionToken } } }`,
        {
          u: (await as('bob').request<{ viewer: { user: { username: string } } }>('{ viewer { user { username } } }'))
            .viewer.user.username,
        },
      );
      const token = login.logIn.viewer.sessionToken;
      const room = `room-${suffix()}`;
      const field = `onCreate${Item}`;
      const sub = open({ sessionToken: token }).subscribe<NodeData>(
        `subscription ($where: ${Item}WhereInput) { ${field}(where: $where) { text } }`,
        { where: { room: { equalTo: room } } },
      );
      await ready(sub, { room });
      const forBob = { users: [{ userId: users.bob.id, read: true, write: false }] };
      await create({ room, text: 'for bob 1', ACL: forBob });
      const before = await nextReal(sub, field);
      assert.equal(before.kind === 'next' ? before.result.data?.[field]?.text : undefined, 'for bob 1');
      await graphqlClient(target, { sessionToken: token }).request('mutation { logOut(input: {}) { ok } }');
      await create({ room, text: 'for bob 2', ACL: forBob });
      await create({ room, text: 'public after logout' });
      const after = await nextReal(sub, field);
      assert.equal(after.kind === 'next' ? after.result.data?.[field]?.text : undefined, 'public after logout');
    });

    it('refuses what a find would refuse: CLP (119), a where on a protected field', async () => {
      const socket = open({ sessionToken: users.bob.token });
      const closed = socket.subscribe(`subscription { onCreate${Closed} { objectId } }`);
      const refused = await closed.next();
      assert.equal(codeOf(refused), 119, JSON.stringify(refused));
      assert.equal((await closed.next()).kind, 'complete');
      const secret = socket.subscribe(
        `subscription { onCreate${Item}(where: { secret: { equalTo: "s1" } }) { objectId } }`,
      );
      const probing = await secret.next();
      assert.ok([119, 102].includes(codeOf(probing) as number), JSON.stringify(probing));
    });

    it('limits: subscriptions per connection (155), depth, queries over the socket, subscriptions over HTTP', async () => {
      const socket = open();
      const subs = Array.from({ length: MAX_SUBSCRIPTIONS }, () =>
        socket.subscribe(`subscription { onCreate${Item}(where: { room: { equalTo: "limits" } }) { objectId } }`),
      );
      await ready(subs[MAX_SUBSCRIPTIONS - 1] as Subscription<unknown>, { room: 'limits' });
      const extra = socket.subscribe(`subscription { onCreate${Item} { objectId } }`);
      const tooMany = await extra.next();
      assert.equal(tooMany.kind, 'error');
      assert.equal(codeOf(tooMany), 155, JSON.stringify(tooMany));
      for (const sub of subs) sub.unsubscribe();

      const other = open();
      let deep = 'objectId';
      for (let i = 0; i < 20; i += 1) deep = `owner { ${deep} }`;
      const tooDeep = await other.subscribe(`subscription { onCreate${Item} { ${deep} } }`).next();
      assert.equal(tooDeep.kind, 'error');
      assert.match(messageOf(tooDeep), /depth/i);
      const query = await other.subscribe('{ health }').next();
      assert.equal(query.kind, 'error');
      assert.match(messageOf(query), /over HTTP/);
      const typo = await other.subscribe(`subscription { onCreate${Item} { objectI } }`).next();
      assert.equal(typo.kind, 'error');
      assert.doesNotMatch(messageOf(typo), /Did you mean/, 'no schema hints for non-master callers');

      const overHttp = await rawGraphQL(target, { query: `subscription { onCreate${Item} { objectId } }` });
      assert.ok(overHttp.status < 500, `HTTP ${overHttp.status}`);
      assert.ok((overHttp.body.errors?.length ?? 0) > 0, JSON.stringify(overHttp.body));
    });

    it('closes the socket on bad keys (4403) and a bad session token (4403 "209: ...")', async () => {
      const wrongApp = open({ params: { 'X-Parse-Application-Id': 'nope', 'X-Parse-Javascript-Key': 'x' } });
      assert.equal((await wrongApp.closed).code, 4403);
      const noParams = open({ params: {} });
      assert.equal((await noParams.closed).code, 4403);
      const badToken = open({ sessionToken: 'r:not-a-session' });
      const closed = await badToken.closed;
      assert.equal(closed.code, 4403);
      assert.match(closed.reason, /^209: /);
      // LiveQuery's names are accepted too.
      const liveNames = open({
        params: { applicationId: target.appId, javascriptKey: target.javascriptKey, sessionToken: users.bob.token },
      });
      await liveNames.connected;
    });
  });
}

function lower(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
