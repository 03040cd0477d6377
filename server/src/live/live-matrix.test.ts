/**
 * The permission matrix (core/permission-matrix.data.json) through the LiveQuery door: for every class and
 * caller, a subscription with the `find` query ({title}), the `findBySecret` query ({title, secret}) and the
 * `get` query ({objectId}) must get exactly what REST answers — an update event when REST returns the object
 * (with `secret` only when REST shows it), no event when REST returns nothing or 101, and the same error code
 * when REST refuses. One deliberate difference, Parse's: a CLP that refuses `find` to the public refuses the
 * master key's subscription too (119).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { RawLiveClient } from './live-client.test-util.js';

interface MatrixClass {
  readonly className: string;
  readonly clp?: Record<string, unknown>;
  readonly acl?: Record<string, unknown>;
  readonly expect: Record<string, readonly (string | number)[]>;
}
interface Matrix {
  readonly callers: readonly string[];
  readonly classes: readonly MatrixClass[];
}
type Json = Record<string, unknown>;

const matrix = JSON.parse(
  readFileSync(new URL('../core/permission-matrix.data.json', import.meta.url), 'utf8'),
) as Matrix;
const QUERIES = ['find', 'findBySecret', 'get'] as const;

function withIds(value: unknown, ids: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withIds(v, ids));
  if (typeof value === 'string' && value.startsWith('$')) return ids[value.slice(1)] ?? value;
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k.startsWith('$') ? (ids[k.slice(1)] ?? k) : k] = withIds(v, ids);
  return out;
}

const pointer = (className: string, objectId: string): Json => ({ __type: 'Pointer', className, objectId });

describe('permission matrix through LiveQuery', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const sockets: Record<string, RawLiveClient> = {};
  const ok = async (options: Parameters<TestServer['call']>[0]): Promise<Json> => {
    const res = await server.call(options);
    assert.ok(res.status < 300, JSON.stringify(res.body));
    return res.body as Json;
  };

  before(async () => {
    server = await startTestServer({ allowClientClassCreation: false });
    for (const name of ['alice', 'bob', 'member', 'inherited']) {
      const body = await ok({ method: 'POST', path: '/users', body: { username: name, password: `pw-${name}` } });
      ids[name] = body['objectId'] as string;
      tokens[name] = body['sessionToken'] as string;
    }
    const admins = await ok({
      method: 'POST',
      path: '/classes/_Role',
      master: true,
      body: {
        name: 'Admins',
        ACL: { '*': { read: true } },
        users: { __op: 'AddRelation', objects: [pointer('_User', ids['inherited'] as string)] },
      },
    });
    await ok({
      method: 'POST',
      path: '/classes/_Role',
      master: true,
      body: {
        name: 'Members',
        ACL: { '*': { read: true } },
        users: { __op: 'AddRelation', objects: [pointer('_User', ids['member'] as string)] },
        roles: { __op: 'AddRelation', objects: [pointer('_Role', admins['objectId'] as string)] },
      },
    });
    await ok({ method: 'POST', path: '/schemas/Beacon', master: true, body: { className: 'Beacon' } });
    for (const caller of matrix.callers) {
      const socket = await RawLiveClient.open(`${server.url}/parse`);
      const credentials =
        caller === 'master'
          ? { masterKey: MASTER_KEY }
          : caller === 'anonymous'
            ? {}
            : { sessionToken: tokens[caller] };
      await socket.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY, ...credentials });
      assert.equal((await socket.subscribe(1, { className: 'Beacon', where: {} })).op, 'subscribed');
      sockets[caller] = socket;
    }
  });
  after(async () => {
    await Promise.all(Object.values(sockets).map((s) => s.close()));
    await server.close();
  });

  let requestId = 10;
  for (const cls of matrix.classes) {
    it(`${cls.className}`, async () => {
      await ok({
        method: 'POST',
        path: `/schemas/${cls.className}`,
        master: true,
        body: {
          className: cls.className,
          fields: {
            title: { type: 'String' },
            note: { type: 'String' },
            secret: { type: 'String' },
            owner: { type: 'Pointer', targetClass: '_User' },
          },
          ...(cls.clp === undefined ? {} : { classLevelPermissions: withIds(cls.clp, ids) }),
        },
      });
      const created = await ok({
        method: 'POST',
        path: `/classes/${cls.className}`,
        master: true,
        body: {
          title: 't',
          note: 'n',
          secret: 's',
          owner: pointer('_User', ids['alice'] as string),
          ...(cls.acl === undefined ? {} : { ACL: withIds(cls.acl, ids) }),
        },
      });
      const objectId = created['objectId'] as string;
      const where = { find: { title: 't' }, findBySecret: { title: 't', secret: 's' }, get: { objectId } };
      const expected: string[] = [];
      const actual: string[] = [];
      const subscribed: Array<{ caller: string; query: string; requestId: number; from: number }> = [];
      for (const [index, caller] of matrix.callers.entries()) {
        const socket = sockets[caller] as RawLiveClient;
        for (const query of QUERIES) {
          const id = requestId++;
          const answer = await socket.subscribe(id, { className: cls.className, where: where[query] });
          let want = (cls.expect[query] as readonly (string | number)[])[index] as string | number;
          // Parse's LiveQuery checks the CLP with the public group even for the master key.
          if (caller === 'master' && query !== 'get' && cls.expect['find']?.[0] === 119) want = 119;
          // A get's 101 is "not found" (hidden by ACL: no event) unless the caller's find is refused with it too.
          const refused = query !== 'get' || cls.expect['find']?.[index] === 101;
          expected.push(`${caller} ${query}: ${liveExpectation(want, refused)}`);
          if (answer.op === 'error') actual.push(`${caller} ${query}: error ${String(answer['code'])}`);
          else subscribed.push({ caller, query, requestId: id, from: socket.frames.length });
        }
      }
      await ok({
        method: 'PUT',
        path: `/classes/${cls.className}/${objectId}`,
        master: true,
        body: { note: 'changed' },
      });
      const beacon = await ok({ method: 'POST', path: '/classes/Beacon', master: true, body: {} });
      for (const caller of matrix.callers) {
        const socket = sockets[caller] as RawLiveClient;
        await socket.next((f) => f.op === 'create' && (f['object'] as Json)['objectId'] === beacon['objectId']);
      }
      for (const { caller, query, requestId: id, from } of subscribed) {
        const events = (sockets[caller] as RawLiveClient).frames.slice(from).filter((f) => f['requestId'] === id);
        const seen = events.map((f) => `${f.op}${'secret' in (f['object'] as Json) ? '' : ' hidden'}`).join(', ');
        actual.push(`${caller} ${query}: ${seen === '' ? 'nothing' : seen}`);
      }
      const order = (lines: string[]): string[] => [...lines].sort();
      assert.deepEqual(order(actual), order(expected));
    });
  }
});

/** REST's answer in LiveQuery's words: a result is an update event; no result (or 101) is nothing. */
function liveExpectation(rest: string | number, refused: boolean): string {
  if (rest === '0' || (rest === 101 && !refused)) return 'nothing';
  if (rest === '1' || rest === 'ok') return 'update';
  if (rest === '1 hidden' || rest === 'ok hidden') return 'update hidden';
  return `error ${String(rest)}`;
}
