/**
 * Storage: the `StorageAdapter` interface that every backend implements, its conformance suite
 * (`storage/conformance`), and the backends themselves (`sqlite/`, `mongo/`). It knows nothing about
 * HTTP, users or permissions: it stores and queries normalized objects.
 */
export type {
  StorageAdapter,
  StorageTransaction,
  StoredObject,
  UpdateOp,
  UpdateSpec,
  FindOptions,
  RelationEdge,
} from './adapter.js';
export { createMongoStorage } from './mongo/index.js';
export type { MongoStorageOptions } from './mongo/index.js';
export { openStorage } from './open.js';
export { createSqliteStorage } from './sqlite/index.js';
export type { SqliteStorageOptions } from './sqlite/index.js';
