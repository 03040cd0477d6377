// GraphQL subscriptions run LiveQuery's cloud hooks as the LiveQuery door does (issue 15 gap 4), with the real
// `graphql-ws` client: beforeConnect on `connection_init` (a refusal closes the socket with the hook's code),
// beforeSubscribe (a refusal is the subscription's error; a narrowed query is what gets subscribed, whatever the
// client asked), afterLiveQueryEvent (changes the object, suppresses events, a failure is that event's error and
// the subscription goes on, and a hook that fetches the object with the master key cannot leak a protected field).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { compatTargets, rest } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';
import { openGraphQLSocket } from '../helpers/graphql-ws.js';
import type { GraphQLSocket, Outcome, Subscription } from '../helpers/graphql-ws.js';

const cloud = fileURLToPath(new URL('./fixtures/graphql-gaps/main.js', import.meta.url));

type Seen = {
  hook: string;
  event?: string;
  installationId?: string;
  requestId?: number;
  where?: unknown;
  text?: string;
};
type Data = Record<
  string,
  { text?: string | null; secret?: string | null; node?: { text: string | null; secret: string | null } }
>;

function errorOf(outcome: Outcome<unknown>): { code: unknown; message: string } | undefined {
  const errors =
    outcome.kind === 'next' ? outcome.result.errors : outcome.kind === 'error' ? outcome.errors : undefined;
  const first = errors?.[0];
  return first === undefined ? undefined : { code: first.extensions?.['code'], message: first.message };
}

