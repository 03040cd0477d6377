import type { CreateIndexesOptions, Document } from 'mongodb';
import { collectionOf, schemaCollectionOf } from './context.js';
import type { MongoContext } from './context.js';
import { INDEX_ALREADY_EXISTS_CODES, NOT_IMPLEMENTED_CODE, serverErrorCode } from './errors.js';
import { CASE_INSENSITIVE_COLLATION } from './schema-store.js';

/**
 * What parse-server creates at every start (spec/mongo-layout.md §4, §3.1): the default indexes with
 * their exact names, keys and options, and the `_SCHEMA` documents of `_User` and `_Role`. Idempotent.
 */

interface DefaultIndex {
  readonly className: string;
  readonly name: string;
  readonly keys: Document;
  readonly options: CreateIndexesOptions;
}

const UNIQUE_SPARSE = { unique: true, sparse: true } as const;

export const DEFAULT_INDEXES: readonly DefaultIndex[] = [
  {
    className: '_User',
    name: 'username_1',
    keys: { username: 1 },
    options: UNIQUE_SPARSE,
  },
  {
    className: '_User',
    name: 'case_insensitive_username',
    keys: { username: 1 },
    options: { sparse: true, collation: CASE_INSENSITIVE_COLLATION },
  },
  {
    className: '_User',
    name: 'case_insensitive_email',
    keys: { email: 1 },
    options: { sparse: true, collation: CASE_INSENSITIVE_COLLATION },
  },
  {
    className: '_User',
    name: 'email_1',
    keys: { email: 1 },
    options: UNIQUE_SPARSE,
  },
  {
    className: '_User',
    name: '_email_verify_token',
    keys: { _email_verify_token: 1 },
    options: { sparse: true },
  },
  {
    className: '_User',
    name: '_perishable_token',
    keys: { _perishable_token: 1 },
    options: { sparse: true },
  },
  {
    className: '_User',
    name: '_auth_data_anonymous_id',
    keys: { '_auth_data_anonymous.id': 1 },
    options: UNIQUE_SPARSE,
  },
  {
    className: '_Role',
    name: 'name_1',
    keys: { name: 1 },
    options: UNIQUE_SPARSE,
  },
  {
    className: '_Idempotency',
    name: 'reqId_1',
    keys: { reqId: 1 },
    options: UNIQUE_SPARSE,
  },
  {
    className: '_Idempotency',
    name: 'ttl',
    keys: { expire: 1 },
    options: { expireAfterSeconds: 0, sparse: true },
  },
];

/** The `_SCHEMA` documents parse-server writes at start (spec/mongo-layout.md §3.1 examples). */
export const DEFAULT_SCHEMA_DOCUMENTS: readonly Document[] = [
  {
    _id: '_User',
    objectId: 'string',
    updatedAt: 'date',
    createdAt: 'date',
    username: 'string',
    email: 'string',
    emailVerified: 'boolean',
    authData: 'object',
  },
  {
    _id: '_Role',
    objectId: 'string',
    updatedAt: 'date',
    createdAt: 'date',
    name: 'string',
    users: 'relation<_User>',
    roles: 'relation<_Role>',
  },
  // parse-server lists `_Session` in GET /schemas of a fresh database, before any session exists.
  {
    _id: '_Session',
    objectId: 'string',
    updatedAt: 'date',
    createdAt: 'date',
    user: '*_User',
    installationId: 'string',
    sessionToken: 'string',
    expiresAt: 'date',
    createdWith: 'object',
  },
];

export async function initializeDefaults(context: MongoContext): Promise<void> {
  for (const index of DEFAULT_INDEXES) {
    try {
      await collectionOf(context, index.className).createIndex(index.keys, {
        name: index.name,
        ...index.options,
      });
    } catch (error) {
      const code = serverErrorCode(error);
      // Already there (maybe with other options, built by parse-server): keep it. NotImplemented:
      // FerretDB 1.x has no collation and no TTL; those indexes are optional for correctness.
      if (code === undefined || !(INDEX_ALREADY_EXISTS_CODES.has(code) || code === NOT_IMPLEMENTED_CODE)) throw error;
    }
  }
  for (const { _id, ...fields } of DEFAULT_SCHEMA_DOCUMENTS) {
    // Existing documents (parse-server's, or with fields added since) are left alone.
    await schemaCollectionOf(context).updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
  }
}
