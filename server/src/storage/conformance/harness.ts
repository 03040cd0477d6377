import { after, before } from 'node:test';
import { Pointer } from '../../schema/index.js';
import type { ACL, ClassSchema, FieldDefinition, ParseValue } from '../../schema/index.js';
import type { StorageAdapter, StoredObject } from '../adapter.js';

/** How the conformance suite gets a fresh, empty adapter and disposes of it. */
export interface StorageConformanceOptions {
  /** Shown in the test names, e.g. `sqlite` or `mongodb (FerretDB)`. */
  readonly name: string;
  /** A new adapter over empty storage; the suite calls `initialize()` itself. */
  readonly create: () => Promise<StorageAdapter>;
  /** Closes the adapter and removes its data. */
  readonly destroy: (adapter: StorageAdapter) => Promise<void>;
  /**
   * Features this backend (or the server it is tested against) cannot provide, each with the reason; their
   * tests are skipped and the reason printed. Example: FerretDB 1.x has no collations.
   */
  readonly unsupported?: Readonly<Partial<Record<ConformanceFeature, string>>>;
}

/**
 * Optional behaviours a test server may lack (the real production backends must support them):
 * `caseInsensitiveIndexes` (collations), `nestedArrays` (arrays inside arrays), `atomicConcurrentUpdates`
 * (concurrent `$inc`-style updates on one object all applied).
 */
export type ConformanceFeature =
  | 'caseInsensitiveIndexes'
  | 'nestedArrays'
  | 'atomicConcurrentUpdates'
  /** `$elemMatch` with operators applied to each array element (`$containedBy` needs `$elemMatch: {$nin}`). */
  | 'elemMatchOperators'
  /** `$nearSphere`, `$box`, `$polygon`, `$centerSphere`, `$geoIntersects` (and the geo indexes they need). */
  | 'geoQueries'
  /** `$text` full-text search with a text index and relevance scores. */
  | 'textSearch'
  // Aggregation (issue 3: aggregate and distinct).
  /** `$group` accumulators `$avg $min $max $first $last $push $addToSet`. */
  | 'aggregateAccumulators'
  /** `$sum` of a constant (`{"$sum": 1}`) inside `$group`. */
  | 'aggregateSumOfConstant'
  /** `$project` values computed from `"$path"` references. */
  | 'aggregateComputedProject'
  /** `$unwind` keeping the other fields of each document. */
  | 'aggregateUnwind'
  /** `$unwind` in its document form (`includeArrayIndex`, `preserveNullAndEmptyArrays`). */
  | 'aggregateUnwindOptions'
  /** The `$sample` stage. */
  | 'aggregateSample';

/** Skips the running test with a printed reason when `feature` is declared unsupported. */
export function skipUnsupported(
  options: StorageConformanceOptions,
  feature: ConformanceFeature,
  t: { skip: (message?: string) => void },
): boolean {
  const reason = options.unsupported?.[feature];
  if (reason === undefined) return false;
  console.log(`[${options.name}] skipping a ${feature} test: ${reason}`);
  t.skip(reason);
  return true;
}

/**
 * Registers before/after hooks in the current `describe` that create one initialized adapter for it and
 * destroy it afterwards; returns a getter for that adapter.
 */
export function useStorage(options: StorageConformanceOptions): () => StorageAdapter {
  let adapter: StorageAdapter | undefined;
  before(async () => {
    adapter = await options.create();
    await adapter.initialize();
  });
  after(async () => {
    if (adapter !== undefined) await options.destroy(adapter);
    adapter = undefined;
  });
  return () => {
    if (adapter === undefined) throw new Error('storage used outside its describe block');
    return adapter;
  };
}

export const DEFAULTS: Readonly<Record<string, FieldDefinition>> = {
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
};

/** A class schema with the default fields added. */
export function classSchema(
  className: string,
  fields: Readonly<Record<string, FieldDefinition>>,
  extra: Partial<ClassSchema> = {},
): ClassSchema {
  return { ...extra, className, fields: { ...DEFAULTS, ...fields } };
}

export const BASE_TIME = Date.parse('2024-03-01T12:00:00.000Z');

/** A stored object; `createdAt`/`updatedAt` default to BASE_TIME plus `offsetMs`. */
export function stored(
  objectId: string,
  fields: Record<string, ParseValue>,
  options: { ACL?: ACL; offsetMs?: number } = {},
): StoredObject {
  const at = new Date(BASE_TIME + (options.offsetMs ?? 0));
  const object: StoredObject = { objectId, createdAt: at, updatedAt: at, fields };
  if (options.ACL !== undefined) object.ACL = options.ACL;
  return object;
}

export function user(objectId: string): Pointer {
  return new Pointer('_User', objectId);
}

export function sortedIds(objects: readonly StoredObject[]): string[] {
  return objects.map((o) => o.objectId).sort();
}

export function orderedIds(objects: readonly StoredObject[]): string[] {
  return objects.map((o) => o.objectId);
}

/** Asserts a ParseError-like rejection with the given code (returns the error for further checks). */
export async function rejectsWithCode(promise: Promise<unknown>, code: number): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) throw new Error(`expected a ParseError ${code}, but the call succeeded`);
  const actual = caught !== null && typeof caught === 'object' && 'code' in caught ? caught.code : undefined;
  if (actual !== code) {
    throw new Error(
      `expected ParseError ${code}, got ${String(actual)}: ${caught instanceof Error ? caught.message : String(caught)}`,
      {
        cause: caught,
      },
    );
  }
}
