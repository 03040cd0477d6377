import type { Document } from 'mongodb';
import { Bytes, GeoPoint, ParseFile, Pointer, Polygon } from '../../../schema/index.js';
import type {
  ClassLevelPermissions,
  ClassSchema,
  FieldDefinition,
  FieldType,
  IndexSpec,
  ParseValue,
  SimpleFieldTypeName,
} from '../../../schema/index.js';
import { decodeInterior } from './values.js';

/**
 * ClassSchema ↔ `_SCHEMA` document (spec/mongo-layout.md §3.1): type strings such as `*_User`,
 * `relation<_Role>` and `geopoint`, and `_metadata` with `class_permissions`, `indexes` and
 * `fields_options` (defaults in their REST JSON form).
 */

/** Classes whose schema is hard-coded: parse-server ignores a `_SCHEMA` document for them. */
export const VOLATILE_CLASSES: ReadonlySet<string> = new Set([
  '_PushStatus',
  '_JobStatus',
  '_JobSchedule',
  '_Audience',
  '_Idempotency',
  '_Hooks',
  '_GlobalConfig',
  '_GraphQLConfig',
]);

const SIMPLE_TYPE_STRINGS: Readonly<Record<Exclude<SimpleFieldTypeName, 'ACL'>, string>> = {
  String: 'string',
  Number: 'number',
  Boolean: 'boolean',
  Date: 'date',
  Object: 'object',
  Array: 'array',
  File: 'file',
  GeoPoint: 'geopoint',
  Polygon: 'polygon',
  Bytes: 'bytes',
};

const TYPES_BY_STRING: Readonly<Record<string, SimpleFieldTypeName>> = {
  ...Object.fromEntries(Object.entries(SIMPLE_TYPE_STRINGS).map(([type, text]) => [text, type as SimpleFieldTypeName])),
  map: 'Object',
};

/** Fields every class has, whose stored type string parse-server overrides on read. */
const DEFAULT_FIELDS: Readonly<Record<string, FieldDefinition>> = {
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
};

/** Never written to `_SCHEMA` (parse-server strips them before writing). */
function isStoredField(name: string, definition: FieldDefinition): boolean {
  return !(name in DEFAULT_FIELDS) && definition.type !== 'ACL' && name !== 'password' && !name.startsWith('_');
}

export function typeString(type: FieldType): string | undefined {
  switch (type.type) {
    case 'Pointer':
      return `*${type.targetClass}`;
    case 'Relation':
      return `relation<${type.targetClass}>`;
    case 'ACL':
      return undefined;
    default:
      return SIMPLE_TYPE_STRINGS[type.type];
  }
}

export function parseTypeString(text: unknown): FieldType | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.startsWith('*') && text.length > 1) return { type: 'Pointer', targetClass: text.slice(1) };
  const relation = /^relation<(.+)>$/.exec(text);
  if (relation?.[1] !== undefined) return { type: 'Relation', targetClass: relation[1] };
  const simple = TYPES_BY_STRING[text.toLowerCase()];
  return simple === undefined ? undefined : { type: simple };
}

/** A default value in the REST JSON form that `fields_options` holds. */
export function toRestJson(value: ParseValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { __type: 'Date', iso: value.toISOString() };
  if (Array.isArray(value)) return value.map((item) => toRestJson(item));
  if (value instanceof Pointer)
    return {
      __type: 'Pointer',
      className: value.className,
      objectId: value.objectId,
    };
  if (value instanceof ParseFile) return { __type: 'File', name: value.name };
  if (value instanceof GeoPoint)
    return {
      __type: 'GeoPoint',
      latitude: value.latitude,
      longitude: value.longitude,
    };
  if (value instanceof Polygon)
    return {
      __type: 'Polygon',
      coordinates: value.coordinates.map(([a, b]) => [a, b]),
    };
  if (value instanceof Bytes) return { __type: 'Bytes', base64: value.base64 };
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toRestJson(item)]));
}

/** The `fields_options` entry of a field, or `undefined` when it has none. */
export function fieldOptions(definition: FieldDefinition): Document | undefined {
  const options: Document = {};
  if (definition.required !== undefined) options['required'] = definition.required;
  if (definition.defaultValue !== undefined) options['defaultValue'] = toRestJson(definition.defaultValue);
  return Object.keys(options).length === 0 ? undefined : options;
}

/** The whole `_SCHEMA` document of a new class. */
export function encodeSchema(schema: ClassSchema): Document {
  const document: Document = {
    _id: schema.className,
    objectId: 'string',
    updatedAt: 'date',
    createdAt: 'date',
  };
  const fieldsOptions: Document = {};
  for (const [name, definition] of Object.entries(schema.fields)) {
    if (!isStoredField(name, definition)) continue;
    const text = typeString(definition);
    if (text === undefined) continue;
    document[name] = text;
    const options = fieldOptions(definition);
    if (options !== undefined) fieldsOptions[name] = options;
  }
  const metadata: Document = {};
  if (schema.classLevelPermissions !== undefined) metadata['class_permissions'] = schema.classLevelPermissions;
  const indexes = Object.entries(schema.indexes ?? {}).filter(([name]) => name !== '_id_');
  if (indexes.length > 0) metadata['indexes'] = Object.fromEntries(indexes);
  if (Object.keys(fieldsOptions).length > 0) metadata['fields_options'] = fieldsOptions;
  if (Object.keys(metadata).length > 0) document['_metadata'] = metadata;
  return document;
}

function recordOf(raw: unknown): Readonly<Record<string, unknown>> | undefined {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
}

/** A `_SCHEMA` document as a ClassSchema, with the four default fields always present. */
export function decodeSchema(document: Readonly<Record<string, unknown>>): ClassSchema | undefined {
  const className = document['_id'];
  if (typeof className !== 'string') return undefined;
  const metadata = recordOf(document['_metadata']);
  const fieldsOptions = recordOf(metadata?.['fields_options']);
  const fields: Record<string, FieldDefinition> = { ...DEFAULT_FIELDS };
  for (const [name, raw] of Object.entries(document)) {
    if (name.startsWith('_') || name in DEFAULT_FIELDS) continue;
    const type = parseTypeString(raw);
    if (type === undefined) continue;
    const options = recordOf(fieldsOptions?.[name]);
    const definition: {
      -readonly [K in keyof FieldDefinition]: FieldDefinition[K];
    } = { ...type };
    if (typeof options?.['required'] === 'boolean') definition.required = options['required'];
    if (options !== undefined && 'defaultValue' in options)
      definition.defaultValue = decodeInterior(options['defaultValue']);
    fields[name] = definition as FieldDefinition;
  }
  const schema: { -readonly [K in keyof ClassSchema]: ClassSchema[K] } = {
    className,
    fields,
  };
  const permissions = recordOf(metadata?.['class_permissions']);
  if (permissions !== undefined) schema.classLevelPermissions = permissions as ClassLevelPermissions;
  const indexes = recordOf(metadata?.['indexes']);
  if (indexes !== undefined) schema.indexes = indexes as Readonly<Record<string, IndexSpec>>;
  return schema;
}
