/**
 * Schema: Parse's value types and field types, class schemas and the system classes, the REST JSON
 * codec for values, and the cached schema registry behind `_SCHEMA`. It does not store anything
 * itself: persistence goes through the `SchemaStore` interface that storage adapters implement. It
 * validates CLP JSON but does not evaluate CLPs (`auth/` does), and it checks field types but leaves
 * `__op` operations, default/immutable fields and required fields on writes to `core`.
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
export {
  isValidClassName,
  assertClassName,
  invalidClassNameMessage,
  isValidFieldName,
  assertFieldName,
  joinClassName,
  parseJoinClassName,
} from './names.js';
export {
  DEFAULT_FIELDS,
  ROUTABLE_SYSTEM_CLASSES,
  VOLATILE_CLASSES,
  AUTH_DATA_FIELD_PREFIX,
  isSystemClass,
  isVolatileClass,
  defaultFieldsOf,
  isDefaultField,
  requiredFieldsOnCreate,
  internalFields,
  isInternalField,
} from './system-classes.js';
export { fieldTypeOf, relationType, describeType, sameFieldType } from './infer.js';
export {
  fieldsToAdd,
  schemaMismatch,
  assertOneGeoPoint,
  assertValidNestedKeys,
  assertNoProhibitedKeywords,
  DEFAULT_KEYWORD_DENYLIST,
} from './validate.js';
export type { KeywordRule } from './validate.js';
export { CLP_OPERATIONS, PUBLIC_CLP, effectiveClassLevelPermissions, validateClassLevelPermissions } from './clp.js';
export type { ClpOperation } from './clp.js';
export { decodeValue, encodeValue, decodeDate, assertAllowedKey, DEFAULT_DECODE_MAX_DEPTH } from './rest-codec.js';
export type { DecodeOptions, EncodeOptions } from './rest-codec.js';
export { isDeleteMarker, planCreate, planUpdate } from './class-changes.js';
export type { DeleteMarker, ClassCreateRequest, ClassUpdateRequest, ClassUpdatePlan } from './class-changes.js';
export { SchemaRegistry } from './registry.js';
export type { SchemaRegistryOptions, TransactionSchemas } from './registry.js';
export {
  schemaToJSON,
  fieldFromJSON,
  indexFromJSON,
  createRequestFromJSON,
  updateRequestFromJSON,
} from './rest-format.js';
export type { SchemaJSON, FieldJSON } from './rest-format.js';
export { renderSchemaTypes, schemasFromRestJson } from './typescript.js';
export type { SchemaForTypes } from './typescript.js';
