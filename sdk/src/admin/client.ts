import type { AdminRequest, AdminTransport } from './transport.js';
import type {
  ClassCount,
  ClassSchema,
  CloudCodeListing,
  ConfigParams,
  FilePage,
  FindOptions,
  HookFunction,
  HookTrigger,
  LogEntry,
  LogQuery,
  PushBody,
  RestObject,
  ServerInfo,
  SlowQuery,
} from './types.js';

/** One batch sub-request (`/batch`), path relative to the app's mount. */
export interface AdminBatchOp {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: Readonly<Record<string, unknown>>;
}

export interface AdminClient {
  readonly transport: AdminTransport;
  readonly schemas: {
    list(): Promise<ClassSchema[]>;
    get(className: string): Promise<ClassSchema>;
    create(schema: Partial<ClassSchema> & { className: string }): Promise<ClassSchema>;
    /** Fields `{ __op: 'Delete' }` remove a field; a `classLevelPermissions` replaces the whole CLP. */
    update(className: string, change: Readonly<Record<string, unknown>>): Promise<ClassSchema>;
    remove(className: string): Promise<void>;
    /** Deletes every object of the class, keeping the schema. */
    purge(className: string): Promise<void>;
  };
  readonly objects: {
    find(className: string, options?: FindOptions): Promise<RestObject[]>;
    count(className: string, where?: Readonly<Record<string, unknown>>): Promise<number>;
    /**
     * Every class's object count, estimated for classes of `exactBelow` (default 10,000) objects or more
     * (Strata's `GET /classCounts`: no full count of a large class).
     */
    counts(options?: { exactBelow?: number }): Promise<ClassCount[]>;
    get(className: string, objectId: string, options?: { include?: string; keys?: string }): Promise<RestObject>;
    create(
      className: string,
      data: Readonly<Record<string, unknown>>,
    ): Promise<{ objectId: string; createdAt: string }>;
    update(
      className: string,
      objectId: string,
      data: Readonly<Record<string, unknown>>,
    ): Promise<{ updatedAt: string }>;
    remove(className: string, objectId: string): Promise<void>;
    /** Up to 50 writes at once (Parse's batch limit); one result per op. */
    batch(ops: readonly AdminBatchOp[]): Promise<Array<{ success?: unknown; error?: { code: number; error: string } }>>;
  };
  readonly config: {
    get(): Promise<ConfigParams>;
    update(change: ConfigParams): Promise<void>;
  };
  readonly functions: {
    run(name: string, params?: Readonly<Record<string, unknown>>): Promise<unknown>;
    /** The functions, triggers and jobs cloud code registered (Strata's `GET /cloud_code/registry`). */
    list(): Promise<CloudCodeListing>;
  };
  readonly jobs: {
    /** The jobs cloud code defines and the schedules stored for them. */
    data(): Promise<{ jobs: string[]; in_use: string[] }>;
    /** Starts a job now; resolves with its `_JobStatus` id. */
    run(name: string, params?: Readonly<Record<string, unknown>>): Promise<string>;
    statuses(options?: { limit?: number; where?: Readonly<Record<string, unknown>> }): Promise<RestObject[]>;
    schedules(): Promise<RestObject[]>;
    schedule(job: Readonly<Record<string, unknown>>): Promise<unknown>;
    updateSchedule(objectId: string, job: Readonly<Record<string, unknown>>): Promise<unknown>;
    removeSchedule(objectId: string): Promise<void>;
  };
  readonly hooks: {
    functions(): Promise<HookFunction[]>;
    triggers(): Promise<HookTrigger[]>;
    createFunction(hook: HookFunction): Promise<HookFunction>;
    updateFunction(hook: HookFunction): Promise<HookFunction>;
    removeFunction(functionName: string): Promise<void>;
    createTrigger(hook: HookTrigger): Promise<HookTrigger>;
    updateTrigger(hook: HookTrigger): Promise<HookTrigger>;
    removeTrigger(className: string, triggerName: string): Promise<void>;
  };
  readonly push: {
    /** Sends (or schedules) a push; resolves with its `_PushStatus` id. */
    send(body: PushBody): Promise<string>;
    statuses(options?: { limit?: number }): Promise<RestObject[]>;
    audiences(): Promise<RestObject[]>;
  };
  readonly files: {
    upload(name: string, data: Blob, contentType?: string): Promise<{ name: string; url: string }>;
    remove(name: string): Promise<void>;
    /**
     * A page of the stored files by name (Strata's `GET /fileList`, at most 100 a page); with `orphans`, only
     * the page's files no object's File field refers to. Walk `next` for the rest.
     */
    list(options?: { after?: string; limit?: number; orphans?: boolean }): Promise<FilePage>;
  };
  /** Server logs, newest first by default (`GET /scriptlog`, parse-server's logs API). */
  logs(query?: LogQuery): Promise<LogEntry[]>;
  serverInfo(): Promise<ServerInfo>;
  /** Per-hour usage (`GET /usage`). */
  usage(query?: Readonly<Record<string, unknown>>): Promise<unknown>;
  /** Prometheus metrics text (`GET /metrics`). */
  metrics(): Promise<string>;
  /** Queries the server recorded as slow, by shape. */
  slowQueries(): Promise<SlowQuery[]>;
  /** Any other REST call. */
  request<T = unknown>(request: AdminRequest): Promise<T>;
}

