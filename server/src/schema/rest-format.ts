import { ErrorCode, ParseError } from '../errors/index.js';
import { ID_INDEX_NAME, isDeleteMarker } from './class-changes.js';
import type { ClassCreateRequest, ClassUpdateRequest, DeleteMarker } from './class-changes.js';
import { effectiveClassLevelPermissions } from './clp.js';
import { describeType, fieldTypeOf, sameFieldType } from './infer.js';
import { assertFieldName, invalidClassNameMessage, isValidClassName } from './names.js';
import { decodeValue, encodeValue } from './rest-codec.js';
import type { EncodeOptions } from './rest-codec.js';
import type { ParseValue } from './values.js';
import { isDefaultField } from './system-classes.js';
import type {
  ClassLevelPermissions,
  FieldDefinition,
  FieldType,
  IndexKeyValue,
  IndexSpec,
  ClassSchema,
  SimpleFieldTypeName,
} from './types.js';

/**
 * The `/schemas` JSON of spec/rest.md §14: a ClassSchema as clients see it, and request bodies parsed
 * into typed create/update requests with §14's error codes. The write rules themselves (what may be
 * added, deleted or indexed) are in `class-changes.ts`.
 */

/** One field as `/schemas` shows it. */
export interface FieldJSON {
  type: string;
  targetClass?: string;
  required?: boolean;
  defaultValue?: unknown;
}

export interface SchemaJSON {
  className: string;
  fields: Record<string, FieldJSON>;
  classLevelPermissions: ClassLevelPermissions;
  indexes?: Readonly<Record<string, IndexSpec>>;
}

/** Types a client may declare (`ACL` is implicit and cannot be declared). */
const DECLARABLE_TYPES: ReadonlySet<string> = new Set<SimpleFieldTypeName>([
  'String',
  'Number',
  'Boolean',
  'Date',
  'Object',
  'Array',
  'GeoPoint',
  'File',
  'Bytes',
  'Polygon',
]);

const INDEX_VALUES: ReadonlySet<unknown> = new Set<IndexKeyValue>([1, -1, 'text', '2dsphere', '2d']);

/**
 * A schema as `GET /schemas` returns it: field options included, a default value as REST JSON, the CLP
 * with the read-back rules of §14, and the indexes, `_id_` first.
 */
export function schemaToJSON(options: { schema: ClassSchema; encode: EncodeOptions }): SchemaJSON {
  const { schema, encode } = options;
  const fields: Record<string, FieldJSON> = {};
  for (const [fieldName, definition] of Object.entries(schema.fields)) {
    const json: FieldJSON = { type: definition.type };
    if (definition.type === 'Pointer' || definition.type === 'Relation') json.targetClass = definition.targetClass;
    if (definition.required !== undefined) json.required = definition.required;
    if (definition.defaultValue !== undefined) json.defaultValue = encodeValue(definition.defaultValue, encode);
    fields[fieldName] = json;
  }
  const out: SchemaJSON = {
    className: schema.className,
    fields,
    classLevelPermissions: effectiveClassLevelPermissions(schema.classLevelPermissions),
  };
  // Every class has MongoDB's index on `_id` (objectId), and parse-server lists it first (SQLite's primary key).
  out.indexes = { [ID_INDEX_NAME]: { _id: 1 }, ...schema.indexes };
  return out;
}

/**
 * Parses one field declaration `{type, targetClass?, required?, defaultValue?}`. Throws 111 for an
 * unknown type or a default value of the wrong type, 135 for a Pointer/Relation without targetClass,
 * 103 for an invalid targetClass, 111 for `required`/`defaultValue` on a Relation, 107 for bad JSON.
 */
export function fieldFromJSON(options: { className: string; fieldName: string; json: unknown }): FieldDefinition {
  const { className, fieldName, json } = options;
  if (!isRecord(json)) throw invalidJson(`The definition of field ${fieldName} must be an object`);
  const fieldType = fieldTypeFromJSON(json);
  const required = json['required'];
  if (required !== undefined && typeof required !== 'boolean') {
    throw invalidJson(`The 'required' option of field ${fieldName} must be a boolean`);
  }
  const rawDefault = json['defaultValue'];
  const hasDefault = rawDefault !== undefined && rawDefault !== null;
  if (fieldType.type === 'Relation' && (hasDefault || required === true)) {
    const option = hasDefault ? 'default value' : 'required';
    throw new ParseError(ErrorCode.INCORRECT_TYPE, {
      message: `The '${option}' option is not applicable for ${describeType(fieldType)}`,
    });
  }
  let defaultValue: ParseValue | undefined;
  if (hasDefault) {
    const value = decodeValue(rawDefault);
    const valueType = fieldTypeOf(value);
    if (valueType === undefined || !sameFieldType(fieldType, valueType)) {
      throw new ParseError(ErrorCode.INCORRECT_TYPE, {
        message:
          `schema mismatch for ${className}.${fieldName} default value; expected ${describeType(fieldType)} ` +
          `but got ${valueType === undefined ? 'null' : describeType(valueType)}`,
      });
    }
    defaultValue = value;
  }
  return {
    ...fieldType,
    ...(required === undefined ? {} : { required }),
    ...(defaultValue === undefined ? {} : { defaultValue }),
  };
}

