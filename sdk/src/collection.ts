import type { BatchOp } from './batch.js';
import { decode, decodeRecord, encode } from './codec.js';
import { isOp } from './ops.js';
import type { CreateInput, Patch } from './ops.js';
import { Query, classPath } from './query.js';
import type { FieldPath, WhereClause } from './query.js';
import { call } from './transport.js';
import type { CallOptions, TransportContext } from './transport.js';
import type { Pointer, Stored } from './types.js';

/**
 * Typed create/get/update/delete and queries for one class over `/classes/<name>`. Records are plain
 * objects: what `create` and `get` return is `{ objectId, createdAt, updatedAt, ...fields }`.
 */

type Json = Record<string, unknown>;

/** What `update` returns: the new `updatedAt` and the fields as the server now has them. */
export type Updated<T> = Partial<T> & { readonly objectId: string; readonly updatedAt: Date };

export interface GetOptions<T> extends CallOptions {
  /** Pointer fields to replace with the objects they point to. */
  readonly include?: ReadonlyArray<FieldPath<T> | '*'>;
}

export interface Collection<T> {
  readonly className: string;
  /**
   * Creates an object and returns it as stored: your fields, with operations replaced by their results,
   * plus `objectId`, `createdAt` and `updatedAt`.
   */
  create(fields: CreateInput<T>, options?: CallOptions): Promise<Stored<T>>;
  /** Fetches one object; rejects with `ErrorCodes.OBJECT_NOT_FOUND` (101) when missing or not readable. */
  get(objectId: string, options?: GetOptions<T>): Promise<Stored<T>>;
  /** Changes some fields (values or operations such as `increment()`); returns the new values. */
  update(objectId: string, patch: Patch<T>, options?: CallOptions): Promise<Updated<T>>;
  delete(objectId: string, options?: CallOptions): Promise<void>;
  /** An empty query on this class. */
  query(): Query<T>;
  /** A query with these constraints: `todos.where({ done: false })`. */
  where(clause: WhereClause<T>): Query<T>;
  /** A pointer to one object of this class, for pointer fields and relation operations. */
  pointer(objectId: string): Pointer<T>;
  /** Operations for `client.batch([...])`. */
  readonly batch: {
    create(fields: CreateInput<T>): BatchOp<Stored<T>>;
    update(objectId: string, patch: Patch<T>): BatchOp<Updated<T>>;
    delete(objectId: string): BatchOp<void>;
  };
}

/**
 * The record a write produced: the fields sent, where each operation is replaced by the result the
 * server echoed (`increment` → the new number), unset fields removed, relation operations turned into the
 * relation, and the server's fields (objectId, dates, defaults, trigger changes) on top.
 */
export function mergeWrite(options: { sent: Json; response: Json }): Json {
  const { sent, response } = options;
  const out: Json = {};
  for (const [key, value] of Object.entries(sent)) {
    // (`__proto__` is never a field: the server refuses it, and assigning it here would swap a prototype.)
    if (key in response || key === '__proto__') continue;
    // Normalised as if read back: builders become plain maps, included objects pointers.
    if (!isOp(value)) out[key] = decode(encode(value));
    else if (value.__op === 'AddRelation' || value.__op === 'RemoveRelation') {
      const target = (value as unknown as { objects: Pointer[] }).objects[0]?.className;
      if (target !== undefined) out[key] = { __type: 'Relation', className: target };
    }
  }
  for (const [key, value] of Object.entries(decodeRecord<Json>(response))) {
    if ((isOp(value) && value.__op === 'Delete') || key === '__proto__') continue;
    out[key] = value;
  }
  return out;
}

/** Creates the typed accessor for `className` (use `client.collection`). */
export function createCollection<T>(transport: TransportContext, className: string): Collection<T> {
  const created = (sent: Json, response: unknown): Stored<T> => {
    const merged = mergeWrite({ sent, response: response as Json });
    return { updatedAt: merged['createdAt'], ...merged } as Stored<T>;
  };
  const updated = (objectId: string, sent: Json, response: unknown): Updated<T> =>
    ({ objectId, ...mergeWrite({ sent, response: response as Json }) }) as Updated<T>;
  return {
    className,
    create: async (fields, options = {}) => {
      const body = encode(fields);
      return created(
        fields as Json,
        await call(transport, { ...options, method: 'POST', path: classPath(className), body }),
      );
    },
    get: (objectId, options = {}) => {
      const { include, ...callOptions } = options;
      return new Query<T>({ transport, className }).include(...(include ?? [])).get(objectId, callOptions);
    },
    update: async (objectId, patch, options = {}) => {
      const response = await call(transport, {
        ...options,
        method: 'PUT',
        path: classPath(className, objectId),
        body: encode(patch),
      });
      return updated(objectId, patch as Json, response);
    },
    delete: async (objectId, options = {}) => {
      await call(transport, { ...options, method: 'DELETE', path: classPath(className, objectId) });
    },
    query: () => new Query<T>({ transport, className }),
    where: (clause) => new Query<T>({ transport, className }).where(clause),
    pointer: (objectId) => ({ __type: 'Pointer', className, objectId }) as Pointer<T>,
    batch: {
      create: (fields) => ({
        method: 'POST',
        path: classPath(className),
        body: encode(fields),
        result: (response) => created(fields as Json, response),
      }),
      update: (objectId, patch) => ({
        method: 'PUT',
        path: classPath(className, objectId),
        body: encode(patch),
        result: (response) => updated(objectId, patch as Json, response),
      }),
      delete: (objectId) => ({ method: 'DELETE', path: classPath(className, objectId), result: () => undefined }),
    },
  };
}
