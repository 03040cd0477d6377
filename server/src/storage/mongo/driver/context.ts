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
  /** The client's connection-pool counters, kept from the driver's pool events (metrics). */
  readonly pool?: MongoPoolCounters;
}

/** Counts the driver's connection-pool (CMAP) events of one client, summed over its servers. */
export class MongoPoolCounters {
  #open = 0;
  #checkedOut = 0;
  #waiting = 0;

  constructor(client: MongoClient) {
    client.on('connectionCreated', () => void this.#open++);
    client.on('connectionClosed', () => void this.#open--);
    client.on('connectionCheckOutStarted', () => void this.#waiting++);
    client.on('connectionCheckOutFailed', () => void this.#waiting--);
    client.on('connectionCheckedOut', () => {
      this.#waiting--;
      this.#checkedOut++;
    });
    client.on('connectionCheckedIn', () => void this.#checkedOut--);
  }

  stats(): { size: number; inUse: number; waiting: number } {
    return { size: Math.max(0, this.#open), inUse: Math.max(0, this.#checkedOut), waiting: Math.max(0, this.#waiting) };
  }
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
