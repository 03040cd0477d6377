import type { ClientOptions } from './transport.js';
import { sendRequest } from './transport.js';

/**
 * Typed create/get/update/delete/find for one Parse class over the REST API (`/classes/<name>`).
 */

/** Fields every stored object has. */
export interface SystemFields {
  readonly objectId: string;
  /** ISO-8601 timestamps, as Parse sends them. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type Stored<T> = T & SystemFields;

export interface FindOptions<T> {
  /** A Parse `where` clause, e.g. `{ score: { $gte: 10 } }`. */
  readonly where?: { readonly [K in keyof T]?: unknown } & Readonly<Record<string, unknown>>;
  readonly limit?: number;
  readonly skip?: number;
  /** Parse order string: `score`, `-score`, `score,-createdAt`. */
  readonly order?: string;
  /** Restrict the returned fields. */
  readonly keys?: readonly (keyof T & string)[];
}

export interface Collection<T extends object> {
  readonly className: string;
  create(data: T): Promise<{ objectId: string; createdAt: string }>;
  get(objectId: string): Promise<Stored<T>>;
  update(objectId: string, changes: Partial<T>): Promise<{ updatedAt: string }>;
  delete(objectId: string): Promise<void>;
  find(options?: FindOptions<T>): Promise<Stored<T>[]>;
}

function objectPath(className: string, objectId?: string): string {
  const base = `/classes/${encodeURIComponent(className)}`;
  return objectId === undefined ? base : `${base}/${encodeURIComponent(objectId)}`;
}

function findQuery<T>(options: FindOptions<T>): Record<string, unknown> {
  return {
    where: options.where,
    limit: options.limit,
    skip: options.skip,
    order: options.order,
    keys: options.keys?.join(','),
  };
}

/** Creates the typed accessor for `className` (use `client.collection`). */
export function createCollection<T extends object>(options: ClientOptions, className: string): Collection<T> {
  return {
    className,
    create: async (data) =>
      (await sendRequest(options, { method: 'POST', path: objectPath(className), body: data })) as {
        objectId: string;
        createdAt: string;
      },
    get: async (objectId) =>
      (await sendRequest(options, { method: 'GET', path: objectPath(className, objectId) })) as Stored<T>,
    update: async (objectId, changes) =>
      (await sendRequest(options, { method: 'PUT', path: objectPath(className, objectId), body: changes })) as {
        updatedAt: string;
      },
    delete: async (objectId) => {
      await sendRequest(options, { method: 'DELETE', path: objectPath(className, objectId) });
    },
    find: async (findOptions = {}) => {
      const body = (await sendRequest(options, {
        method: 'GET',
        path: objectPath(className),
        query: findQuery(findOptions),
      })) as {
        results: Stored<T>[];
      };
      return body.results;
    },
  };
}
