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
import type { ServerHeartbeatFailedEvent } from 'mongodb';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { StorageAdapter } from '../adapter.js';
import { MongoPoolCounters, MongoStorage } from './driver/index.js';

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
  return adapterFor(clientFor(options), options);
}

/**
 * Creates the adapter and connects it, giving up after `connectTimeoutMs` (a start should say quickly that
 * the database is unreachable; once running, operations keep the driver's own server-selection wait).
 *
 * @example
 * const storage = await openMongoStorage({ uri: 'mongodb://127.0.0.1:27017/app', connectTimeoutMs: 5000 });
 */
export async function openMongoStorage(
  options: MongoStorageOptions & { connectTimeoutMs: number },
): Promise<StorageAdapter> {
  const connection = clientFor(options);
  const { client } = connection;
  // The driver keeps retrying until its own timeout; the last heartbeat failure says why (ECONNREFUSED, auth...).
  let lastFailure: Error | undefined;
  const onFailure = (event: ServerHeartbeatFailedEvent): void => {
    lastFailure = event.failure;
  };
  client.on('serverHeartbeatFailed', onFailure);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no answer')), options.connectTimeoutMs);
  });
  try {
    await Promise.race([client.connect(), deadline]);
  } catch (err) {
    await client.close().catch(() => undefined);
    const reason = (lastFailure ?? (err as Error)).message;
    throw new ParseError(ErrorCode.CONNECTION_FAILED, {
      message: `cannot reach MongoDB at ${hostsOf(options.uri)} within ${options.connectTimeoutMs / 1000} s: ${reason}`,
      cause: lastFailure ?? err,
    });
  } finally {
    clearTimeout(timer);
    client.off('serverHeartbeatFailed', onFailure);
  }
  return adapterFor(connection, options);
}

/** A client whose pool counters listen from the start: a connect before the adapter exists is counted too. */
function clientFor(options: MongoStorageOptions): { client: MongoClient; pool: MongoPoolCounters } {
  const client = new MongoClient(options.uri, {
    ...(options.serverSelectionTimeoutMS === undefined
      ? {}
      : { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS }),
  });
  return { client, pool: new MongoPoolCounters(client) };
}

function adapterFor(
  connection: { client: MongoClient; pool: MongoPoolCounters },
  options: MongoStorageOptions,
): StorageAdapter {
  const { client, pool } = connection;
  return new MongoStorage({
    client,
    db: client.db(),
    collectionPrefix: options.collectionPrefix ?? '',
    capabilities: {},
    pool,
  });
}

/** `mongodb://user:pass@a:1,b:2/db?x` → `a:1,b:2`: never the credentials. */
function hostsOf(uri: string): string {
  const rest = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const authority = rest.split(/[/?]/, 1)[0] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1) || uri.split(':', 1)[0] || 'mongodb';
}

export { TRANSACTIONS_UNAVAILABLE_MESSAGE, DEFAULT_INDEXES } from './driver/index.js';
