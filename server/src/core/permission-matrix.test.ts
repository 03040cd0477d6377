/**
 * The permission matrix (issue 4, done-when item 1): every caller × operation × class cell of
 * `permission-matrix.data.json`, sent over real HTTP to a real app, on SQLite and on MongoDB (FerretDB);
 * and its oracle cases (issue 11 item 3): through every door a value can change a result by (where at any
 * depth, order, count, `$select` keys, sub-queries, include, `$relatedTo` in sub-queries, distinct,
 * aggregate), a caller who cannot read a value gets the same answer whatever the value is.
 * The data file is the specification; this file only sets the world up and reads the answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWorld, matrix, seedObject, withGuess, withIds } from '../testing/permission-world.test-util.js';
import type { Body, MatrixClass, OracleCase, OracleExpectation, World } from '../testing/permission-world.test-util.js';

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
