import { describe } from 'node:test';
import { aggregateTests } from './aggregate-tests.js';
import { conditionTests } from './condition-tests.js';
import { findTests } from './find-tests.js';
import { geoTextTests } from './geo-text-tests.js';
import type { StorageConformanceOptions } from './harness.js';
import { relationalTests } from './relational-tests.js';
import { requestIdTests } from './request-id-tests.js';
import { schemaTests } from './schema-tests.js';
import { transactionTests } from './transaction-tests.js';
import { updateTests } from './update-tests.js';
import { valueTests } from './value-tests.js';

/**
 * Registers the storage conformance suite (node:test `describe`/`it`) for one adapter. Each group gets its
 * own fresh adapter from `create()` and hands it to `destroy()` when done.
 *
 * @example
 * runStorageConformance({
 *   name: 'sqlite',
 *   create: async () => createSqliteStorage({ path: join(dir, `${randomHex(4)}.db`) }),
 *   destroy: (storage) => storage.close(),
 * });
 */
export function runStorageConformance(options: StorageConformanceOptions): void {
  describe(`storage conformance: ${options.name}`, () => {
    schemaTests(options);
    valueTests(options);
    conditionTests(options);
    relationalTests(options);
    geoTextTests(options);
    findTests(options);
    aggregateTests(options);
    updateTests(options);
    transactionTests(options);
    requestIdTests(options);
  });
}
