import type { ClassLevelPermissions, ClassSchema, FieldDefinition, IndexSpec } from './types.js';

export interface IndexOptions {
  readonly unique?: boolean;
  readonly sparse?: boolean;
  /** Case-insensitive index (Mongo collation `{locale:"en_US",strength:2}`; SQLite `COLLATE NOCASE`). */
  readonly caseInsensitive?: boolean;
}

/**
 * Where class schemas are persisted (`_SCHEMA`). Implemented by every storage adapter; declared here
 * so the schema registry depends on an interface, not on storage.
 *
 * Methods take and return full field definitions, including the defaults (objectId, createdAt,
 * updatedAt, ACL) and a system class's own default fields; the registry owns those rules.
 */
export interface SchemaStore {
  /** Every stored schema. */
  loadSchemas(): Promise<ClassSchema[]>;
  /** Creates the class (its table or collection and its `_SCHEMA` entry). Throws ParseError 103 if it exists. */
  createClass(schema: ClassSchema): Promise<void>;
  /**
   * Adds fields that do not exist yet. A field that another server added meanwhile with the same type is
   * not an error; with a different type, throws ParseError 111. The class is created when missing.
   */
  addFields(options: { className: string; fields: Readonly<Record<string, FieldDefinition>> }): Promise<void>;
  /** Removes fields and their data (and, for Relation fields, their join tables). */
  deleteFields(options: { schema: ClassSchema; fieldNames: readonly string[] }): Promise<void>;
  setClassLevelPermissions(options: { className: string; classLevelPermissions: ClassLevelPermissions }): Promise<void>;
  createIndex(options: { schema: ClassSchema; name: string; spec: IndexSpec; options?: IndexOptions }): Promise<void>;
  dropIndex(options: { className: string; name: string }): Promise<void>;
  /** Drops the class's data, join tables and schema entry. The caller has checked it is empty. */
  deleteClass(options: { schema: ClassSchema }): Promise<void>;
}
