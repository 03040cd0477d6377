import type { CreateIndexesOptions, Document, IndexSpecification } from 'mongodb';
import { ErrorCode, ParseError } from '../../../errors/index.js';
import type {
  ClassLevelPermissions,
  ClassSchema,
  FieldDefinition,
  IndexOptions,
  IndexSpec,
} from '../../../schema/index.js';
import {
  VOLATILE_CLASSES,
  decodeSchema,
  encodeSchema,
  fieldOptions,
  storedPath,
  typeString,
} from '../dialect/index.js';
import { collectionOf, joinCollectionOf, schemaCollectionOf } from './context.js';
import type { KeyedDocument, MongoContext } from './context.js';
import {
  CANNOT_CREATE_INDEX_CODE,
  INDEX_ALREADY_EXISTS_CODES,
  INDEX_NOT_FOUND_CODE,
  NAMESPACE_NOT_FOUND_CODE,
  NOT_IMPLEMENTED_CODE,
  isDuplicateKeyError,
  serverErrorCode,
} from './errors.js';

/**
 * The `SchemaStore` half of the adapter: `_SCHEMA` documents written the way parse-server writes them
 * (spec/mongo-layout.md §3.1) and the collection-level work that goes with them (indexes, dropping data
 * of deleted fields and classes). Schema work never joins a transaction.
 */

/** The collation parse-server uses for its case-insensitive `_User` indexes and look-ups. */
export const CASE_INSENSITIVE_COLLATION = {
  locale: 'en_US',
  strength: 2,
} as const;

/** Written when a class is created by an upsert, so parse-server finds the usual three entries. */
const DEFAULT_TYPE_STRINGS = {
  objectId: 'string',
  updatedAt: 'date',
  createdAt: 'date',
} as const;

export async function loadSchemas(context: MongoContext): Promise<ClassSchema[]> {
  const documents = await schemaCollectionOf(context).find({}).toArray();
  const schemas: ClassSchema[] = [];
  for (const document of documents) {
    // parse-server ignores stored schemas of volatile classes: theirs are hard-coded.
    if (typeof document['_id'] === 'string' && VOLATILE_CLASSES.has(document['_id'])) continue;
    const schema = decodeSchema(document);
    if (schema !== undefined) schemas.push(schema);
  }
  return schemas;
}

/** Index keys in stored names: a pointer field becomes `_p_<field>`, `createdAt` `_created_at`. */
function storedIndexKeys(schema: ClassSchema, spec: IndexSpec): Record<string, IndexSpec[string]> {
  const keys: Record<string, IndexSpec[string]> = {};
  for (const [key, direction] of Object.entries(spec)) {
    keys[key.startsWith('_') ? key : storedPath(schema, key.split('.'))] = direction;
  }
  return keys;
}

async function buildIndex(
  context: MongoContext,
  options: {
    className: string;
    name: string;
    keys: Record<string, IndexSpec[string]>;
    index?: IndexOptions;
  },
): Promise<void> {
  const createOptions: CreateIndexesOptions = { name: options.name };
  if (options.index?.unique === true) createOptions.unique = true;
  if (options.index?.sparse === true) createOptions.sparse = true;
  if (options.index?.caseInsensitive === true) createOptions.collation = CASE_INSENSITIVE_COLLATION;
  try {
    await collectionOf(context, options.className).createIndex(options.keys as IndexSpecification, createOptions);
  } catch (error) {
    const code = serverErrorCode(error);
    if (code === NOT_IMPLEMENTED_CODE) {
      throw new ParseError(ErrorCode.COMMAND_UNAVAILABLE, {
        message: `This MongoDB-compatible server cannot build index ${options.name} (${error instanceof Error ? error.message : 'not implemented'}).`,
        cause: error,
      });
    }
    // An index with these keys exists under another name (one parse-server or an admin made), or the
    // server cannot build this one (CannotCreateIndex): the request's fault, as parse-server's index errors are.
    if (code !== undefined && (INDEX_ALREADY_EXISTS_CODES.has(code) || code === CANNOT_CREATE_INDEX_CODE)) {
      throw new ParseError(ErrorCode.INVALID_QUERY, {
        message: `Cannot create index ${options.name}: ${error instanceof Error ? error.message : 'refused'}.`,
        cause: error,
      });
    }
    throw error;
  }
}

export async function createClass(context: MongoContext, schema: ClassSchema): Promise<void> {
  const schemas = schemaCollectionOf(context);
  const exists = (await schemas.countDocuments({ _id: schema.className }, { limit: 1 })) > 0;
  if (exists) throw classExists(schema.className);
  // Given indexes are built first and recorded only once they exist, as parse-server does.
  const document: KeyedDocument = {
    ...encodeSchema(schema),
    _id: schema.className,
  };
  for (const [name, spec] of Object.entries(schema.indexes ?? {})) {
    if (name === '_id_') continue;
    const keys = storedIndexKeys(schema, spec);
    await buildIndex(context, { className: schema.className, name, keys });
    ((document['_metadata'] as Document)['indexes'] as Document)[name] = keys;
  }
  try {
    await schemas.insertOne(document);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw classExists(schema.className);
    throw error;
  }
}

function classExists(className: string): ParseError {
  return new ParseError(ErrorCode.INVALID_CLASS_NAME, {
    message: `Class ${className} already exists.`,
  });
}

