/**
 * The permission matrix (issue 4 done-when item 1, issue 19 item 2) through every door: each caller ×
 * operation × class cell of `permission-matrix.data.json` and its oracle cases (issue 11 item 3: an answer must
 * not depend on a value the caller cannot read), sent over real HTTP and WebSocket clients to a real app, on
 * SQLite and on MongoDB (FerretDB), through REST, `/batch`, GraphQL, LiveQuery, files (and files with signed URLs,
 * on a world of its own), aggregate, cloud code's Parse SDK and webhooks (reads' afterFind payloads, writes'
 * before/after payloads and answers). The data file is the specification; the doors are adapters of one runner
 * (`testing/permission-matrix-runner.test-util.ts`), which prints one table of door × case (pass, bypass,
 * leak) — committed as docs/permission-matrix.md — and fails on any difference.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildWorld } from '../testing/permission-world.test-util.js';
import { MatrixReport, matrixSuite } from '../testing/permission-matrix-runner.test-util.js';
import type { Door } from '../testing/permission-matrix-runner.test-util.js';
import { aggregateDoor, batchDoor, cloudDoor, filesDoor, restDoor } from '../testing/permission-doors.test-util.js';
import { webhookDoor } from '../testing/permission-door-webhooks.test-util.js';
import { signedFilesDoor } from '../testing/permission-door-signed-files.test-util.js';
import { graphqlDoor } from '../testing/permission-door-graphql.test-util.js';
import { liveDoor } from '../testing/permission-door-live.test-util.js';

const doors = (backend: 'sqlite' | 'mongodb'): Door[] => [
  restDoor,
  batchDoor,
  graphqlDoor,
  liveDoor(),
  filesDoor,
  signedFilesDoor(backend),
  aggregateDoor,
  cloudDoor,
  webhookDoor(),
];
/**
 * On MongoDB, the doors whose path to storage differs from SQLite's: REST (the read policy as a Mongo
 * filter), GraphQL, aggregate (native stages go to MongoDB as written) and files (GridFS). `/batch`, cloud
 * code's SDK, webhooks, LiveQuery and signed file URLs (checked in core before the store) go through the same
 * core calls as REST above storage, so they run on SQLite only (CI time). `STRATA_MATRIX_ALL_DOORS=1` runs every door on MongoDB too (docs/permission-matrix.md).
 */
const mongoDoors = (): Door[] =>
  process.env['STRATA_MATRIX_ALL_DOORS'] === '1' ? doors('mongodb') : [restDoor, graphqlDoor, filesDoor, aggregateDoor];

const requireServices = process.env['STRATA_REQUIRE_SERVICES'] === '1';
const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];
const mongoSkip = mongoURI === undefined && !requireServices ? 'STRATA_TEST_MONGODB_URI is not set' : false;
if (mongoSkip !== false) console.log(`# skipping the permission matrix on MongoDB: ${mongoSkip}`);
if (mongoURI === undefined && requireServices) {
  describe('permission matrix, every door (mongodb)', () => {
    it('needs STRATA_TEST_MONGODB_URI', () =>
      assert.fail('STRATA_TEST_MONGODB_URI is required when STRATA_REQUIRE_SERVICES=1'));
  });
} else {
  matrixSuite({
    title: 'permission matrix, every door (mongodb)',
    skip: mongoSkip,
    build: () => buildWorld('mongodb'),
    doors: mongoDoors(),
    report: new MatrixReport(),
  });
}
matrixSuite({
  title: 'permission matrix, every door (sqlite)',
  skip: false,
  build: () => buildWorld('sqlite'),
  doors: doors('sqlite'),
  report: new MatrixReport(),
});
