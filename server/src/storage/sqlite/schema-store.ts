/**
 * The SQLite storage's schema side (`SchemaStore`): the `_SCHEMA` rows and the DDL that follows them (tables,
 * columns, indexes, join tables), each change in one atomic step. `sqlite-storage.ts` runs these on its
 * connection through its gate, like every other operation.
 */
import { ErrorCode, ParseError } from '../../errors/index.js';
import type {
  ClassLevelPermissions,
  ClassSchema,
  FieldDefinition,
  IndexOptions,
  IndexSpec,
} from '../../schema/index.js';
import type { SqliteDriver } from './driver.js';
import { classTableSqlName, joinTableSqlName } from './names.js';
import {
  createSchemaTable,
  createTableIndex,
  deleteSchemaRow,
  dropField,
  dropTable,
  dropTableIndex,
  ensureTable,
  readSchema,
  schemaFromText,
  SCHEMA_TABLE,
  writeSchema,
} from './schema-ddl.js';
import type { SqliteState } from './state.js';
import { DEFAULT_CLASSES, DEFAULT_FIELDS, STANDARD_INDEXES } from './system-defaults.js';
import { TableLayout } from './table-layout.js';

function sameType(a: FieldDefinition, b: FieldDefinition): boolean {
  if (a.type !== b.type) return false;
  if ((a.type === 'Pointer' || a.type === 'Relation') && (b.type === 'Pointer' || b.type === 'Relation')) {
    return a.targetClass === b.targetClass;
  }
  return true;
}

function typeName(definition: FieldDefinition): string {
  return definition.type === 'Pointer' || definition.type === 'Relation'
    ? `${definition.type}<${definition.targetClass}>`
    : definition.type;
}

/** True when an index key refers to the field (`field` or `field.sub`). */
function indexUsesField(spec: IndexSpec, field: string): boolean {
  return Object.keys(spec).some((key) => key === field || key.startsWith(`${field}.`));
}

export function initializeTables(state: SqliteState): void {
  const { driver } = state;
  createSchemaTable(driver);
  driver.atomic(() => {
    for (const schema of DEFAULT_CLASSES) {
      const stored = readSchema(driver, schema.className) ?? schema;
      if (stored === schema) writeSchema(driver, schema);
      const layout = state.layout(stored);
      ensureTable(driver, layout);
      for (const index of STANDARD_INDEXES.filter((i) => i.className === schema.className)) {
        createTableIndex(driver, { layout, name: index.name, spec: index.spec, options: index.options });
      }
    }
  });
}

export function loadSchemas(driver: SqliteDriver): ClassSchema[] {
  if (driver.tableColumns('_SCHEMA') === undefined) return [];
  return driver
    .all(`SELECT "className", "schema" FROM ${SCHEMA_TABLE} ORDER BY "className"`)
    .map((row) => schemaFromText(String(row['className']), row['schema']));
}

export function createClass(state: SqliteState, schema: ClassSchema): void {
  const { driver } = state;
  createSchemaTable(driver);
  driver.atomic(() => {
    if (readSchema(driver, schema.className) !== undefined) {
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${schema.className} already exists.` });
    }
    writeSchema(driver, schema);
    const layout = state.layout(schema);
    ensureTable(driver, layout);
    for (const [name, spec] of Object.entries(schema.indexes ?? {})) createTableIndex(driver, { layout, name, spec });
  });
}

export function addFields(
  state: SqliteState,
  options: { className: string; fields: Readonly<Record<string, FieldDefinition>> },
): void {
  const { driver } = state;
  createSchemaTable(driver);
  driver.atomic(() => {
    const stored = readSchema(driver, options.className);
    const current = stored ?? { className: options.className, fields: DEFAULT_FIELDS };
    const fields: Record<string, FieldDefinition> = { ...current.fields };
    let changed = stored === undefined;
    for (const [name, definition] of Object.entries(options.fields)) {
      const existing = fields[name];
      if (existing === undefined) {
        fields[name] = definition;
        changed = true;
      } else if (!sameType(existing, definition)) {
        throw new ParseError(ErrorCode.INCORRECT_TYPE, {
          message: `schema mismatch for ${options.className}.${name}; expected ${typeName(existing)} but got ${typeName(definition)}`,
        });
      }
    }
    const next: ClassSchema = { ...current, fields };
    if (changed) writeSchema(driver, next);
    ensureTable(driver, state.layout(next));
  });
}

export function deleteFields(
  driver: SqliteDriver,
  options: { schema: ClassSchema; fieldNames: readonly string[] },
): void {
  driver.atomic(() => {
    const stored = readSchema(driver, options.schema.className);
    const merged: ClassSchema = { ...options.schema, fields: { ...stored?.fields, ...options.schema.fields } };
    const layout = new TableLayout(merged);
    for (const field of options.fieldNames) dropField(driver, layout, field);
    if (stored === undefined) return;
    const fields = { ...stored.fields };
    const indexes = { ...stored.indexes };
    for (const field of options.fieldNames) {
      delete fields[field];
      for (const [name, spec] of Object.entries(indexes)) if (indexUsesField(spec, field)) delete indexes[name];
    }
    writeSchema(driver, { ...stored, fields, ...(stored.indexes === undefined ? {} : { indexes }) });
  });
}

export function setClassLevelPermissions(
  driver: SqliteDriver,
  options: { className: string; classLevelPermissions: ClassLevelPermissions },
): void {
  driver.atomic(() => {
    const stored = driver.tableColumns('_SCHEMA') === undefined ? undefined : readSchema(driver, options.className);
    if (stored === undefined) {
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${options.className} does not exist.` });
    }
    writeSchema(driver, { ...stored, classLevelPermissions: options.classLevelPermissions });
  });
}

export function createIndex(
  state: SqliteState,
  options: { schema: ClassSchema; name: string; spec: IndexSpec; options?: IndexOptions },
): void {
  const { driver } = state;
  driver.atomic(() => {
    const layout = state.layout(options.schema);
    state.ready(layout, { create: true });
    createTableIndex(driver, {
      layout,
      name: options.name,
      spec: options.spec,
      ...(options.options ? { options: options.options } : {}),
    });
    const stored =
      driver.tableColumns('_SCHEMA') === undefined ? undefined : readSchema(driver, options.schema.className);
    if (stored !== undefined)
      writeSchema(driver, { ...stored, indexes: { ...stored.indexes, [options.name]: options.spec } });
  });
}

export function dropIndex(driver: SqliteDriver, options: { className: string; name: string }): void {
  driver.atomic(() => {
    dropTableIndex(driver, options.className, options.name);
    const stored = driver.tableColumns('_SCHEMA') === undefined ? undefined : readSchema(driver, options.className);
    if (stored?.indexes !== undefined && Object.hasOwn(stored.indexes, options.name)) {
      const indexes = { ...stored.indexes };
      delete indexes[options.name];
      writeSchema(driver, { ...stored, indexes });
    }
  });
}

export function deleteClass(driver: SqliteDriver, options: { schema: ClassSchema }): void {
  driver.atomic(() => {
    const { className } = options.schema;
    const stored = driver.tableColumns('_SCHEMA') === undefined ? undefined : readSchema(driver, className);
    const fields = { ...stored?.fields, ...options.schema.fields };
    for (const [field, definition] of Object.entries(fields)) {
      if (definition.type === 'Relation') dropTable(driver, joinTableSqlName(className, field));
    }
    dropTable(driver, classTableSqlName(className));
    if (stored !== undefined) deleteSchemaRow(driver, className);
  });
}
