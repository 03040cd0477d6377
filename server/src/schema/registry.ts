import { ErrorCode, ParseError } from '../errors/index.js';
import { planCreate, planUpdate } from './class-changes.js';
import type { ClassCreateRequest, ClassUpdateRequest } from './class-changes.js';
import { sameFieldType } from './infer.js';
import type { SchemaStore } from './schema-store.js';
import { defaultFieldsOf, isVolatileClass, VOLATILE_CLASSES } from './system-classes.js';
import type { ClassSchema, FieldDefinition, FieldType } from './types.js';
import { fieldsToAdd } from './validate.js';

export interface SchemaRegistryOptions {
  readonly store: SchemaStore;
  /** Called after each of this registry's own schema writes, so other servers can be told to invalidate. */
  readonly onChange?: (className: string) => void;
  /**
   * Most fields one class may have, its default fields included. A write or schema change that would add
   * fields past it is refused with 255 and changes nothing; a class already over it stays usable. Unset:
   * no limit (the store's own limits apply).
   */
  readonly maxFields?: number;
  /**
   * Set when other servers write schemas to the same store (they announce it over pub/sub, which can lag the
   * client): a class missing from the cache is then looked for once in the store before it is called missing,
   * so a class created through one server is usable through another at once (a client behind a round-robin
   * gateway). Bounded: per class at most once per `MISS_RELOAD_PER_CLASS_MS`, and one such reload at a time.
   */
  readonly reloadOnMiss?: boolean;
}

/** How soon the same missing class may cause another reload (`reloadOnMiss`). */
const MISS_RELOAD_PER_CLASS_MS = 1000;
/** Missing class names remembered for that limit; past it the memory starts over. */
const MAX_MISSES_REMEMBERED = 1000;

/** A registry for the work of one storage transaction (see `SchemaRegistry.forTransaction`). */
export interface TransactionSchemas {
  readonly registry: SchemaRegistry;
  /** Call once the transaction has ended, committed or not. */
  settle(): void;
}

/** One loaded snapshot: each known class with a settled promise of it, so `get` allocates nothing. */
interface Cache {
  readonly entries: Map<string, { readonly schema: ClassSchema; readonly promise: Promise<ClassSchema> }>;
  all: Promise<readonly ClassSchema[]>;
}

const NOT_FOUND: Promise<undefined> = Promise.resolve(undefined);

/**
 * The cached view of every class schema, and the only way schemas change. Loads all schemas once from
 * the store, merges them with the system classes' definitions, and keeps them until `invalidate()`.
 * Writes are serialized per class within this process; across servers the store's conflict (111/103)
 * makes a write reload once and re-check.
 *
 * @example
 * const schemas = new SchemaRegistry({ store: storage.schemaStore, onChange: (c) => pubsub.publish(c) });
 * const post = await schemas.ensureFields({ className: 'Post', fields: { title: { type: 'String' } } });
 */
export class SchemaRegistry {
  readonly #store: SchemaStore;
  readonly #onChange: ((className: string) => void) | undefined;
  readonly #maxFields: number | undefined;
  readonly #reloadOnMiss: boolean;
  /** When each missing class last caused a reload (`reloadOnMiss`). */
  readonly #missReloads = new Map<string, number>();
  /** The reload a miss started, which later misses join instead of starting another. */
  #missReload: Promise<Cache> | undefined;
  #cache: Cache | undefined;
  #loading: Promise<Cache> | undefined;
  /** Bumped by `invalidate()` so a load that started before it does not install stale data. */
  #generation = 0;
  readonly #locks = new Map<string, Promise<void>>();

  constructor(options: SchemaRegistryOptions) {
    this.#store = options.store;
    this.#onChange = options.onChange;
    this.#maxFields = options.maxFields;
    this.#reloadOnMiss = options.reloadOnMiss === true;
  }