/**
 * The typed admin API of one Strata (or Parse) app: schemas, objects, config, jobs, hooks, push, files,
 * logs, metrics, usage. Used by the dashboard and by scripts; every call is a plain REST call through the
 * transport, so the app applies its usual rules to the key behind it.
 *
 * @example
 * import { createAdminClient, masterKeyTransport } from '@strata/sdk/admin';
 * const admin = createAdminClient({
 *   transport: masterKeyTransport({ serverURL: 'http://localhost:1337/parse', appId, masterKey }),
 * });
 * const classes = await admin.schemas.list();
 */
export function createAdminClient(options: { transport: AdminTransport }): AdminClient {
  const { transport } = options;
  const call = async <T>(request: AdminRequest): Promise<T> => (await transport.request(request)).body as T;
  const cls = (className: string): string => `/classes/${encodeURIComponent(className)}`;
  const results = async (request: AdminRequest): Promise<RestObject[]> =>
    (await call<{ results?: RestObject[] }>(request)).results ?? [];

  return {
    transport,
    schemas: {
      list: async () => (await call<{ results?: ClassSchema[] }>({ method: 'GET', path: '/schemas' })).results ?? [],
      get: (className) => call({ method: 'GET', path: `/schemas/${encodeURIComponent(className)}` }),
      create: (schema) =>
        call({ method: 'POST', path: `/schemas/${encodeURIComponent(schema.className)}`, body: schema }),
      update: (className, change) =>
        call({ method: 'PUT', path: `/schemas/${encodeURIComponent(className)}`, body: { className, ...change } }),
      remove: async (className) => {
        await call({ method: 'DELETE', path: `/schemas/${encodeURIComponent(className)}` });
      },
      purge: async (className) => {
        await call({ method: 'DELETE', path: `/purge/${encodeURIComponent(className)}` });
      },
    },
    objects: {
      find: (className, find = {}) =>
        results({
          method: 'GET',
          path: cls(className),
          query: {
            where: find.where,
            order: find.order,
            limit: find.limit,
            skip: find.skip,
            keys: find.keys,
            include: find.include,
          },
          ...(find.signal === undefined ? {} : { signal: find.signal }),
        }),
      count: async (className, where) =>
        (await call<{ count?: number }>({ method: 'GET', path: cls(className), query: { where, count: 1, limit: 0 } }))
          .count ?? 0,
      counts: async (options = {}) =>
        (
          await call<{ results?: ClassCount[] }>({
            method: 'GET',
            path: '/classCounts',
            query: { exactBelow: options.exactBelow },
          })
        ).results ?? [],
      get: (className, objectId, get = {}) =>
        call({ method: 'GET', path: `${cls(className)}/${encodeURIComponent(objectId)}`, query: get }),
      create: (className, data) => call({ method: 'POST', path: cls(className), body: data }),
      update: (className, objectId, data) =>
        call({ method: 'PUT', path: `${cls(className)}/${encodeURIComponent(objectId)}`, body: data }),
      remove: async (className, objectId) => {
        await call({ method: 'DELETE', path: `${cls(className)}/${encodeURIComponent(objectId)}` });
      },
      batch: (ops) => call({ method: 'POST', path: '/batch', body: { requests: ops } }),
    },
    config: {
      get: () => call({ method: 'GET', path: '/config' }),
      update: async (change) => {
        await call({ method: 'PUT', path: '/config', body: change });
      },
    },
    functions: {
      run: async (name, params = {}) =>
        (
          await call<{ result?: unknown }>({
            method: 'POST',
            path: `/functions/${encodeURIComponent(name)}`,
            body: params,
          })
        ).result,
      list: () => call({ method: 'GET', path: '/cloud_code/registry' }),
    },
    jobs: {
      data: () => call({ method: 'GET', path: '/cloud_code/jobs/data' }),
      run: async (name, params = {}) => {
        const response = await transport.request({
          method: 'POST',
          path: `/jobs/${encodeURIComponent(name)}`,
          body: params,
        });
        return response.headers.get('X-Parse-Job-Status-Id') ?? '';
      },
      statuses: (list = {}) =>
        results({
          method: 'GET',
          path: '/classes/_JobStatus',
          query: { order: '-createdAt', limit: list.limit ?? 100, where: list.where },
        }),
      schedules: async () => {
        const body = await call<unknown>({ method: 'GET', path: '/cloud_code/jobs' });
        return Array.isArray(body) ? (body as RestObject[]) : ((body as { results?: RestObject[] }).results ?? []);
      },
      schedule: (job) => call({ method: 'POST', path: '/cloud_code/jobs', body: { job_schedule: job } }),
      updateSchedule: (objectId, job) =>
        call({ method: 'PUT', path: `/cloud_code/jobs/${encodeURIComponent(objectId)}`, body: { job_schedule: job } }),
      removeSchedule: async (objectId) => {
        await call({ method: 'DELETE', path: `/cloud_code/jobs/${encodeURIComponent(objectId)}` });
      },
    },
    hooks: {
      functions: () => call({ method: 'GET', path: '/hooks/functions' }),
      triggers: () => call({ method: 'GET', path: '/hooks/triggers' }),
      createFunction: (hook) => call({ method: 'POST', path: '/hooks/functions', body: hook }),
      updateFunction: (hook) =>
        call({
          method: 'PUT',
          path: `/hooks/functions/${encodeURIComponent(hook.functionName)}`,
          body: { url: hook.url },
        }),
      removeFunction: async (functionName) => {
        await call({
          method: 'PUT',
          path: `/hooks/functions/${encodeURIComponent(functionName)}`,
          body: { __op: 'Delete' },
        });
      },
      createTrigger: (hook) => call({ method: 'POST', path: '/hooks/triggers', body: hook }),
      updateTrigger: (hook) =>
        call({
          method: 'PUT',
          path: `/hooks/triggers/${encodeURIComponent(hook.className)}/${encodeURIComponent(hook.triggerName)}`,
          body: { url: hook.url },
        }),
      removeTrigger: async (className, triggerName) => {
        await call({
          method: 'PUT',
          path: `/hooks/triggers/${encodeURIComponent(className)}/${encodeURIComponent(triggerName)}`,
          body: { __op: 'Delete' },
        });
      },
    },
    push: {
      send: async (body) => {
        const response = await transport.request({ method: 'POST', path: '/push', body });
        return response.headers.get('X-Parse-Push-Status-Id') ?? '';
      },
      statuses: (list = {}) =>
        results({
          method: 'GET',
          path: '/classes/_PushStatus',
          query: { order: '-createdAt', limit: list.limit ?? 100 },
        }),
      audiences: () => results({ method: 'GET', path: '/push_audiences' }),
    },
    files: {
      upload: (name, data, contentType) =>
        call({
          method: 'POST',
          path: `/files/${encodeURIComponent(name)}`,
          rawBody: data,
          contentType: contentType ?? (data.type || 'application/octet-stream'),
        }),
      remove: async (name) => {
        await call({ method: 'DELETE', path: `/files/${encodeURIComponent(name)}` });
      },
      list: (options = {}) =>
        call({
          method: 'GET',
          path: '/fileList',
          query: { after: options.after, limit: options.limit, orphans: options.orphans === true ? 1 : undefined },
        }),
    },
    logs: async (query = {}) => {
      const body = await call<unknown>({
        method: 'GET',
        path: '/scriptlog',
        query: {
          level: query.level,
          size: query.size,
          order: query.order,
          from: query.from?.toISOString(),
          until: query.until?.toISOString(),
          requestId: query.requestId,
          jobId: query.jobId,
        },
        ...(query.signal === undefined ? {} : { signal: query.signal }),
      });
      return Array.isArray(body) ? (body as LogEntry[]) : [];
    },
    serverInfo: () => call({ method: 'GET', path: '/serverInfo' }),
    usage: (query) => call({ method: 'GET', path: '/usage', ...(query === undefined ? {} : { query }) }),
    metrics: async () => {
      const body = await call<unknown>({ method: 'GET', path: '/metrics' });
      return typeof body === 'string' ? body : JSON.stringify(body);
    },
    slowQueries: async () =>
      (await call<{ results?: SlowQuery[] }>({ method: 'GET', path: '/slowQueries' })).results ?? [],
    request: call,
  };
}
