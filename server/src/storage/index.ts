/**
 * Storage: the `StorageAdapter` interface that every backend implements, its conformance suite
 * (`storage/conformance`), and the backends themselves (`sqlite/`, `mongo/`). It knows nothing about
 * HTTP, users or permissions: it stores and queries normalized objects.
 *
 * Backends are reached through `openStorage(uri)` only, which imports the one the URI names on demand:
 * re-exporting them here would load the MongoDB driver into every embedded start (≈130 ms of cold start).
 */
export type {
  StorageAdapter,
  StoragePoolStats,
  StorageTransaction,
  StoredObject,
  UpdatedObject,
  UpdateOp,
  UpdateSpec,
  FindOptions,
  RelationEdge,
  QueryHints,
  ReadPreferenceMode,
  RequestIdClaim,
  RequestIdState,
} from './adapter.js';
export type {
  AggregateDocument,
  AggregateOptions,
  DistinctOptions,
  GlobalConfigChange,
  GlobalConfigData,
} from './aggregate-types.js';
export type { MongoStorageOptions } from './mongo/index.js';
export { openStorage } from './open.js';
export type { SqliteStorageOptions } from './sqlite/index.js';
