/**
 * The world of the permission matrix (`core/permission-matrix.data.json`), shared by every door that runs it
 * (`permission-matrix-runner.test-util.ts`): users with sessions, two roles, one object per class with its ACL,
 * CLP and an attached file, a `Holder<Class>` pointing at it, and the oracle cases' objects. Built over REST with
 * the master key, on a server that also has a read-only master key, the matrix's cloud code (`CLOUD_CODE`)
 * and webhooks allowed to reach loopback. Not part of the build.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASTER_KEY, startTestServer } from './test-server.test-util.js';
import type { TestServer } from './test-server.test-util.js';
export interface MatrixClass {
  readonly className: string;
  readonly about: string;
  readonly clp?: Record<string, unknown>;
  readonly acl?: Record<string, unknown>;
  readonly expect: Record<string, readonly (string | number)[]>;
}

/** One value for every guess (the answer must not depend on the hidden value), or one per guess. */
export type OracleExpectation = string | number | readonly (string | number)[];

export interface OracleCase {
  readonly door: string;
  readonly path: string;
  readonly params: Record<string, unknown>;
  readonly answer?: 'count' | 'include';
  readonly guesses: readonly string[];
  readonly expect: readonly OracleExpectation[];
}

export interface Matrix {
  readonly callers: readonly string[];
  readonly operations: readonly string[];
  readonly classes: readonly MatrixClass[];
  readonly oracles: { readonly cases: readonly OracleCase[] };
}

export const matrix = JSON.parse(
  readFileSync(new URL('../core/permission-matrix.data.json', import.meta.url), 'utf8'),
) as Matrix;

export type Body = Record<string, unknown>;

export const READ_ONLY_KEY = 'test-read-only-master-key';
export const WEBHOOK_KEY = 'test-matrix-webhook-key';

/** The world every backend gets: users with sessions, two roles, one object per class and a `Holder<Class>` pointing at it. */
export interface World {
  readonly server: TestServer;
  /** caller → headers (session token or master key). */
  readonly headers: Record<string, Record<string, string>>;
  readonly userIds: Record<string, string>;
  readonly objects: Record<string, string>;
  readonly holders: Record<string, string>;
  /** `$name` placeholders of the oracle cases: users and the oracle world's objects. */
  readonly ids: Record<string, string>;
  /** The file every matrix object holds in `attachment` (uploaded by the master key), and its bytes. */
  readonly file: { readonly name: string; readonly url: string; readonly content: string };
}

const FIELDS = {
  title: { type: 'String' },
  note: { type: 'String' },
  secret: { type: 'String' },
  owner: { type: 'Pointer', targetClass: '_User' },
  attachment: { type: 'File' },
};

export async function ok(server: TestServer, options: Parameters<TestServer['call']>[0]): Promise<Body> {
  const response = await server.call(options);
  assert.ok(response.status < 300, `${options.method ?? 'GET'} ${options.path}: ${JSON.stringify(response.body)}`);
  return response.body as Body;
}

export function pointer(className: string, objectId: string): Body {
  return { __type: 'Pointer', className, objectId };
}

/** Replaces `$alice`-style keys (and values) with the users' object ids. */
export function withIds(value: unknown, userIds: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withIds(v, userIds));
  if (typeof value === 'string' && value.startsWith('$')) return userIds[value.slice(1)] ?? value;
  if (value === null || typeof value !== 'object') return value;
  const out: Body = {};
  for (const [k, v] of Object.entries(value))
    out[k.startsWith('$') ? (userIds[k.slice(1)] ?? k) : k] = withIds(v, userIds);
  return out;
}

/**
 * Cloud code for the cloud-SDK door: `matrixProbe` runs one matrix operation through cloud code's own Parse
 * SDK with the caller's credentials (`sessionToken` of the calling user, `useMasterKey` for the master key,
 * nothing for an anonymous caller) and answers what it got, or the Parse error's code.
 */
const CLOUD_CODE = `
const credentials = (request) =>
  request.master ? { useMasterKey: true } : request.user ? { sessionToken: request.user.getSessionToken() } : {};
const plain = (object) => (object ? object.toJSON() : null);
const withId = (className, id) => {
  const object = new Parse.Object(className);
  object.id = id;
  return object;
};
Parse.Cloud.define('matrixProbe', async (request) => {
  const p = request.params;
  const options = credentials(request);
  try {
    switch (p.op) {
      case 'query': {
        // The query travels as a string: function params decode pointers into objects.
        const query = Parse.Query.fromJSON(p.className, JSON.parse(p.query));
        if (p.count) return { count: await query.count(options) };
        return { results: (await query.find(options)).map(plain) };
      }
      case 'get':
        return { object: plain(await new Parse.Query(p.className).include(p.include ?? []).get(p.id, options)) };
      case 'create':
        await new Parse.Object(p.className).save({ title: 'new' }, options);
        return { ok: true };
      case 'update':
        await withId(p.className, p.id).save({ note: p.note }, options);
        return { ok: true };
      case 'delete':
        await withId(p.className, p.id).destroy(options);
        return { ok: true };
      case 'saveAll':
        await Parse.Object.saveAll([withId(p.className, p.id).set('note', 'batch')], options);
        return { ok: true };
      default:
        return { unknown: p.op };
    }
  } catch (error) {
    const inner = Array.isArray(error.errors) && error.errors[0] ? error.errors[0] : error;
    return { code: inner.code ?? null, message: String(inner.message ?? inner) };
  }
});
`;