export async function addFields(
  context: MongoContext,
  options: {
    className: string;
    fields: Readonly<Record<string, FieldDefinition>>;
  },
): Promise<void> {
  const schemas = schemaCollectionOf(context);
  for (const [name, definition] of Object.entries(options.fields)) {
    const text = typeString(definition);
    if (text === undefined) continue;
    const set: Document = { [name]: text };
    const fieldOption = fieldOptions(definition);
    if (fieldOption !== undefined) set[`_metadata.fields_options.${name}`] = fieldOption;
    try {
      // Matches only while the field is missing; when another server added it meanwhile, the upsert
      // collides on `_id` and the stored type decides.
      await schemas.updateOne(
        { _id: options.className, [name]: { $exists: false } },
        { $set: set, $setOnInsert: { ...DEFAULT_TYPE_STRINGS } },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const stored = await schemas.findOne({ _id: options.className }, { projection: { [name]: 1 } });
      const storedType: unknown = stored?.[name];
      if (storedType !== text) {
        throw new ParseError(ErrorCode.INCORRECT_TYPE, {
          message: `schema mismatch for ${options.className}.${name}; expected ${String(storedType)} but got ${text}`,
        });
      }
      continue;
    }
    if (definition.type === 'Polygon') await createPolygonIndex(context, options.className, name);
  }
}

/** parse-server adds a `2dsphere` index when a Polygon field is added; optional where unsupported. */
async function createPolygonIndex(context: MongoContext, className: string, field: string): Promise<void> {
  try {
    await collectionOf(context, className).createIndex({ [field]: '2dsphere' }, { name: `${field}_2dsphere` });
  } catch {
    // FerretDB 1.x has no geo indexes; geo queries then fail on their own with a clear error.
  }
}

export async function deleteFields(
  context: MongoContext,
  options: { schema: ClassSchema; fieldNames: readonly string[] },
): Promise<void> {
  const { schema, fieldNames } = options;
  if (fieldNames.length === 0) return;
  const dataKeys = fieldNames.flatMap((name) =>
    schema.fields[name]?.type === 'Pointer' ? [`_p_${name}`, name] : [name],
  );
  await collectionOf(context, schema.className).updateMany(
    { $or: dataKeys.map((key) => ({ [key]: { $exists: true } })) },
    { $unset: Object.fromEntries(dataKeys.map((key) => [key, ''])) },
  );
  const schemaKeys = fieldNames.flatMap((name) => [name, `_metadata.fields_options.${name}`]);
  await schemaCollectionOf(context).updateOne(
    { _id: schema.className },
    { $unset: Object.fromEntries(schemaKeys.map((key) => [key, ''])) },
  );
  for (const name of fieldNames) {
    if (schema.fields[name]?.type === 'Relation')
      await dropCollection(joinCollectionOf(context, schema.className, name));
  }
}

export async function setClassLevelPermissions(
  context: MongoContext,
  options: { className: string; classLevelPermissions: ClassLevelPermissions },
): Promise<void> {
  await schemaCollectionOf(context).updateOne(
    { _id: options.className },
    {
      $set: { '_metadata.class_permissions': options.classLevelPermissions },
      $setOnInsert: { ...DEFAULT_TYPE_STRINGS },
    },
    { upsert: true },
  );
}

export async function createIndex(
  context: MongoContext,
  options: {
    schema: ClassSchema;
    name: string;
    spec: IndexSpec;
    options?: IndexOptions;
  },
): Promise<void> {
  const keys = storedIndexKeys(options.schema, options.spec);
  try {
    await buildIndex(context, {
      className: options.schema.className,
      name: options.name,
      keys,
      index: options.options,
    });
  } catch (error) {
    // The server refused this index (a spec it rejects, options that conflict, a kind FerretDB lacks): the
    // request's fault or the server's limit, not an internal error. Duplicates under a unique index keep
    // their own answer (137, mapped by the caller).
    if (serverErrorCode(error) === undefined || isDuplicateKeyError(error)) throw error;
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message: `Cannot create index ${options.name}: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  await schemaCollectionOf(context).updateOne(
    { _id: options.schema.className },
    {
      $set: { [`_metadata.indexes.${options.name}`]: keys },
      $setOnInsert: { ...DEFAULT_TYPE_STRINGS },
    },
    { upsert: true },
  );
}

export async function dropIndex(context: MongoContext, options: { className: string; name: string }): Promise<void> {
  try {
    await collectionOf(context, options.className).dropIndex(options.name);
  } catch (error) {
    const code = serverErrorCode(error);
    if (code !== INDEX_NOT_FOUND_CODE && code !== NAMESPACE_NOT_FOUND_CODE) throw error;
  }
  await schemaCollectionOf(context).updateOne(
    { _id: options.className },
    { $unset: { [`_metadata.indexes.${options.name}`]: '' } },
  );
}

async function dropCollection(collection: { drop(): Promise<boolean> }): Promise<void> {
  try {
    await collection.drop();
  } catch (error) {
    if (serverErrorCode(error) !== NAMESPACE_NOT_FOUND_CODE) throw error;
  }
}

export async function deleteClass(context: MongoContext, options: { schema: ClassSchema }): Promise<void> {
  const { schema } = options;
  await dropCollection(collectionOf(context, schema.className));
  for (const [name, definition] of Object.entries(schema.fields)) {
    if (definition.type === 'Relation') await dropCollection(joinCollectionOf(context, schema.className, name));
  }
  await schemaCollectionOf(context).deleteOne({ _id: schema.className });
}
