/**
 * The storage conformance suite: one set of node:test cases every `StorageAdapter` must pass (schema
 * store, value round trips, every Condition kind with MongoDB semantics, sort/skip/limit/keys, updates,
 * relations, transactions, concurrent increments). It tests behaviour only, never a backend's layout.
 * Test-only: it imports node:test, so production code must not import it (it is not re-exported from
 * `storage/index.ts`).
 */
export { runStorageConformance } from './suite.js';
export type { StorageConformanceOptions, ConformanceFeature } from './harness.js';
