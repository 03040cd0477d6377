/**
 * The files conformance suite: one set of node:test cases every `FileStore` must pass (byte-exact round
 * trips up to 100 MB, ranges, stat, metadata and tags, delete, failed writes leaving nothing, concurrency,
 * unsafe names). Test-only: it imports node:test, so production code must not import it (it is not
 * re-exported from `files/index.ts`).
 */
export { runFileStoreConformance } from './suite.js';
export type { FileStoreConformanceOptions } from './suite.js';
export { bytesOf, digestOf, randomSource, sha256, sourceOf } from './streams.js';
