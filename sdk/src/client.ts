import { createAuth, createSessions } from './auth.js';
import type { Auth, CurrentUser, Sessions, UserFields } from './auth.js';
import { runBatch } from './batch.js';
import type { BatchOp, BatchOptions, BatchResults } from './batch.js';
import { createCollection } from './collection.js';
import type { Collection } from './collection.js';
import { createFiles } from './files.js';
import type { Files } from './files.js';
import { createAppConfig, createFunctions, createJobs } from './functions.js';
import type { AppConfig, Functions, Jobs } from './functions.js';
import { createInstallations } from './installations.js';
import type { Installations } from './installations.js';
import { createRoles } from './roles.js';
import type { Roles } from './roles.js';
import { createSessionState } from './session-state.js';
import type { SessionState } from './session-state.js';
import { memoryStorage } from './storage.js';
import { call } from './transport.js';
import type { ClientOptions, RequestOptions, TransportContext } from './transport.js';

/** The schema of a client created without one: any class name, any fields. */
export type UntypedSchema = Record<string, Record<string, unknown>>;

/** The `_User` type of a schema (the built-in fields when the schema has none). */
export type UserOf<S> = S extends { _User: infer U } ? U : UserFields;

/**
 * One server, one set of credentials, one logged-in user. Create as many as you need (they share nothing).
 * `S` is your schema (e.g. the `Schema` interface `strata types` writes): class names and fields are then
 * checked by the compiler.
 */
export interface StrataClient<S extends object = UntypedSchema> {
  readonly options: ClientOptions;
  /** The class `className` of your schema. @example client.collection('Todo').where({ done: false }).find() */
  collection<K extends keyof S & string>(className: K): Collection<S[K]>;
  /**
   * A class typed by hand: any name when `T` is given (a class your schema does not list yet); without `T`, only
   * the schema's class names, so a misspelled name is a compile error even on this overload.
   * @example client.collection<{ title: string }>('Draft')
   */
  collection<T = never>(className: [T] extends [never] ? keyof S & string : string): Collection<T>;
  /** Sign-up, log-in and the logged-in user. */
  readonly auth: Auth<UserOf<S>>;
  /** The logged-in user's sessions. */
  readonly sessions: Sessions;
  readonly roles: Roles;
  /** This device's `_Installation` (push registration and channels). */
  readonly installations: Installations;
  readonly files: Files;
  /** Cloud functions. */
  readonly functions: Functions;
  /** Background jobs (master key). */
  readonly jobs: Jobs;
  /** Parse Config. */
  readonly config: AppConfig;
  /**
   * Several writes in one request, typed per operation.
   *
   * @example
   * const [a, b] = await client.batch([todos.batch.create({ title: 'a' }), todos.batch.delete(oldId)]);
   * await client.batch([...], { transaction: true }); // all or nothing
   */
  batch<const Ops extends ReadonlyArray<BatchOp<unknown>>>(
    ops: Ops,
    options?: BatchOptions,
  ): Promise<BatchResults<Ops>>;
  /** A raw REST call for endpoints the SDK does not wrap; resolves with the JSON body. */
  request(request: RequestOptions): Promise<unknown>;
  /**
   * Another client with some options changed (e.g. `{ timeoutMs }`, `{ masterKey }` on your server). It shares
   * the logged-in user unless the storage or app changes; `{ sessionToken }` makes it act as that session.
   */
  with(changes: Partial<ClientOptions>): StrataClient<S>;
}

/**
 * Creates a client.
 *
 * @example
 * import type { Schema } from './strata-types.js'; // written by `strata types`
 * const client = createClient<Schema>({ serverURL: 'http://localhost:1337/parse', appId: 'myApp', clientKey: 'key' });
 * await client.auth.logIn('ann', 's3cret!');
 * const todos = client.collection('Todo');
 * const { objectId } = await todos.create({ title: 'Buy milk', done: false });
 * const open = await todos.query().equalTo('done', false).order('-createdAt').find();
 */
export function createClient<S extends object = UntypedSchema>(options: ClientOptions): StrataClient<S> {
  return buildClient<S>(options, undefined);
}

/** `state`: the logged-in user shared with the client this one was derived from (`with`). */
function buildClient<S extends object>(
  options: ClientOptions,
  shared: SessionState<CurrentUser<UserOf<S>>> | undefined,
): StrataClient<S> {
  const frozen = Object.freeze({ ...options });
  const state =
    shared ??
    createSessionState<CurrentUser<UserOf<S>>>({
      storage: frozen.storage ?? memoryStorage(),
      key: frozen.storageKey ?? `strata:${frozen.appId}:currentUser`,
    });
  const transport: TransportContext = { options: frozen, currentToken: () => state.token() };
  return {
    options: frozen,
    collection: <T>(className: string) => createCollection<T>(transport, className),
    auth: createAuth<UserOf<S>>({ transport, state }),
    sessions: createSessions(transport),
    roles: createRoles(transport),
    installations: createInstallations(transport),
    files: createFiles(transport),
    functions: createFunctions(transport),
    jobs: createJobs(transport),
    config: createAppConfig(transport),
    batch: (ops, batchOptions) => runBatch({ transport, ops, ...(batchOptions ? { batchOptions } : {}) }),
    request: (request) => call(transport, request),
    // Same server and storage: the derived client shares the logged-in user.
    with: (changes) => {
      const sameUser = changes.storage === undefined && changes.storageKey === undefined && changes.appId === undefined;
      return buildClient<S>({ ...frozen, ...changes }, sameUser ? state : undefined);
    },
  };
}
