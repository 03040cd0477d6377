import type { ClientSession, Collection, Db, Document, MongoClient } from 'mongodb';

/**
 * What every driver function needs: the client, the database, the collection prefix, and the session
 * when running inside a transaction. One context per adapter instance; a transaction gets a copy bound
 * to its session.
 */
export interface MongoContext {
  readonly client: MongoClient;
  readonly db: Db;
  /** Prepended verbatim to every collection name, `_SCHEMA` and `_Join:*` included. */
  readonly collectionPrefix: string;
  readonly session?: ClientSession;
  /** Per-adapter memo of what the server supports (asked once, on first need). */
  readonly capabilities: { transactions?: Promise<boolean> };
}

export const SCHEMA_COLLECTION = '_SCHEMA';

/** Documents keyed by a string `_id`: objects (objectId) and `_SCHEMA` entries (class name). */
export interface KeyedDocument extends Document {
  _id: string;
}

export function collectionOf(context: MongoContext, className: string): Collection<Document> {
  return context.db.collection(context.collectionPrefix + className);
}

/** `_Join:<field>:<OwningClass>`: field first, then the owning class. */
export function joinCollectionOf(context: MongoContext, ownerClass: string, field: string): Collection<Document> {
  return collectionOf(context, `_Join:${field}:${ownerClass}`);
}

export function schemaCollectionOf(context: MongoContext): Collection<KeyedDocument> {
  return context.db.collection<KeyedDocument>(context.collectionPrefix + SCHEMA_COLLECTION);
}

/** `{ session }` inside a transaction, `{}` otherwise: spread into every driver call's options. */
export function sessionOption(context: MongoContext): {
  session?: ClientSession;
} {
  return context.session === undefined ? {} : { session: context.session };
}