  /**
   * A registry for work inside a storage transaction, writing through `store` (the transaction's). It starts
   * from this registry's loaded snapshot, or loads through `store`, and shares no lock and no load in flight
   * with this registry: those may belong to requests waiting for the transaction to end, so waiting on them
   * from inside it would never end. Once the transaction is over (`settle`), a registry that changed a class
   * drops this registry's cache and announces the classes: committed, the changes are real; rolled back, a
   * reload forgets them (MongoDB keeps schema changes either way, as parse-server does).
   */
  forTransaction(store: SchemaStore): TransactionSchemas {
    const changed = new Set<string>();
    const registry = new SchemaRegistry({
      store,
      onChange: (className) => changed.add(className),
      ...(this.#maxFields === undefined ? {} : { maxFields: this.#maxFields }),
    });
    const cache = this.#cache;
    if (cache !== undefined) registry.#cache = { entries: new Map(cache.entries), all: cache.all };
    return {
      registry,
      settle: () => {
        if (changed.size === 0) return;
        this.invalidate();
        for (const className of changed) this.#onChange?.(className);
      },
    };
  }

  /**
   * The schema of a class, or `undefined` when it does not exist. Volatile classes always exist with
   * their hard-coded definition. After the first load this returns a cached, already-settled promise.
   */
  get(className: string): Promise<ClassSchema | undefined> {
    const cache = this.#cache;
    if (cache !== undefined) return cache.entries.get(className)?.promise ?? this.#afterMiss(className);
    return this.#load().then((loaded) => loaded.entries.get(className)?.schema);
  }

  /** A class missing from the loaded cache: missing, or (`reloadOnMiss`) looked for once more in the store. */
  #afterMiss(className: string): Promise<ClassSchema | undefined> {
    if (!this.#reloadOnMiss) return NOT_FOUND;
    const found = (loaded: Cache): ClassSchema | undefined => loaded.entries.get(className)?.schema;
    // Every miss joins a reload in flight, whatever its class: misses then go on in the order they came. (Were a
    // later miss answered at once, two concurrent first writes of a new class could swap, and the later one's
    // field types would win: a batch's second item over its first.)
    if (this.#missReload !== undefined) return this.#missReload.then(found);
    const now = Date.now();
    const last = this.#missReloads.get(className);
    if (last !== undefined && now - last < MISS_RELOAD_PER_CLASS_MS) return NOT_FOUND;
    if (this.#missReloads.size >= MAX_MISSES_REMEMBERED) this.#missReloads.clear();
    this.#missReloads.set(className, now);
    const reload = this.#loadAndInstall();
    this.#missReload = reload;
    const clear = (): void => {
      if (this.#missReload === reload) this.#missReload = undefined;
    };
    reload.then(clear, clear);
    return reload.then(found);
  }

  /** Every stored class (volatile classes are not listed), in store order. */
  getAll(): Promise<readonly ClassSchema[]> {
    const cache = this.#cache;
    if (cache !== undefined) return cache.all;
    return this.#load().then((loaded) => loaded.all);
  }

  /**
   * A synchronous look-up of stored classes (volatile classes excluded, as in `getAll`) over the current
   * cache, for code that must resolve class names synchronously (the where-parser's sub-queries).
   */
  async lookup(): Promise<(className: string) => ClassSchema | undefined> {
    const { entries } = this.#cache ?? (await this.#load());
    return (className) => (isVolatileClass(className) ? undefined : entries.get(className)?.schema);
  }

  /**
   * Drops the cache; the next read reloads every schema from the store. Pub/sub calls this when another
   * server changed a schema. The store only loads everything at once, so `className` does not narrow it.
   */
  invalidate(className?: string): void {
    void className;
    this.#cache = undefined;
    this.#dropLoadInFlight();
  }

  /**
   * The write path: makes sure the class exists and has every field of `fields` (types core inferred
   * from the write), adding what is missing. Throws 105/111 as `fieldsToAdd` does. Returns the schema to
   * write with. Volatile classes are checked against their definition but never stored.
   */
  async ensureFields(options: {
    className: string;
    fields: Readonly<Record<string, FieldType>>;
  }): Promise<ClassSchema> {
    const { className, fields } = options;
    const current = await this.get(className);
    // Lock-free fast path: nothing new (and a wrong type throws 111 right here).
    if (current !== undefined && Object.keys(fieldsToAdd({ className, schema: current, fields })).length === 0) {
      return current;
    }
    return this.#exclusive(className, () => this.#ensureFieldsLocked({ className, fields }));
  }

  async #ensureFieldsLocked(options: {
    className: string;
    fields: Readonly<Record<string, FieldType>>;
  }): Promise<ClassSchema> {
    const { className, fields } = options;
    for (let attempt = 0; ; attempt += 1) {
      const schema = await this.get(className);
      const added = fieldsToAdd({ className, schema, fields });
      if (schema !== undefined && (Object.keys(added).length === 0 || isVolatileClass(className))) return schema;
      const result: ClassSchema =
        schema === undefined
          ? { className, fields: { ...defaultFieldsOf(className), ...added } }
          : { ...schema, fields: { ...schema.fields, ...added } };
      this.#assertFieldLimit(result, Object.keys(added).length);
      try {
        if (schema === undefined) await this.#store.createClass(result);
        else await this.#store.addFields({ className, fields: added });
      } catch (err) {
        // Another server changed this class since we loaded it: reload once and decide again.
        if (attempt === 0 && isConflict(err)) {
          this.invalidate();
          continue;
        }
        throw err;
      }
      return this.#written(result);
    }
  }

  /** `POST /schemas`: creates a class with its default fields, the given fields, CLP and indexes. */
  async createClass(request: ClassCreateRequest): Promise<ClassSchema> {
    return this.#exclusive(request.className, async () => {
      const existing = await this.get(request.className);
      const planned = planCreate({ request, exists: existing !== undefined });
      this.#assertFieldLimit(planned, Object.keys(request.fields ?? {}).length);
      const { indexes, ...withoutIndexes } = planned;
      await this.#store.createClass(withoutIndexes);
      for (const [name, spec] of Object.entries(indexes ?? {})) {
        await this.#store.createIndex({ schema: withoutIndexes, name, spec });
      }
      return this.#written(planned);
    });
  }

