import { errorFromResponse } from './errors.js';
import type { StrataError } from './errors.js';
import { call } from './transport.js';
import type { CallOptions, TransportContext } from './transport.js';

/**
 * `POST /batch`: several writes in one request. Without a transaction each operation succeeds or fails on
 * its own (results come back in order, as `{ ok, value | error }`); with `transaction: true` they all
 * commit or none does, and the first failure rejects the whole call.
 */

/** One operation of a batch, made by `collection.batch.create/update/delete`. */
export interface BatchOp<R> {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  /** Below the mount, e.g. `/classes/Todo`. */
  readonly path: string;
  readonly body?: unknown;
  /** Turns the item's `success` body into the operation's result. */
  readonly result: (success: unknown) => R;
}

export type BatchResult<R> =
  { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: StrataError };

/** The results of a batch, in the order of its operations, each typed by its operation. */
export type BatchResults<Ops extends ReadonlyArray<BatchOp<unknown>>> = {
  -readonly [I in keyof Ops]: Ops[I] extends BatchOp<infer R> ? BatchResult<R> : never;
};

export interface BatchOptions extends CallOptions {
  /** All or nothing (default false). Sent as one request, whatever its size. */
  readonly transaction?: boolean;
}

/** Parse Server's default cap on a batch's size; larger non-transactional batches are split. */
const CHUNK = 50;

export async function runBatch<const Ops extends ReadonlyArray<BatchOp<unknown>>>(options: {
  transport: TransportContext;
  ops: Ops;
  batchOptions?: BatchOptions;
}): Promise<BatchResults<Ops>> {
  const { transport, ops, batchOptions = {} } = options;
  const { transaction = false, ...callOptions } = batchOptions;
  // Sub-request paths include the server's mount path (`/parse/classes/Todo`), as Parse expects.
  // (A regex, not URL: React Native's URL has no `pathname`.)
  const mount = transport.options.serverURL.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/\/+$/, '');
  const size = transaction ? Math.max(ops.length, 1) : CHUNK;
  const results: Array<BatchResult<unknown>> = [];
  for (let start = 0; start < ops.length; start += size) {
    const chunk = ops.slice(start, start + size);
    const requests = chunk.map((op) => ({ method: op.method, path: `${mount}${op.path}`, body: op.body }));
    const body = (await call(transport, {
      ...callOptions,
      method: 'POST',
      path: '/batch',
      body: transaction ? { requests, transaction: true } : { requests },
    })) as Array<{ success?: unknown; error?: unknown }>;
    chunk.forEach((op, i) => {
      const item = body[i] ?? {};
      results.push(
        item.error === undefined
          ? { ok: true, value: op.result(item.success) }
          : { ok: false, error: errorFromResponse(400, item.error) },
      );
    });
  }
  return results as BatchResults<Ops>;
}

/** The values of a batch's results, or its first error. */
export function unwrap<R>(results: ReadonlyArray<BatchResult<R>>): R[] {
  return results.map((r) => {
    if (!r.ok) throw r.error;
    return r.value;
  });
}