function fieldTypeFromJSON(json: Readonly<Record<string, unknown>>): FieldType {
  const type = json['type'];
  if (type === 'Pointer' || type === 'Relation') {
    const targetClass = json['targetClass'];
    if (targetClass === undefined || targetClass === null || targetClass === '') {
      throw new ParseError(ErrorCode.MISSING_REQUIRED_FIELD, { message: `type ${type} needs a class name` });
    }
    if (typeof targetClass !== 'string') throw invalidJson('targetClass must be a string');
    if (!isValidClassName(targetClass)) {
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: invalidClassNameMessage(targetClass) });
    }
    return { type, targetClass };
  }
  if (typeof type !== 'string') throw invalidJson('A field type must be a string');
  if (!DECLARABLE_TYPES.has(type)) {
    throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: `invalid field type: ${type}` });
  }
  return { type: type as SimpleFieldTypeName };
}

/**
 * Parses a `POST /schemas[/:className]` body. The class name comes from the path or the body (103 when
 * both are given and differ, 135 when neither is).
 */
export function createRequestFromJSON(options: { className?: string; body: unknown }): ClassCreateRequest {
  const body = options.body ?? {};
  if (!isRecord(body)) throw invalidJson('The request body must be an object');
  const className = classNameOf({ path: options.className, body: body['className'] });
  if (className === undefined) {
    throw new ParseError(ErrorCode.MISSING_REQUIRED_FIELD, { message: 'POST /schemas needs a class name.' });
  }
  const request: { -readonly [K in keyof ClassCreateRequest]: ClassCreateRequest[K] } = { className };
  const fieldsJSON = optionalRecord(body['fields'], 'fields');
  if (fieldsJSON !== undefined) {
    const fields: Record<string, FieldDefinition> = {};
    for (const [fieldName, json] of Object.entries(fieldsJSON)) {
      assertFieldName(fieldName, className);
      if (isDefaultField(className, fieldName)) {
        throw new ParseError(ErrorCode.CHANGED_IMMUTABLE_FIELD, { message: `Field ${fieldName} cannot be changed.` });
      }
      fields[fieldName] = fieldFromJSON({ className, fieldName, json });
    }
    request.fields = fields;
  }
  const clp = optionalRecord(body['classLevelPermissions'], 'classLevelPermissions');
  if (clp !== undefined) request.classLevelPermissions = clp;
  const indexesJSON = optionalRecord(body['indexes'], 'indexes');
  if (indexesJSON !== undefined) {
    const indexes: Record<string, IndexSpec> = {};
    for (const [name, json] of Object.entries(indexesJSON)) indexes[name] = indexFromJSON({ name, json });
    request.indexes = indexes;
  }
  return request;
}

/** Parses a `PUT /schemas/:className` body: fields and indexes may be `{"__op":"Delete"}`. */
export function updateRequestFromJSON(options: { className: string; body: unknown }): ClassUpdateRequest {
  const { className } = options;
  const body = options.body ?? {};
  if (!isRecord(body)) throw invalidJson('The request body must be an object');
  classNameOf({ path: className, body: body['className'] });
  const request: { -readonly [K in keyof ClassUpdateRequest]: ClassUpdateRequest[K] } = { className };
  const fieldsJSON = optionalRecord(body['fields'], 'fields');
  if (fieldsJSON !== undefined) {
    const fields: Record<string, FieldDefinition | DeleteMarker> = {};
    for (const [fieldName, json] of Object.entries(fieldsJSON)) {
      if (isDeleteMarker(json)) {
        fields[fieldName] = { __op: 'Delete' };
        continue;
      }
      assertFieldName(fieldName, className);
      fields[fieldName] = fieldFromJSON({ className, fieldName, json });
    }
    request.fields = fields;
  }
  const clp = optionalRecord(body['classLevelPermissions'], 'classLevelPermissions');
  if (clp !== undefined) request.classLevelPermissions = clp;
  const indexesJSON = optionalRecord(body['indexes'], 'indexes');
  if (indexesJSON !== undefined) {
    const indexes: Record<string, IndexSpec | DeleteMarker> = {};
    for (const [name, json] of Object.entries(indexesJSON)) {
      indexes[name] = isDeleteMarker(json) ? { __op: 'Delete' } : indexFromJSON({ name, json });
    }
    request.indexes = indexes;
  }
  return request;
}

/** `{field: 1 | -1 | "text" | "2dsphere" | "2d", ...}`, at least one key; else 102. */
export function indexFromJSON(options: { name: string; json: unknown }): IndexSpec {
  const { name, json } = options;
  assertIndexName(name);
  if (!isRecord(json) || Object.keys(json).length === 0) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Index ${name} must map field names to an index type.` });
  }
  for (const [key, value] of Object.entries(json)) {
    if (!INDEX_VALUES.has(value)) {
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Index ${name} has an invalid type for ${key}.` });
    }
  }
  return json as IndexSpec;
}

const MAX_INDEX_NAME_LENGTH = 128;

/**
 * Index names are the caller's to choose (parse-server passes them to MongoDB as they are), but they become
 * database identifiers and keys of the schema's index map: empty or overlong names, control characters (a
 * NUL ends an identifier early) and `__proto__` (an object's prototype, not a key) are refused with 102.
 */
function assertIndexName(name: string): void {
  const control = [...name].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
  if (name.length === 0 || name.length > MAX_INDEX_NAME_LENGTH || control || name === '__proto__') {
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message: `Invalid index name ${JSON.stringify(name)}: 1 to ${MAX_INDEX_NAME_LENGTH} characters, no control characters.`,
    });
  }
}

function classNameOf(options: { path: string | undefined; body: unknown }): string | undefined {
  const { path, body } = options;
  if (body !== undefined && typeof body !== 'string') throw invalidJson('className must be a string');
  if (path !== undefined && body !== undefined && path !== body) {
    throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class name mismatch between ${body} and ${path}.` });
  }
  return path ?? (body === '' ? undefined : body);
}

function optionalRecord(value: unknown, key: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalidJson(`${key} must be an object`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalidJson(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message });
}
