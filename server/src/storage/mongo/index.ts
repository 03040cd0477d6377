/**
 * MongoDB storage: a `StorageAdapter` over the official `mongodb` driver that reads and writes
 * parse-server's exact layout (spec/mongo-layout.md), so an existing parse-server database is served
 * as is and parse-server can read what Strata writes. Split into a dialect (pure translation: values,
 * documents, `_SCHEMA`, filters, updates) and a driver (client, collections, transactions, errors).
 *
 * It does not check permissions, validate values against the schema or flatten `__op`s on create:
 * callers hand it normalized objects and typed conditions. Transactions need a replica set.
 *
 * Relational queries: `$inQuery` / `$notInQuery` / `$select` / `$dontSelect` are resolved inside the
 * adapter by a pre-query on the sub-class's collection that projects only `_id` or the selected key (with
 * `subqueryReadPreference`), turned into `$in` / `$nin` in the main filter, as parse-server does; `$lookup`
 * is not used because FerretDB 1.x barely supports it. `$containedBy` is parse-server's
 * `$nor: [{f: {$elemMatch: {$nin: [...]}}}]` (wrong on FerretDB 1.24, right on MongoDB). `hint`, `comment`
 * and `readPreference` go to the driver; `explain` returns the driver's `queryPlanner` explain.
 *
 * @example
 * const storage = createMongoStorage({ uri: 'mongodb://127.0.0.1:27017/app' });
 * await storage.initialize();
 */
import { MongoClient } from 'mongodb';
import type { StorageAdapter } from '../adapter.js';
import { MongoStorage } from './driver/index.js';

export interface MongoStorageOptions {
  /** `mongodb://` or `mongodb+srv://` URI; its path names the database. */
  readonly uri: string;
  /** Prepended to every collection name (parse-server's `collectionPrefix`). Default `''`. */
  readonly collectionPrefix?: string;
  /** How long an operation waits for a reachable server before failing with ParseError 1. */
  readonly serverSelectionTimeoutMS?: number;
}

/** Creates the adapter. Connecting is lazy: the first operation connects. */
export function createMongoStorage(options: MongoStorageOptions): StorageAdapter {
  const client = new MongoClient(options.uri, {
    ...(options.serverSelectionTimeoutMS === undefined
      ? {}
      : { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS }),
  });
  return new MongoStorage({
    client,
    db: client.db(),
    collectionPrefix: options.collectionPrefix ?? '',
    capabilities: {},
  });
}

export { TRANSACTIONS_UNAVAILABLE_MESSAGE, DEFAULT_INDEXES } from './driver/index.js';