for (const spec of compatTargets({ cloud })) {
  describe(`GraphQL subscriptions run the LiveQuery cloud hooks [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let token = '';
    const sockets: GraphQLSocket[] = [];
    const open = (caller: Parameters<typeof openGraphQLSocket>[1] = {}): GraphQLSocket => {
      const socket = openGraphQLSocket(target, caller);
      sockets.push(socket);
      return socket;
    };
    const create = async (className: string, fields: Record<string, unknown>): Promise<void> => {
      const created = await rest(target, { method: 'POST', path: `/classes/${className}`, body: fields });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    };
    const seen = async (): Promise<Seen[]> =>
      (
        (await rest(target, { method: 'POST', path: '/functions/liveHooksSeen', useMasterKey: true })).body as {
          result: Seen[];
        }
      ).result;
    /** Writes probes until one arrives: the subscription is then registered (there is no "subscribed" message). */
    const ready = async (sub: Subscription<unknown>, className: string, probe: Record<string, unknown>) => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        await create(className, { ...probe, text: `probe-${attempt}` });
        await Promise.race([sub.arrived(), delay(250)]);
        if (sub.waiting > 0) return;
      }
      assert.fail('the subscription never delivered a probe');
    };
    /** The next outcome that is not a probe's event. */
    const nextReal = async (sub: Subscription<Data>, field: string): Promise<Outcome<Data>> => {
      for (;;) {
        const outcome = await sub.next();
        const value = outcome.kind === 'next' ? outcome.result.data?.[field] : undefined;
        const text = value?.node?.text ?? value?.text;
        if (typeof text === 'string' && text.startsWith('probe-')) continue;
        return outcome;
      }
    };

    before(async () => {
      target = await spec.start();
      const open = { '*': true };
      const clp = { find: open, get: open, count: open, create: open, update: open, delete: open, addField: {} };
      const schema = (className: string, fields: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        rest(target, {
          method: 'POST',
          path: `/schemas/${className}`,
          useMasterKey: true,
          body: { className, fields, classLevelPermissions: { ...clp, ...extra } },
        });
      const chat = await schema('GqlChat', {
        room: { type: 'String' },
        text: { type: 'String' },
        secret: { type: 'String' },
      });
      assert.equal(chat.status, 200);
      assert.equal((await schema('GqlVault', { text: { type: 'String' } })).status, 200);
      const news = await schema(
        'GqlNews',
        { text: { type: 'String' }, hidden: { type: 'Boolean' }, secret: { type: 'String' } },
        { protectedFields: { '*': ['secret'] } },
      );
      assert.equal(news.status, 200, JSON.stringify(news.body));
      const signUp = await rest(target, {
        method: 'POST',
        path: '/users',
        body: { username: 'hooked', password: 'pw' },
      });
      token = (signUp.body as { sessionToken: string }).sessionToken;
    });
    after(async () => {
      await Promise.all(sockets.map((socket) => socket.dispose().catch(() => undefined)));
      await target?.close();
    });

    it('beforeConnect runs on connection_init and its refusal closes the socket with its code and message', async () => {
      const base = { 'X-Parse-Application-Id': target.appId, 'X-Parse-Javascript-Key': target.javascriptKey };
      const refused = open({ params: { ...base, 'X-Parse-Installation-Id': 'blocked' } });
      const closed = await refused.closed;
      assert.equal(closed.code, 4403);
      assert.equal(closed.reason, '101: This device is blocked.');

      const accepted = open({ params: { ...base, 'X-Parse-Installation-Id': 'device-1' } });
      await accepted.connected;
      const connects = (await seen()).filter((entry) => entry.hook === 'beforeConnect');
      assert.deepEqual(
        connects.map((entry) => [entry.event, entry.installationId]),
        [
          ['connect', 'blocked'],
          ['connect', 'device-1'],
        ],
      );
      // The server goes on serving the accepted socket.
      const sub = accepted.subscribe<Data>('subscription { onCreateGqlChat { text } }');
      await ready(sub, 'GqlChat', { room: 'lobby' });
    });

    it('beforeSubscribe narrows the query: a subscriber asking for the private room gets the lobby only, and only its keys', async () => {
      const socket = open({ sessionToken: token });
      await socket.connected;
      const sub = socket.subscribe<Data>(
        'subscription ($w: GqlChatWhereInput) { onCreateGqlChat(where: $w) { text secret } }',
        { w: { room: { equalTo: 'private' } } },
      );
      await ready(sub, 'GqlChat', { room: 'lobby' });
      const asked = (await seen()).filter((entry) => entry.hook === 'beforeSubscribe').at(-1);
      assert.deepEqual(asked, {
        hook: 'beforeSubscribe',
        event: 'subscribe',
        requestId: 1,
        where: { room: { $eq: 'private' } },
      });
      await create('GqlChat', { room: 'private', text: 'not for you' });
      await create('GqlChat', { room: 'lobby', text: 'hello', secret: 'outside the keys' });
      const outcome = await nextReal(sub, 'onCreateGqlChat');
      assert.equal(outcome.kind, 'next', JSON.stringify(outcome));
      // The hook's keys narrowed the fields too: what it left out reads as null.
      assert.deepEqual(outcome.kind === 'next' ? outcome.result.data : undefined, {
        onCreateGqlChat: { text: 'hello', secret: null },
      });
    });

    it('a beforeSubscribe refusal is the subscription error; the connection stays usable', async () => {
      const socket = open();
      await socket.connected;
      const vault = socket.subscribe<Data>('subscription { onCreateGqlVault { text } }');
      assert.deepEqual(errorOf(await vault.next()), { code: 119, message: 'The vault is closed.' });
      const chat = socket.subscribe<Data>('subscription { onCreateGqlChat { text } }');
      await ready(chat, 'GqlChat', { room: 'lobby' });
    });

    it('afterLiveQueryEvent changes, suppresses and fails events in order, and cannot bring back a protected field', async () => {
      const socket = open({ sessionToken: token });
      await socket.connected;
      const field = 'onGqlNewsEvent';
      const sub = socket.subscribe<Data>(`subscription { ${field} { event node { text secret } } }`);
      await ready(sub, 'GqlNews', {});
      await create('GqlNews', { text: 'skip me', hidden: true });
      await create('GqlNews', { text: 'explode' });
      await create('GqlNews', { text: 'leak', secret: 'top secret' });
      await create('GqlNews', { text: 'normal', secret: 'also secret' });

      const failed = await nextReal(sub, field);
      assert.deepEqual(errorOf(failed), { code: 141, message: 'The news hook failed.' });
      const leak = await nextReal(sub, field);
      assert.deepEqual(leak.kind === 'next' ? leak.result : leak, {
        data: { [field]: { event: 'CREATE', node: { text: 'leak', secret: null } } },
      });
      const normal = await nextReal(sub, field);
      assert.deepEqual(normal.kind === 'next' ? normal.result : normal, {
        data: { [field]: { event: 'CREATE', node: { text: 'normal (checked)', secret: null } } },
      });
      const ran = (await seen()).filter(
        (entry) => entry.hook === 'afterLiveQueryEvent' && !entry.text?.startsWith('probe-'),
      );
      assert.deepEqual(
        ran.map((entry) => [entry.event, entry.text]),
        [
          ['create', 'skip me'],
          ['create', 'explode'],
          ['create', 'leak'],
          ['create', 'normal'],
        ],
      );
      // The master key sees the protected field through the same hook (the hook only re-shapes, never widens).
      const masterSocket = open({ master: true });
      await masterSocket.connected;
      const masterSub = masterSocket.subscribe<Data>(`subscription { onCreateGqlNews { text secret } }`);
      await ready(masterSub, 'GqlNews', {});
      await create('GqlNews', { text: 'for the master', secret: 'visible' });
      const seenByMaster = await nextReal(masterSub, 'onCreateGqlNews');
      assert.deepEqual(seenByMaster.kind === 'next' ? seenByMaster.result.data : seenByMaster, {
        onCreateGqlNews: { text: 'for the master (checked)', secret: 'visible' },
      });
    });
  });
}
