/**
 * The permission matrix (issue 4, done-when item 1): every caller × operation × class cell of
 * `permission-matrix.data.json`, sent over real HTTP to a real app, on SQLite and on MongoDB (FerretDB);
 * and its oracle cases (issue 11 item 3): through every door a value can change a result by (where at any
 * depth, order, count, `$select` keys, sub-queries, include, `$relatedTo` in sub-queries, distinct,
 * aggregate), a caller who cannot read a value gets the same answer whatever the value is.
 * The data file is the specification; this file only sets the world up and reads the answers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

interface MatrixClass {
  readonly className: string;
  readonly about: string;
  readonly clp?: Record<string, unknown>;
  readonly acl?: Record<string, unknown>;
  readonly expect: Record<string, readonly (string | number)[]>;
}

/** One value for every guess (the answer must not depend on the hidden value), or one per guess. */
type OracleExpectation = string | number | readonly (string | number)[];

interface OracleCase {
  readonly door: string;
  readonly path: string;
  readonly params: Record<string, unknown>;
  readonly answer?: 'count' | 'include';
  readonly guesses: readonly string[];
  readonly expect: readonly OracleExpectation[];
}

interface Matrix {
  readonly callers: readonly string[];
  readonly operations: readonly string[];
  readonly classes: readonly MatrixClass[];
  readonly oracles: { readonly cases: readonly OracleCase[] };
}

const matrix = JSON.parse(readFileSync(new URL('./permission-matrix.data.json', import.meta.url), 'utf8')) as Matrix;

type Body = Record<string, unknown>;

/** The world every backend gets: users with sessions, two roles, one object per class and a `Holder<Class>` pointing at it. */
interface World {
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

async function ok(server: TestServer, options: Parameters<TestServer['call']>[0]): Promise<Body> {
  const response = await server.call(options);
  assert.ok(response.status < 300, `${options.method ?? 'GET'} ${options.path}: ${JSON.stringify(response.body)}`);
  return response.body as Body;
}

function pointer(className: string, objectId: string): Body {
  return { __type: 'Pointer', className, objectId };
}

/** Replaces `$alice`-style keys (and values) with the users' object ids. */
function withIds(value: unknown, userIds: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withIds(v, userIds));
  if (typeof value === 'string' && value.startsWith('$')) return userIds[value.slice(1)] ?? value;
  if (value === null || typeof value !== 'object') return value;
  const out: Body = {};
  for (const [k, v] of Object.entries(value))
    out[k.startsWith('$') ? (userIds[k.slice(1)] ?? k) : k] = withIds(v, userIds);
  return out;
}

async function buildWorld(backend: 'sqlite' | 'mongodb'): Promise<World> {
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
function withGuess(value: unknown, guess: string): unknown {
  if (typeof value === 'string') return value.split('$guess').join(guess);
  if (Array.isArray(value)) return value.map((v) => withGuess(v, guess));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withGuess(v, guess)]));
}

/** What one oracle request answered, for one caller and one guess. */
async function runOracle(options: {
  world: World;
  oracle: OracleCase;
  caller: string;
  guess: string;
}): Promise<string> {
  const { world, oracle, caller, guess } = options;
  const params = withIds(withGuess(oracle.params, guess), world.ids) as Record<string, unknown>;
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
  const response = await world.server.call({
    path: `${oracle.path}?${query}`,
    headers: world.headers[caller] as Record<string, string>,
  });
  const body = response.body as Body;
  if (response.status >= 300)
    return typeof body['code'] === 'number' ? String(body['code']) : `http ${response.status}`;
  if (oracle.answer === 'count') return String(body['count']);
  const results = body['results'] as Body[];
  if (oracle.answer !== 'include') return String(results.length);
  const target = results[0]?.['target'] as Body | undefined;
  if (target === undefined) return 'dropped';
  return 'secret' in target ? 'included' : 'included hidden';
}