  /** `PUT /schemas/:className`: adds and deletes fields, replaces the CLP, adds and drops indexes. */
  async updateClass(request: ClassUpdateRequest): Promise<ClassSchema> {
    const { className } = request;
    return this.#exclusive(className, async () => {
      const schema = await this.#existing(className);
      const plan = planUpdate({ schema, request });
      this.#assertFieldLimit(plan.result, Object.keys(plan.addFields).length);
      if (plan.deleteFields.length > 0) await this.#store.deleteFields({ schema, fieldNames: plan.deleteFields });
      if (Object.keys(plan.addFields).length > 0) await this.#store.addFields({ className, fields: plan.addFields });
      if (plan.classLevelPermissions !== undefined) {
        await this.#store.setClassLevelPermissions({ className, classLevelPermissions: plan.classLevelPermissions });
      }
      for (const name of plan.dropIndexes) await this.#store.dropIndex({ className, name });
      for (const [name, spec] of Object.entries(plan.createIndexes)) {
        await this.#store.createIndex({ schema: plan.result, name, spec });
      }
      return this.#written(plan.result);
    });
  }

  /** `DELETE /schemas/:className`: drops the class. The caller has checked that it holds no objects. */
  async deleteClass(className: string): Promise<void> {
    await this.#exclusive(className, async () => {
      const schema = await this.#existing(className);
      await this.#store.deleteClass({ schema });
      const cache = this.#cache;
      if (cache !== undefined) {
        cache.entries.delete(className);
        cache.all = settledList(cache);
      } else {
        this.#dropLoadInFlight();
      }
      this.#onChange?.(className);
    });
  }

  /**
   * 255 when a change adding `added` fields leaves `schema` with more fields than `maxFields`. A change that
   * adds nothing passes, so a class over the limit (the limit was lowered) can still be written and shrunk.
   */
  #assertFieldLimit(schema: ClassSchema, added: number): void {
    const max = this.#maxFields;
    if (max === undefined || added === 0) return;
    const total = Object.keys(schema.fields).length;
    if (total <= max) return;
    throw new ParseError(ErrorCode.INVALID_SCHEMA_OPERATION, {
      message:
        `Class ${schema.className} cannot have more than ${max} fields: adding ${added} would make ${total}. ` +
        'Store many values in an Object field instead.',
    });
  }

  /** A stored (non-volatile) class's schema, or 103 "Class X does not exist." */
  async #existing(className: string): Promise<ClassSchema> {
    const schema = await this.get(className);
    if (schema === undefined || isVolatileClass(className)) {
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${className} does not exist.` });
    }
    return schema;
  }

  /** Records a schema this registry just wrote and tells other servers. */
  #written(schema: ClassSchema): ClassSchema {
    const merged = withSystemFields(schema);
    const cache = this.#cache;
    if (cache !== undefined) {
      cache.entries.set(merged.className, { schema: merged, promise: Promise.resolve(merged) });
      cache.all = settledList(cache);
    } else {
      this.#dropLoadInFlight();
    }
    this.#onChange?.(merged.className);
    return merged;
  }

  /** A load that started before one of our writes may have missed it: let it serve its callers only. */
  #dropLoadInFlight(): void {
    this.#generation += 1;
    this.#loading = undefined;
  }

  #load(): Promise<Cache> {
    if (this.#loading !== undefined) return this.#loading;
    const loading = this.#loadAndInstall();
    this.#loading = loading;
    // A failed load is not cached: the next read tries again.
    const clear = (): void => {
      if (this.#loading === loading) this.#loading = undefined;
    };
    loading.then(clear, clear);
    return loading;
  }

  /**
   * Reads every schema from the store and caches the result, unless a schema write here (or `invalidate()`)
   * happened meanwhile: what was read may miss it, so it serves only this load's callers.
   */
  #loadAndInstall(): Promise<Cache> {
    const generation = this.#generation;
    return this.#store.loadSchemas().then((stored) => {
      const cache = buildCache(stored);
      if (this.#generation === generation) this.#cache = cache;
      return cache;
    });
  }

  /** Runs `task` after every earlier schema write to the same class in this process has finished. */
  async #exclusive<T>(className: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(className);
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous === undefined ? done : previous.then(() => done);
    this.#locks.set(className, tail);
    try {
      if (previous !== undefined) await previous;
      return await task();
    } finally {
      release();
      if (this.#locks.get(className) === tail) this.#locks.delete(className);
    }
  }
}

function isConflict(err: unknown): boolean {
  return (
    err instanceof ParseError && (err.code === ErrorCode.INCORRECT_TYPE || err.code === ErrorCode.INVALID_CLASS_NAME)
  );
}

function buildCache(stored: readonly ClassSchema[]): Cache {
  const entries: Cache['entries'] = new Map();
  for (const schema of stored) {
    if (isVolatileClass(schema.className)) continue;
    const merged = withSystemFields(schema);
    entries.set(schema.className, { schema: merged, promise: Promise.resolve(merged) });
  }
  const cache: Cache = { entries, all: Promise.resolve([]) };
  cache.all = settledList(cache);
  for (const className of VOLATILE_CLASSES) {
    const schema: ClassSchema = Object.freeze({ className, fields: defaultFieldsOf(className) });
    entries.set(className, { schema, promise: Promise.resolve(schema) });
  }
  return cache;
}

function settledList(cache: Cache): Promise<readonly ClassSchema[]> {
  const list: ClassSchema[] = [];
  for (const [className, entry] of cache.entries) {
    if (!isVolatileClass(className)) list.push(entry.schema);
  }
  return Promise.resolve(Object.freeze(list));
}

/**
 * The class's default fields come first and always carry their built-in type (a stored `_User` may
 * lack `password`, and Parse.com wrote `"string"` for the timestamps); stored options on them are kept
 * when the type agrees. Then the stored fields, in stored order.
 */
function withSystemFields(schema: ClassSchema): ClassSchema {
  const fields: Record<string, FieldDefinition> = {};
  for (const [fieldName, builtIn] of Object.entries(defaultFieldsOf(schema.className))) {
    const stored = Object.hasOwn(schema.fields, fieldName) ? schema.fields[fieldName] : undefined;
    fields[fieldName] = stored !== undefined && sameFieldType(stored, builtIn) ? stored : builtIn;
  }
  for (const [fieldName, definition] of Object.entries(schema.fields)) {
    if (!Object.hasOwn(fields, fieldName)) fields[fieldName] = definition;
  }
  return Object.freeze({ ...schema, fields: Object.freeze(fields) });
}
