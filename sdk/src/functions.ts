import { decode, encode } from './codec.js';
import { call, send } from './transport.js';
import type { CallOptions, TransportContext } from './transport.js';

/**
 * Cloud code and app config: `client.functions.run` calls a cloud function, `client.jobs.start` starts a
 * background job (master key), `client.config` reads (and with the master key writes) Parse Config.
 * Parse values in results (dates, pointers, included objects) are decoded as everywhere else.
 */

export interface Functions {
  /** @example const total = await client.functions.run<{ cart: string }, number>('cartTotal', { cart: id }); */
  run<Params extends object = Record<string, unknown>, Result = unknown>(
    name: string,
    params?: Params,
    options?: CallOptions,
  ): Promise<Result>;
}

export interface Jobs {
  /** Starts a job; resolves once it is accepted, with the id of its `_JobStatus` row. */
  start(name: string, params?: Record<string, unknown>, options?: CallOptions): Promise<{ jobStatusId?: string }>;
}

export interface AppConfig {
  /** The config parameters the caller may read. */
  get<T extends object = Record<string, unknown>>(options?: CallOptions): Promise<T>;
  /** Sets parameters (master key); the others are kept. */
  update(
    params: Record<string, unknown>,
    options?: CallOptions & { masterKeyOnly?: Record<string, boolean> },
  ): Promise<void>;
}

export function createFunctions(transport: TransportContext): Functions {
  return {
    run: async <Params extends object, Result>(name: string, params?: Params, options: CallOptions = {}) => {
      const body = (await call(transport, {
        ...options,
        method: 'POST',
        path: `/functions/${encodeURIComponent(name)}`,
        body: encode(params ?? {}),
      })) as { result?: unknown };
      return decode(body.result) as Result;
    },
  };
}

export function createJobs(transport: TransportContext): Jobs {
  return {
    start: async (name, params = {}, options = {}) => {
      const response = await send(transport, {
        ...options,
        method: 'POST',
        path: `/jobs/${encodeURIComponent(name)}`,
        body: encode(params),
      });
      const id = response.headers.get('X-Parse-Job-Status-Id');
      return id === null ? {} : { jobStatusId: id };
    },
  };
}

export function createAppConfig(transport: TransportContext): AppConfig {
  return {
    get: async <T extends object>(options: CallOptions = {}) => {
      const body = (await call(transport, { ...options, method: 'GET', path: '/config' })) as { params?: unknown };
      return decode(body.params ?? {}) as T;
    },
    update: async (params, options = {}) => {
      const { masterKeyOnly, ...callOptions } = options;
      const body = masterKeyOnly === undefined ? { params } : { params, masterKeyOnly };
      await call(transport, { ...callOptions, method: 'PUT', path: '/config', body: encode(body) });
    },
  };
}
