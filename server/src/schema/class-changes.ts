import { ErrorCode, ParseError } from '../errors/index.js';
import { validateClassLevelPermissions } from './clp.js';
import { sameFieldType } from './infer.js';
import { assertClassName, assertFieldName } from './names.js';
import { defaultFieldsOf, isDefaultField } from './system-classes.js';
import type { ClassLevelPermissions, ClassSchema, FieldDefinition, IndexSpec } from './types.js';
import { assertOneGeoPoint } from './validate.js';

/**
 * The `/schemas` write rules of spec/rest.md §14 as pure planning: given the current schema and a
 * typed request, check it and say what to change. The registry carries the plan out through the store.
 * Field definitions arrive already parsed (`rest-format.ts` checks types, target classes and defaults).
 */

/** The name MongoDB gives the index on `_id` (objectId), which every class has. */
export const ID_INDEX_NAME = '_id_';

/** `{"__op":"Delete"}` in a PUT's `fields` or `indexes`. */
export interface DeleteMarker {
  readonly __op: 'Delete';
}

export function isDeleteMarker(value: unknown): value is DeleteMarker {
  return typeof value === 'object' && value !== null && (value as { __op?: unknown }).__op === 'Delete';
}

/** `POST /schemas` */
export interface ClassCreateRequest {
  readonly className: string;
  readonly fields?: Readonly<Record<string, FieldDefinition>>;
  readonly classLevelPermissions?: ClassLevelPermissions;
  readonly indexes?: Readonly<Record<string, IndexSpec>>;
}

/** `PUT /schemas/:className` */
export interface ClassUpdateRequest {
  readonly className: string;
  readonly fields?: Readonly<Record<string, FieldDefinition | DeleteMarker>>;
  /** Replaces the stored CLP as a whole. */
  readonly classLevelPermissions?: ClassLevelPermissions;
  readonly indexes?: Readonly<Record<string, IndexSpec | DeleteMarker>>;
}

export interface ClassUpdatePlan {
  readonly deleteFields: readonly string[];
  readonly addFields: Readonly<Record<string, FieldDefinition>>;
  readonly classLevelPermissions?: ClassLevelPermissions;
  readonly dropIndexes: readonly string[];
  readonly createIndexes: Readonly<Record<string, IndexSpec>>;
  /** The schema once every change is applied. */
  readonly result: ClassSchema;
}

/**
 * Checks a class creation and returns the schema to store: the class's default fields first, then the
 * requested ones. `exists` says whether the class (stored or volatile) is already known.
 */
