/**
 * Schema: Parse's value types and field types, class schemas and the system classes, the REST JSON
 * codec for values, and the cached schema registry behind `_SCHEMA`. It does not store anything
 * itself: persistence goes through the `SchemaStore` interface that storage adapters implement.
 */
export { Pointer, ParseFile, GeoPoint, Polygon, Bytes, EmbeddedObject, isPlainObject } from './values.js';
export type { ParseValue, ParseObjectValue, ACL } from './values.js';
export type {
  SimpleFieldTypeName,
  FieldType,
  FieldTypeName,
  FieldDefinition,
  PermissionEntry,
  ClassLevelPermissions,
  IndexKeyValue,
  IndexSpec,
  ClassSchema,
} from './types.js';
export type { SchemaStore, IndexOptions } from './schema-store.js';
export { decodeValue, encodeValue, decodeDate, assertAllowedKey, DEFAULT_DECODE_MAX_DEPTH } from './rest-codec.js';
export type { DecodeOptions, EncodeOptions } from './rest-codec.js';
