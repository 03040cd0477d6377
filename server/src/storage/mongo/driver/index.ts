/**
 * The MongoDB driver half: connection, collections, transactions and error mapping, running what the
 * dialect (`../dialect/`) translates. It does not know the layout rules itself.
 */
export { MongoStorage } from './mongo-storage.js';
export { MongoPoolCounters } from './context.js';
export type { MongoContext } from './context.js';
export { DEFAULT_INDEXES, DEFAULT_SCHEMA_DOCUMENTS } from './initialize.js';
export { TRANSACTIONS_UNAVAILABLE_MESSAGE } from './transactions.js';