export function planCreate(options: { request: ClassCreateRequest; exists: boolean }): ClassSchema {
  const { request, exists } = options;
  const { className } = request;
  assertClassName(className);
  if (exists) throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${className} already exists.` });
  const requested = request.fields ?? {};
  for (const fieldName of Object.keys(requested)) {
    assertFieldName(fieldName, className);
    if (isDefaultField(className, fieldName)) throw cannotChange(fieldName);
  }
  const defaults = defaultFieldsOf(className);
  assertOneGeoPoint({ existing: defaults, added: requested });
  const fields = { ...defaults, ...requested };
  const schema: { -readonly [K in keyof ClassSchema]: ClassSchema[K] } = { className, fields };
  if (request.classLevelPermissions !== undefined) {
    schema.classLevelPermissions = validateClassLevelPermissions({
      classLevelPermissions: request.classLevelPermissions,
      fields,
    });
  }
  if (request.indexes !== undefined && Object.keys(request.indexes).length > 0) {
    const seen: Record<string, IndexSpec> = {};
    for (const [name, spec] of Object.entries(request.indexes)) {
      assertNotIdIndex(name);
      assertIndexFields({ name, spec, fields });
      assertNewKeys({ name, spec, indexes: seen });
      seen[name] = spec;
    }
    schema.indexes = request.indexes;
  }
  return schema;
}

/** Checks a `PUT /schemas/:className` against the current schema and returns what to change. */
export function planUpdate(options: { schema: ClassSchema; request: ClassUpdateRequest }): ClassUpdatePlan {
  const { schema, request } = options;
  const { className } = schema;
  const deleteFields: string[] = [];
  const addFields: Record<string, FieldDefinition> = {};
  for (const [fieldName, change] of Object.entries(request.fields ?? {})) {
    const existing = Object.hasOwn(schema.fields, fieldName) ? schema.fields[fieldName] : undefined;
    if (isDeleteMarker(change)) {
      if (existing === undefined) {
        throw new ParseError(ErrorCode.INVALID_SCHEMA_OPERATION, {
          message: `Field ${fieldName} does not exist, cannot delete.`,
        });
      }
      if (isDefaultField(className, fieldName)) throw cannotChange(fieldName);
      deleteFields.push(fieldName);
      continue;
    }
    if (existing !== undefined) {
      if (!sameFieldType(existing, change)) {
        throw new ParseError(ErrorCode.INVALID_SCHEMA_OPERATION, {
          message: `Field ${fieldName} exists, cannot update.`,
        });
      }
      continue;
    }
    assertFieldName(fieldName, className);
    addFields[fieldName] = change;
  }

  const fields: Record<string, FieldDefinition> = {};
  for (const [fieldName, definition] of Object.entries(schema.fields)) {
    if (!deleteFields.includes(fieldName)) fields[fieldName] = definition;
  }
  assertOneGeoPoint({ existing: fields, added: addFields });
  Object.assign(fields, addFields);

  const result: { -readonly [K in keyof ClassSchema]: ClassSchema[K] } = { className, fields };
  let classLevelPermissions: ClassLevelPermissions | undefined;
  if (request.classLevelPermissions !== undefined) {
    classLevelPermissions = validateClassLevelPermissions({
      classLevelPermissions: request.classLevelPermissions,
      fields,
    });
    result.classLevelPermissions = classLevelPermissions;
  } else if (schema.classLevelPermissions !== undefined) {
    result.classLevelPermissions = schema.classLevelPermissions;
  }

  const indexes: Record<string, IndexSpec> = { ...schema.indexes };
  const dropIndexes: string[] = [];
  const createIndexes: Record<string, IndexSpec> = {};
  for (const [name, change] of Object.entries(request.indexes ?? {})) {
    assertNotIdIndex(name);
    if (isDeleteMarker(change)) {
      if (!Object.hasOwn(indexes, name)) {
        throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Index ${name} does not exist, cannot delete.` });
      }
      delete indexes[name];
      dropIndexes.push(name);
      continue;
    }
    if (Object.hasOwn(indexes, name)) {
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Index ${name} exists, cannot update.` });
    }
    assertIndexFields({ name, spec: change, fields });
    assertNewKeys({ name, spec: change, indexes });
    indexes[name] = change;
    createIndexes[name] = change;
  }
  if (Object.keys(indexes).length > 0 || schema.indexes !== undefined) result.indexes = indexes;

  const plan: ClassUpdatePlan = { deleteFields, addFields, dropIndexes, createIndexes, result };
  return classLevelPermissions === undefined ? plan : { ...plan, classLevelPermissions };
}

/** The `_id_` index on objectId (listed by `GET /schemas`, as parse-server does) belongs to the database. */
function assertNotIdIndex(name: string): void {
  if (name === ID_INDEX_NAME) {
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message: `Index ${name} is the objectId index; it cannot be changed.`,
    });
  }
}

/**
 * Two indexes with the same keys in the same order: MongoDB refuses the second, SQLite would build a useless
 * copy. Refused the same way on every backend (102), before anything is built.
 */
function assertNewKeys(options: { name: string; spec: IndexSpec; indexes: Readonly<Record<string, IndexSpec>> }): void {
  const keys = JSON.stringify(Object.entries(options.spec));
  for (const [other, spec] of Object.entries(options.indexes)) {
    if (JSON.stringify(Object.entries(spec)) === keys) {
      throw new ParseError(ErrorCode.INVALID_QUERY, {
        message: `Index ${options.name} has the same keys as index ${other}.`,
      });
    }
  }
}

/** Index keys must name existing fields; a pointer field may be named by its storage key `_p_<field>`. */
function assertIndexFields(options: {
  name: string;
  spec: IndexSpec;
  fields: Readonly<Record<string, FieldDefinition>>;
}): void {
  const { spec, fields } = options;
  for (const key of Object.keys(spec)) {
    const fieldName = key.startsWith('_p_') ? key.slice(3) : key;
    if (!Object.hasOwn(fields, fieldName)) {
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Field ${key} does not exist, cannot add index.` });
    }
  }
}

function cannotChange(fieldName: string): ParseError {
  return new ParseError(ErrorCode.CHANGED_IMMUTABLE_FIELD, { message: `Field ${fieldName} cannot be changed.` });
}
