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
