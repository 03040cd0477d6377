/**
 * The world of the permission matrix (`core/permission-matrix.data.json`), shared by every door that runs it
 * (REST in `core/permission-matrix.test.ts`, GraphQL in `graphql/permission-matrix.test.ts`): users with
 * sessions, two roles, one object per class with its ACL and CLP, a `Holder<Class>` pointing at it, and the
 * oracle cases' objects. Built over REST with the master key. Not part of the build.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
}

const FIELDS = {
  title: { type: 'String' },
  note: { type: 'String' },
  secret: { type: 'String' },
  owner: { type: 'Pointer', targetClass: '_User' },
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

export async function buildWorld(backend: 'sqlite' | 'mongodb'): Promise<World> {
  const server = await startTestServer({ backend, allowClientClassCreation: false });
  const headers: Record<string, Record<string, string>> = {
    anonymous: {},
    master: { 'X-Parse-Master-Key': MASTER_KEY },
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
    objects[cls.className] = await seedObject({ server, cls, userIds, title: 't' });
    const holder = await ok(server, {
      method: 'POST',
      path: `/classes/Holder${cls.className}`,
      master: true,
      body: { target: pointer(cls.className, objects[cls.className] as string) },
    });
    holders[cls.className] = holder['objectId'] as string;
  }
  const ids = { ...userIds, ...(await buildOracleWorld(server, userIds)) };
  return { server, headers, userIds, objects, holders, ids };
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
}): Promise<string> {
  const { server, cls, userIds, title } = options;
  const body = await ok(server, {
    method: 'POST',
    path: `/classes/${cls.className}`,
    master: true,
    body: {
      title,
      note: 'n',
      secret: 's',
      owner: pointer('_User', userIds['alice'] as string),
      ...(cls.acl === undefined ? {} : { ACL: withIds(cls.acl, userIds) }),
    },
  });
  return body['objectId'] as string;
}
