/**
 * Test support for the MongoDB suites (imported by `*.test.ts` only): a fresh database per run on the
 * server named by `STRATA_TEST_MONGODB_URI`, a skip with a printed reason when it is unset, and a failure
 * instead of the skip when `STRATA_REQUIRE_SERVICES=1`.
 */
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

const ENV_URI = 'STRATA_TEST_MONGODB_URI';

/** Puts `database` into a MongoDB URI, keeping hosts and query options. */
export function withDatabase(uri: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (match === null) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${match[1]}/${database}${match[2] ?? ''}`;
}

export function uniqueDatabaseName(): string {
  return `strata_test_${randomBytes(5).toString('hex')}`;
}

/**
 * `describe` for suites that need MongoDB: `body` gets the server URI (without a database; each suite
 * picks its own with `withDatabase(uri, uniqueDatabaseName())`).
 */
export function describeWithMongo(name: string, body: (serverUri: string) => void): void {
  const uri = process.env[ENV_URI];
  if (uri !== undefined && uri !== '') {
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
  describe(name, { skip: reason }, () => undefined);
}
