import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';

const ENV_URI = 'STRATA_TEST_MONGODB_URI';

/**
 * `describe` for suites that need MongoDB (`STRATA_TEST_MONGODB_URI`): skipped with a printed reason when it
 * is unset, failed instead when `STRATA_REQUIRE_SERVICES=1`. `body` gets the server URI.
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
  describe(name, () => {
    it('needs MongoDB', { skip: reason }, () => undefined);
  });
}

/** A URI for a fresh database (`strata_files_<random>`) on the server `serverUri` names. */
export function testDatabaseUri(serverUri: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(serverUri);
  if (match === null) throw new Error(`not a MongoDB URI: ${serverUri}`);
  return `${match[1]}/strata_files_${randomBytes(5).toString('hex')}${match[2] ?? ''}`;
}

/** True when the server is FerretDB (its `buildInfo` says so). */
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
