import assert from 'node:assert/strict';
import { ErrorCode, ParseError } from '../errors/index.js';
import { SchemaRegistry } from './registry.js';
import type { IndexOptions, SchemaStore } from './schema-store.js';
import type { ClassLevelPermissions, ClassSchema, FieldDefinition, IndexSpec } from './types.js';
/**
 * An in-memory SchemaStore that keeps the interface's promises (103 on an existing class, 111 when a
 * field exists with another type, class created by addFields when missing). The schema layer may not
 * import storage, so the real SQLite and MongoDB stores are covered by the storage conformance suite.
 * Several registries sharing one store play several app servers sharing one database.
 */
export class MemorySchemaStore implements SchemaStore {
  classes = new Map<string, ClassSchema>();
  readonly calls: string[] = [];
  /** While set, loadSchemas waits for it (to hold a load in flight). */
  gate: Promise<void> | undefined;
  failNextLoad = false;

  async loadSchemas(): Promise<ClassSchema[]> {
    this.calls.push('loadSchemas');
    if (this.gate !== undefined) await this.gate;
    if (this.failNextLoad) {
      this.failNextLoad = false;
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'Database error' });
    }
    return [...this.classes.values()].map((schema) => structuredClone(schema));
  }

  async createClass(schema: ClassSchema): Promise<void> {
    this.calls.push(`createClass ${schema.className}`);
    await Promise.resolve();
    if (this.classes.has(schema.className)) {
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${schema.className} already exists.` });
    }
    this.classes.set(schema.className, structuredClone(schema));
  }

  async addFields(options: { className: string; fields: Readonly<Record<string, FieldDefinition>> }): Promise<void> {
    this.calls.push(`addFields ${options.className} ${Object.keys(options.fields).join(',')}`);
    await Promise.resolve();
    const current = this.classes.get(options.className) ?? { className: options.className, fields: {} };
    const fields = { ...current.fields };
    for (const [name, definition] of Object.entries(options.fields)) {
      const existing = fields[name];
      if (existing !== undefined) {
        const sameTarget =
          !('targetClass' in existing) ||
          !('targetClass' in definition) ||
          existing.targetClass === definition.targetClass;
        if (existing.type !== definition.type || !sameTarget) {
          throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: `Field ${name} already has another type.` });
        }
        continue;
      }
      fields[name] = definition;
    }
    this.classes.set(options.className, { ...current, fields });
  }

  async deleteFields(options: { schema: ClassSchema; fieldNames: readonly string[] }): Promise<void> {
    this.calls.push(`deleteFields ${options.schema.className} ${options.fieldNames.join(',')}`);
    const current = this.#mustGet(options.schema.className);
    const fields = { ...current.fields };
    for (const name of options.fieldNames) delete fields[name];
    this.classes.set(current.className, { ...current, fields });
  }

  async setClassLevelPermissions(options: {
    className: string;
    classLevelPermissions: ClassLevelPermissions;
  }): Promise<void> {
    this.calls.push(`setClassLevelPermissions ${options.className}`);
    const current = this.#mustGet(options.className);
    this.classes.set(current.className, { ...current, classLevelPermissions: options.classLevelPermissions });
  }

  async createIndex(options: {
    schema: ClassSchema;
    name: string;
    spec: IndexSpec;
    options?: IndexOptions;
  }): Promise<void> {
    this.calls.push(`createIndex ${options.schema.className} ${options.name}`);
    const current = this.#mustGet(options.schema.className);
    this.classes.set(current.className, { ...current, indexes: { ...current.indexes, [options.name]: options.spec } });
  }

  async dropIndex(options: { className: string; name: string }): Promise<void> {
    this.calls.push(`dropIndex ${options.className} ${options.name}`);
    const current = this.#mustGet(options.className);
    const indexes = { ...current.indexes };
    delete indexes[options.name];
    this.classes.set(current.className, { ...current, indexes });
  }

  async deleteClass(options: { schema: ClassSchema }): Promise<void> {
    this.calls.push(`deleteClass ${options.schema.className}`);
    this.classes.delete(options.schema.className);
  }

  #mustGet(className: string): ClassSchema {
    const schema = this.classes.get(className);
    if (schema === undefined)
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${className} does not exist.` });
    return schema;
  }
}

export const DEFAULTS = {
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
} as const;

export function setup(): { store: MemorySchemaStore; registry: SchemaRegistry; changes: string[] } {
  const store = new MemorySchemaStore();
  const changes: string[] = [];
  const registry = new SchemaRegistry({ store, onChange: (className) => changes.push(className) });
  return { store, registry, changes };
}

export async function rejects(promise: Promise<unknown>, code: number, message?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ParseError, String(err));
    assert.equal(err.code, code);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}