/** `overrides`: server options of a door's own world (signed file URLs and their clock). */
export async function buildWorld(
  backend: 'sqlite' | 'mongodb',
  overrides: Parameters<typeof startTestServer>[0] = {},
): Promise<World> {
  const cloudDir = mkdtempSync(join(tmpdir(), 'strata-matrix-cloud-'));
  writeFileSync(join(cloudDir, 'main.js'), CLOUD_CODE);
  const started = await startTestServer({
    backend,
    allowClientClassCreation: false,
    readOnlyMasterKey: READ_ONLY_KEY,
    cloud: join(cloudDir, 'main.js'),
    webhookKey: WEBHOOK_KEY,
    outboundAllowIps: ['127.0.0.1'],
    ...overrides,
  });
  const server: TestServer = {
    ...started,
    close: async () => {
      await started.close();
      rmSync(cloudDir, { recursive: true, force: true });
    },
  };
  const headers: Record<string, Record<string, string>> = {
    anonymous: {},
    master: { 'X-Parse-Master-Key': MASTER_KEY },
    readOnly: { 'X-Parse-Master-Key': READ_ONLY_KEY },
  };
  const userIds: Record<string, string> = {};
  for (const name of ['alice', 'bob', 'member', 'inherited']) {
    const body = await ok(server, {
      method: 'POST',
      path: '/users',
      body: { username: name, password: `pw-${name}`, email: `${name}@example.com` },
    });
    userIds[name] = body['objectId'] as string;
    headers[name] = { 'X-Parse-Session-Token': body['sessionToken'] as string };
  }
  // Admins ⊂ Members through Members.roles: "inherited" holds Members without being listed in it.
  const admins = await ok(server, {
    method: 'POST',
    path: '/classes/_Role',
    master: true,
    body: {
      name: 'Admins',
      ACL: { '*': { read: true } },
      users: { __op: 'AddRelation', objects: [pointer('_User', userIds['inherited'] as string)] },
    },
  });
  await ok(server, {
    method: 'POST',
    path: '/classes/_Role',
    master: true,
    body: {
      name: 'Members',
      ACL: { '*': { read: true } },
      users: { __op: 'AddRelation', objects: [pointer('_User', userIds['member'] as string)] },
      roles: { __op: 'AddRelation', objects: [pointer('_Role', admins['objectId'] as string)] },
    },
  });
  const content = 'the matrix attachment';
  const uploaded = await ok(server, {
    method: 'POST',
    path: '/files/attachment.txt',
    headers: { 'X-Parse-Master-Key': MASTER_KEY, 'Content-Type': 'text/plain' },
    raw: content,
  });
  const file = { name: uploaded['name'] as string, url: uploaded['url'] as string, content };
  const objects: Record<string, string> = {};
  const holders: Record<string, string> = {};
  for (const cls of matrix.classes) {
    await ok(server, {
      method: 'POST',
      path: `/schemas/${cls.className}`,
      master: true,
      body: {
        className: cls.className,
        fields: FIELDS,
        ...(cls.clp === undefined ? {} : { classLevelPermissions: withIds(cls.clp, userIds) }),
      },
    });
    objects[cls.className] = await seedObject({ server, cls, userIds, title: 't', file: file.name });
    const holder = await ok(server, {
      method: 'POST',
      path: `/classes/Holder${cls.className}`,
      master: true,
      body: { target: pointer(cls.className, objects[cls.className] as string) },
    });
    holders[cls.className] = holder['objectId'] as string;
  }
  const ids = { ...userIds, ...(await buildOracleWorld(server, userIds)) };
  return { server, headers, userIds, objects, holders, ids, file };
}

/** What the oracle cases read besides the matrix classes (see the data file's `oracles.$comment`). */
async function buildOracleWorld(server: TestServer, userIds: Record<string, string>): Promise<Record<string, string>> {
  const alice = userIds['alice'] as string;
  await ok(server, {
    method: 'PUT',
    path: `/users/${alice}`,
    master: true,
    body: { ACL: { '*': { read: true }, [alice]: { read: true, write: true } } },
  });
  const create = async (className: string, body: Body): Promise<string> =>
    (await ok(server, { method: 'POST', path: `/classes/${className}`, master: true, body }))['objectId'] as string;
  for (const value of ['s', 'x', 'alice@example.com', 'nobody@example.com']) await create('Guess', { value });
  const ids: Record<string, string> = {};
  for (const name of ['p1', 'p2']) {
    ids[name] = await create('Person', { name });
    await create('Card', { person: pointer('Person', ids[name]) });
  }
  ids['group'] = await create('Group', {
    ACL: { [alice]: { read: true, write: true } },
    members: { __op: 'AddRelation', objects: [pointer('Person', ids['p1'] as string)] },
  });
  return ids;
}

/** Replaces `$guess` inside every string of `value`. */
export function withGuess(value: unknown, guess: string): unknown {
  if (typeof value === 'string') return value.split('$guess').join(guess);
  if (Array.isArray(value)) return value.map((v) => withGuess(v, guess));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withGuess(v, guess)]));
}

/** What one oracle request answered, for one caller and one guess. */
export async function seedObject(options: {
  server: TestServer;
  cls: MatrixClass;
  userIds: Record<string, string>;
  title: string;
  /** A stored file's name to attach. */
  file?: string;
}): Promise<string> {
  const { server, cls, userIds, title, file } = options;
  // Only the world's own objects hold the secret 's': a fresh object some caller may not delete must not
  // change what the oracle cases count.
  const secret = title === 't' ? 's' : 'f';
  const body = await ok(server, {
    method: 'POST',
    path: `/classes/${cls.className}`,
    master: true,
    body: {
      title,
      note: 'n',
      secret,
      owner: pointer('_User', userIds['alice'] as string),
      ...(file === undefined ? {} : { attachment: { __type: 'File', name: file } }),
      ...(cls.acl === undefined ? {} : { ACL: withIds(cls.acl, userIds) }),
    },
  });
  return body['objectId'] as string;
}
