import { MongoServerError } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { ErrorCode, ParseError } from '../../../errors/index.js';

/**
 * Driver errors → ParseError: a duplicate key becomes 137 DUPLICATE_VALUE naming the duplicated field,
 * anything else 1 INTERNAL_SERVER_ERROR with the driver error as `cause`. Network failures and a closed
 * server surface here as rejected promises; nothing is thrown outside a request.
 */

/** MongoDB's "already exists with different options" answers, harmless for idempotent index creation. */
export const INDEX_ALREADY_EXISTS_CODES: ReadonlySet<number> = new Set([85, 86]);
/** FerretDB (and very old servers) answer NotImplemented for index options they lack. */
export const NOT_IMPLEMENTED_CODE = 238;
export const NAMESPACE_NOT_FOUND_CODE = 26;
export const CANNOT_CREATE_INDEX_CODE = 67;
export const INDEX_NOT_FOUND_CODE = 27;

export function serverErrorCode(error: unknown): number | undefined {
  return error instanceof MongoServerError && typeof error.code === 'number' ? error.code : undefined;
}

/**
 * FerretDB 1.x reports some unique violations (findAndModify, building a unique index over duplicates)
 * as code 1 with SQLite's message, naming the index as `<collection>_<8 hex>_<index name>`.
 */
const SQLITE_UNIQUE_VIOLATION = /UNIQUE constraint failed: index '(?:.*?_[0-9a-f]{8}_)?([^']+)'/;

export function isDuplicateKeyError(error: unknown): boolean {
  const code = serverErrorCode(error);
  if (code === 11000 || code === 11001) return true;
  return error instanceof MongoServerError && SQLITE_UNIQUE_VIOLATION.test(error.message);
}

/** parse-server's rule: `<field>_1` → field, `_id_` → objectId, anything else (e.g. `_auth_data_x_id`) as is. */
function fieldOfIndexName(name: string): string {
  if (name === '_id_') return 'objectId';
  const simple = /^(.+)_1$/.exec(name);
  return simple?.[1] ?? name;
}

/** The duplicated field as far as the error says (MongoDB does; FerretDB 1.x names no index). */
export function duplicatedFieldOf(error: unknown): string | undefined {
  if (!(error instanceof MongoServerError)) return undefined;
  const pattern: unknown = error['keyPattern'];
  if (pattern !== null && typeof pattern === 'object') {
    const [first] = Object.keys(pattern);
    if (first !== undefined) return first === '_id' ? 'objectId' : first;
  }
  const index = /index: (\S+)/.exec(error.message) ?? SQLITE_UNIQUE_VIOLATION.exec(error.message);
  return index?.[1] === undefined ? undefined : fieldOfIndexName(index[1]);
}

export function duplicateValueError(field: string | undefined, cause: unknown): ParseError {
  const message =
    field === undefined
      ? 'A duplicate value for a field with unique values was provided'
      : `A duplicate value for a field with unique values was provided: ${field}`;
  return new ParseError(ErrorCode.DUPLICATE_VALUE, { message, cause });
}

export function toStorageError(error: unknown): ParseError {
  if (error instanceof ParseError) return error;
  if (isDuplicateKeyError(error)) return duplicateValueError(duplicatedFieldOf(error), error);
  // MaxTimeMSExpired: the read ran past its `--query-time-limit`.
  if (error instanceof Error && 'code' in error && error.code === 50) {
    return new ParseError(ErrorCode.TIMEOUT, {
      message: 'The query ran longer than its time budget and was stopped; add an index or narrow the query.',
      cause: error,
    });
  }
  return new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { cause: error });
}

/**
 * Server errors that say the server is in trouble (shutting down, stepping down, unreachable, out of time),
 * not that the request was wrong: these stay 500 wherever they happen.
 */
const SERVER_TROUBLE_CODES: ReadonlySet<number> = new Set([
  6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
]);

/**
 * For a pipeline or `distinct` the caller wrote (master key): the database refusing it (a stage or operator
 * it does not know or FerretDB does not implement, a value out of its range) is 102 with the server's reason,
 * not a 500; the server's own trouble stays 500.
 */
export async function guardQuery<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = serverErrorCode(error);
    if (error instanceof MongoServerError && code !== undefined && !SERVER_TROUBLE_CODES.has(code)) {
      throw new ParseError(ErrorCode.INVALID_QUERY, {
        message: `The database refused the query: ${error.message}`,
        cause: error,
      });
    }
    throw toStorageError(error);
  }
}

/** Runs a driver call and maps whatever it throws. */
export async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toStorageError(error);
  }
}

/**
 * When the server did not name the index (FerretDB), finds which unique key of `document` collides by
 * looking for another document with the same values. Best effort: `undefined` when none is found.
 */
export async function findDuplicatedField(
  collection: Collection<Document>,
  document: Document,
): Promise<string | undefined> {
  try {
    if ((await collection.countDocuments({ _id: document['_id'] }, { limit: 1 })) > 0) return 'objectId';
    for (const index of await collection.listIndexes().toArray()) {
      if (index['unique'] !== true || index['name'] === '_id_' || typeof index['name'] !== 'string') continue;
      const keys = Object.keys((index['key'] ?? {}) as Document);
      const values = keys.map((key) =>
        key.split('.').reduce<unknown>((value, part) => (value as Document | undefined)?.[part], document),
      );
      if (values.some((value) => value === undefined)) continue;
      const filter = Object.fromEntries(keys.map((key, i) => [key, values[i]]));
      if ((await collection.countDocuments({ ...filter, _id: { $ne: document['_id'] } }, { limit: 1 })) > 0) {
        return fieldOfIndexName(index['name']);
      }
    }
  } catch {
    // Only a better message was at stake.
  }
  return undefined;
}