async function seedObject(options: {
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

/** What one cell answered, in the data file's vocabulary. */
async function runCell(options: {
  world: World;
  cls: MatrixClass;
  operation: string;
  caller: string;
}): Promise<string | number> {
  const { world, cls, operation, caller } = options;
  const { server } = world;
  const headers = world.headers[caller] as Record<string, string>;
  const id = world.objects[cls.className] as string;
  const base = `/classes/${cls.className}`;
  const where = (w: Body): string => `where=${encodeURIComponent(JSON.stringify(w))}`;
  const send = (o: { method?: string; path: string; body?: unknown }) => server.call({ ...o, headers });
  const failure = (response: { status: number; body: unknown }): number | undefined =>
    response.status >= 300 ? ((response.body as Body)['code'] as number) : undefined;
  const secretState = (object: Body): string => ('secret' in object ? '' : ' hidden');
  switch (operation) {
    case 'find':
    case 'findBySecret': {
      const query = operation === 'find' ? { title: 't' } : { title: 't', secret: 's' };
      const response = await send({ path: `${base}?${where(query)}` });
      const results = (response.body as Body)['results'] as Body[] | undefined;
      if (results === undefined) return failure(response) ?? 'no results';
      return `${results.length}${results[0] === undefined ? '' : secretState(results[0])}`;
    }
    case 'get': {
      const response = await send({ path: `${base}/${id}` });
      return failure(response) ?? `ok${secretState(response.body as Body)}`;
    }
    case 'count': {
      const response = await send({ path: `${base}?${where({ title: 't' })}&count=1&limit=0` });
      return failure(response) ?? String((response.body as Body)['count']);
    }
    case 'create': {
      const response = await send({ method: 'POST', path: base, body: { title: 'new' } });
      return failure(response) ?? 'ok';
    }
    case 'update': {
      const response = await send({ method: 'PUT', path: `${base}/${id}`, body: { note: `by ${caller}` } });
      return failure(response) ?? 'ok';
    }
    case 'delete': {
      const fresh = await seedObject({ server, cls, userIds: world.userIds, title: 'fresh' });
      const response = await send({ method: 'DELETE', path: `${base}/${fresh}` });
      return failure(response) ?? 'ok';
    }
    case 'include': {
      const response = await send({
        path: `/classes/Holder${cls.className}/${world.holders[cls.className]}?include=target`,
      });
      const code = failure(response);
      if (code !== undefined) return code;
      const target = (response.body as Body)['target'] as Body | undefined;
      if (target === undefined) return 'dropped';
      return target['__type'] === 'Object' ? `included${secretState(target)}` : `unexpected ${JSON.stringify(target)}`;
    }
    case 'batch': {
      const response = await send({
        method: 'POST',
        path: '/batch',
        body: { requests: [{ method: 'PUT', path: `/parse${base}/${id}`, body: { note: 'batch' } }] },
      });
      const code = failure(response);
      if (code !== undefined) return `batch itself failed: ${code}`;
      const item = (response.body as Body[])[0] as Body;
      return item['success'] !== undefined ? 'ok' : ((item['error'] as Body)['code'] as number);
    }
    default:
      throw new Error(`unknown operation ${operation}`);
  }
}

function matrixSuite(backend: 'sqlite' | 'mongodb', skip: string | false): void {
  describe(`permission matrix over HTTP (${backend})`, { skip }, () => {
    let world: World;
    before(async () => {
      world = await buildWorld(backend);
    });
    after(async () => {
      await world?.server.close();
    });

    // Oracle cases first: the class rows below write (create/delete cells), the oracles only read.
    for (const oracle of matrix.oracles.cases) {
      it(`oracle: ${oracle.door}`, async () => {
        assert.equal(oracle.expect.length, matrix.callers.length, `${oracle.door}: one expectation per caller`);
        const expected: string[] = [];
        const actual: string[] = [];
        for (const [index, caller] of matrix.callers.entries()) {
          const expectation = oracle.expect[index] as OracleExpectation;
          for (const [g, guess] of oracle.guesses.entries()) {
            const want = Array.isArray(expectation) ? expectation[g] : expectation;
            expected.push(`${caller}, guess ${guess}: ${String(want)}`);
            actual.push(`${caller}, guess ${guess}: ${await runOracle({ world, oracle, caller, guess })}`);
          }
        }
        assert.deepEqual(actual, expected);
      });
    }

    for (const cls of matrix.classes) {
      it(`${cls.className}: ${cls.about}`, async () => {
        const expected: string[] = [];
        const actual: string[] = [];
        // Reads first, then writes, so a write cell never changes what a read cell sees.
        for (const operation of matrix.operations) {
          const row = cls.expect[operation];
          assert.ok(row !== undefined && row.length === matrix.callers.length, `${cls.className}.${operation} row`);
          for (const [index, caller] of matrix.callers.entries()) {
            const got = await runCell({ world, cls, operation, caller });
            expected.push(`${operation} as ${caller}: ${String(row[index])}`);
            actual.push(`${operation} as ${caller}: ${String(got)}`);
          }
        }
        assert.deepEqual(actual, expected);
      });
    }
  });
}

const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip = mongoURI === undefined && !requireServices ? 'STRATA_TEST_MONGODB_URI is not set' : false;
if (mongoSkip !== false) console.log(`# skipping the permission matrix on MongoDB: ${mongoSkip}`);
if (mongoURI === undefined && requireServices) {
  describe('permission matrix over HTTP (mongodb)', () => {
    it('needs STRATA_TEST_MONGODB_URI', () =>
      assert.fail('STRATA_TEST_MONGODB_URI is required when STRATA_REQUIRE_SERVICES=1'));
  });
} else {
  matrixSuite('mongodb', mongoSkip);
}
matrixSuite('sqlite', false);
