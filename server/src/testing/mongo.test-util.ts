/**
 * Test support for the MongoDB suites (storage and GridFS files): a fresh database per run on the
 * server named by `STRATA_TEST_MONGODB_URI`, a skip with a printed reason when it is unset, and a failure
 * instead of the skip when `STRATA_REQUIRE_SERVICES=1`.
 */
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';

const ENV_URI = 'STRATA_TEST_MONGODB_URI';

/** Puts `database` into a MongoDB URI, keeping hosts and query options. */
export function withDatabase(uri: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (match === null) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${match[1]}/${database}${match[2] ?? ''}`;
}

/** A fresh database name: `prefix` and 10 random hex digits. */
export function uniqueDatabaseName(prefix = 'strata_test_'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** The server named by the environment, or `undefined`. */
export function testServerUri(): string | undefined {
  const uri = process.env[ENV_URI];
  return uri === undefined || uri === '' ? undefined : uri;
}

/** True when the server is FerretDB (its `buildInfo` says so), whose gaps some suites must skip. */
export async function isFerretDB(serverUri: string): Promise<boolean> {
  const client = new MongoClient(serverUri, { serverSelectionTimeoutMS: 5000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return typeof info['ferretdbVersion'] === 'string';
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/**
 * `describe` for suites that need MongoDB: `body` gets the server URI (without a database; each suite
 * picks its own with `withDatabase(uri, uniqueDatabaseName())`).
 */
export function describeWithMongo(name: string, body: (serverUri: string) => void): void {
  const uri = testServerUri();
  if (uri !== undefined) {
    describe(name, () => body(uri));
    return;
  }
  const reason = `${ENV_URI} is not set (point it at MongoDB or FerretDB, e.g. mongodb://127.0.0.1:27017)`;
  if (process.env['STRATA_REQUIRE_SERVICES'] === '1') {
    describe(name, () => {
      it('needs MongoDB', () => assert.fail(`${reason}, and STRATA_REQUIRE_SERVICES=1 forbids skipping`));
    });
    return;
  }
  console.log(`skipping "${name}": ${reason}`);
  describe(name, () => {
    it('needs MongoDB', { skip: reason }, () => undefined);
  });
}
