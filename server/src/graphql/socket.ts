import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  createSourceEventStream,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult, FormattedExecutionResult } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import type { ServerOptions, Context as WsContext } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { isMasterLike, PUBLIC, readWireCredentials } from '../auth/index.js';
import type { Auth, CredentialResolver } from '../auth/index.js';
import { ErrorCode, ParseError, toParseError } from '../errors/index.js';
import type { Core, LiveHub, RequestOrigin } from '../core/index.js';
import type { Logger } from '../infra/index.js';
import type { EncodeOptions } from '../schema/index.js';
import type { GraphQLContext, LiveSource } from './context.js';
import { parseErrorOf } from './errors.js';
import { introspectionRequested } from './introspection.js';
import { limitsRule } from './limits.js';
import type { QueryLimits } from './limits.js';
import { ObjectLoader } from './loader.js';
import { PersistedRefusal } from './persisted.js';
import type { PersistedOperations } from './persisted.js';
import type { SchemaCache } from './schema-cache.js';
import { hookedListener, runBeforeConnect, runBeforeSubscribe } from './subscription-hooks.js';
import type { HookFailure } from './subscription-hooks.js';
import { LiveStream, REQUEST_LIMIT_EXCEEDED } from './subscriptions.js';
import { Heartbeat, UpgradeLimit } from '../lib/index.js';

export interface GraphQLSocketOptions {
  readonly core: Core;
  readonly hub: LiveHub;
  /** The app's key check, shared with REST, GraphQL over HTTP and LiveQuery. */
  readonly credentials: CredentialResolver;
  readonly schemas: SchemaCache;
  /** The GraphQL path: an upgrade there is a GraphQL socket. */
  readonly path: string;
  readonly limits: QueryLimits & { readonly maxTokens: number };
  readonly publicIntrospection: boolean;
  readonly maxNestingDepth: number;
  /** Subscriptions one connection may hold (`--graphql-max-subscriptions`). */
  readonly maxSubscriptions: number;
  /** Events one subscription may have waiting to be sent before it is ended as too slow. */
  readonly maxPendingEvents: number;
  /** Bytes a socket may have waiting in its send buffer before it is cut as too slow. */
  readonly maxQueueBytes: number;
  /** Largest client message in bytes (bigger: the socket closes with 1009). */
  readonly maxFrameBytes: number;
  /** Open GraphQL sockets one client address may hold; more are refused with HTTP 429 before the upgrade. */
  readonly maxConnectionsPerIp: number;
  /** Ping interval; a socket that has not answered the previous ping is cut. */
  readonly pingIntervalMs: number;
  /** The LiveQuery class allow-list (`--live-query-classes`) applies to subscriptions too. */
  readonly classAllowed: (className: string) => boolean;
  readonly clientAddress: (req: IncomingMessage) => string | undefined;
  readonly encode: (req: IncomingMessage) => EncodeOptions;
  readonly logger: Logger;
  /** Persisted operations, as over HTTP: with `--graphql-persisted-only` a subscription must be one of them. */
  readonly persisted?: PersistedOperations;
}

/** What this server keeps per socket, as graphql-ws's `extra`. */
interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  readonly ip: string | undefined;
  /** Set once `connection_init` was accepted. */
  base?: GraphQLContext;
}

type Ctx = WsContext<Record<string, unknown> | undefined, SocketExtra>;
type HookArgs<K extends 'onNext' | 'onError'> = Parameters<
  NonNullable<ServerOptions<Record<string, unknown> | undefined, SocketExtra>[K]>
>;

/** `connection_init` payload keys (LiveQuery's names) and the Parse headers they stand for. */
const PARAM_HEADERS: Readonly<Record<string, string>> = {
  applicationid: 'x-parse-application-id',
  masterkey: 'x-parse-master-key',
  maintenancekey: 'x-parse-maintenance-key',
  clientkey: 'x-parse-client-key',
  javascriptkey: 'x-parse-javascript-key',
  restapikey: 'x-parse-rest-api-key',
  windowskey: 'x-parse-windows-key',
  sessiontoken: 'x-parse-session-token',
  installationid: 'x-parse-installation-id',
};

/**
 * GraphQL subscriptions over WebSocket (the `graphql-transport-ws` protocol, served by the `graphql-ws`
 * package) at the GraphQL path. The credentials are the `connection_init` payload, as Parse's headers
 * (`X-Parse-Application-Id`, `X-Parse-Session-Token`...) or LiveQuery's names (`applicationId`,
 * `sessionToken`...), checked by the same `CredentialResolver` and `core.authenticate` as every door: bad keys
 * close the socket with 4403 "Forbidden", a bad session token with 4403 "209: Invalid session token". Only
 * subscription operations run here (queries and mutations go over HTTP), under the same depth / alias /
 * complexity / token limits as HTTP. Each event is executed with a fresh pointer loader as the subscriber
 * (re-resolved, so a revoked session reads as the public from then on).
 */
export class GraphQLSocketServer {
  readonly #options: GraphQLSocketOptions;
  readonly #wss: WebSocketServer;
  readonly #server: ReturnType<typeof makeServer<Record<string, unknown> | undefined, SocketExtra>>;
  readonly #upgrades: UpgradeLimit;
  /** Open sockets. */
  readonly #sockets = new Set<WebSocket>();
  /** Dead peers are cut, the sockets pinged a slice at a time (as the LiveQuery server does). */
  readonly #heartbeat: Heartbeat<WebSocket>;
  /** Live subscriptions open on this server's GraphQL sockets (the LiveQuery hooks' `subscriptions`). */
  #subscriptions = 0;
  readonly #counts = (): { clients: number; subscriptions: number } => ({
    clients: this.#sockets.size,
    subscriptions: this.#subscriptions,
  });

  constructor(options: GraphQLSocketOptions) {
    this.#options = options;
    this.#upgrades = new UpgradeLimit(options.maxConnectionsPerIp);
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => handleProtocols(protocols),
    });
    this.#server = makeServer<Record<string, unknown> | undefined, SocketExtra>({
      connectionInitWaitTimeout: 10_000,
      onConnect: (ctx) => this.#connect(ctx),
      onSubscribe: (ctx, _id, payload) => this.#prepare(ctx, payload),
      subscribe: (args) => subscribeWithFreshContexts(args),
      execute: () => ({ errors: [new GraphQLError('Only subscriptions are served over WebSocket.')] }),
      // graphql-ws's hook signatures, taken as tuples.
      onNext: (...[ctx, , , , result]: HookArgs<'onNext'>) => formatResult(result, this.#errorOptions(ctx)),
      onError: (...[ctx, , , errors]: HookArgs<'onError'>) =>
        errors.map((error) => parseErrorOf(error, this.#errorOptions(ctx)).toJSON()),
    });
    this.#heartbeat = new Heartbeat({ intervalMs: options.pingIntervalMs });
  }

  /** Open GraphQL sockets. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** Whether an upgrade request is for the GraphQL path. */
  owns(req: IncomingMessage): boolean {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    return (query === -1 ? url : url.slice(0, query)) === this.#options.path;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ip = this.#options.clientAddress(req);
    if (!this.#upgrades.admit(ip, socket)) return;
    socket.on('error', () => socket.destroy());
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req, ip));
  }

  /** Closes every socket (1001). */
  async close(): Promise<void> {
    this.#heartbeat.close();
    for (const ws of this.#sockets) {
      ws.close(1001, 'server shutting down');
      setTimeout(() => ws.terminate(), 1000).unref();
    }
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(ws: WebSocket, request: IncomingMessage, ip: string | undefined): void {
    const { logger, maxQueueBytes } = this.#options;
    this.#sockets.add(ws);
    this.#heartbeat.add(ws);
    ws.on('error', (err) => logger.debug({ err }, 'GraphQL socket error'));
    const closed = this.#server.opened(
      {
        protocol: ws.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (ws.readyState !== ws.OPEN) return resolve();
            // A client that does not read is cut rather than buffered for without bound.
            if (ws.bufferedAmount > maxQueueBytes) {
              ws.terminate();
              return resolve();
            }
            ws.send(data, () => resolve());
          }),
        close: (code, reason) => {
          if (ws.readyState === ws.OPEN) ws.close(code, reason);
        },
        onMessage: (handle) => {
          ws.on('message', (data: RawData, isBinary: boolean) => {
            // A binary frame is not a protocol message: graphql-ws closes with 4400 on it.
            handle(isBinary ? '\u0000' : rawText(data)).catch((err: unknown) => {
              logger.error({ err }, 'a GraphQL socket message failed');
              if (ws.readyState === ws.OPEN) ws.close(CloseCode.InternalServerError, 'Internal server error');
            });
          });
        },
      },
      { socket: ws, request, ip },
    );
    ws.once('close', (code, reason) => {
      this.#sockets.delete(ws);
      this.#heartbeat.delete(ws);
      closed(code, reason.toString()).catch((err: unknown) => logger.error({ err }, 'closing a GraphQL socket failed'));
    });
  }

  async #connect(ctx: Ctx): Promise<boolean> {
    const { socket, request, ip } = ctx.extra;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(ctx.connectionParams ?? {})) {
      if (typeof value !== 'string') continue;
      const lower = name.toLowerCase();
      const header = lower.startsWith('x-parse-') ? lower : PARAM_HEADERS[lower];
      if (header !== undefined) headers[header] = value;
    }
    const wire = readWireCredentials({ headers, body: {} });
    let auth: Auth;
    try {
      const credentials = this.#options.credentials.resolve(wire.presented, { ip });
      auth = await this.#options.core.authenticate(credentials);
    } catch (err) {
      const error = toParseError(err);
      if (error.code === ErrorCode.INTERNAL_SERVER_ERROR) {
        this.#options.logger.error({ err }, 'authenticating a GraphQL socket failed');
        socket.close(CloseCode.InternalServerError, 'Internal server error');
        return false;
      }
      // Bad keys: graphql-ws's own 4403 "Forbidden"; anything else (209) says its code.
      if (error.httpStatus !== 403) socket.close(CloseCode.Forbidden, `${error.code}: ${error.message}`.slice(0, 120));
      return false;
    }
    const encode = this.#options.encode(request);
    const origin: RequestOrigin = {
      context: {},
      headers: request.headers,
      encode,
      log: this.#options.logger,
      ...(ip === undefined ? {} : { ip }),
    };
    try {
      await runBeforeConnect({ core: this.#options.core, auth, origin, counts: this.#counts });
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      // Refused by cloud code, as LiveQuery's connect: the socket closes with the hook's code and message.
      socket.close(CloseCode.Forbidden, `${err.code}: ${err.message}`.slice(0, 120));
      return false;
    }
    const built = await this.#options.schemas.current();
    ctx.extra.base = {
      auth,
      core: this.#options.core,
      origin,
      encode,
      loader: new ObjectLoader({ core: this.#options.core, auth, origin }),
      maxDepth: this.#options.maxNestingDepth,
      limitAuth: () => Promise.resolve(),
      ip,
      lookup: built.lookup,
      live: this.#liveSource({ auth, origin, encode }),
    };
    return true;
  }

  #liveSource(caller: { auth: Auth; origin: RequestOrigin; encode: EncodeOptions }): LiveSource {
    const { hub, classAllowed, maxPendingEvents, core, logger, maxNestingDepth, schemas } = this.#options;
    const { auth, origin, encode } = caller;
    let requests = 0;
    return {
      subscribe: async (query) => {
        if (!classAllowed(query.className)) {
          throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
            message: `Live queries are not enabled for class ${query.className}`,
          });
        }
        requests += 1;
        const requestId = requests;
        const counts = this.#counts;
        const asked = await runBeforeSubscribe({ core, auth, origin, counts, requestId, query });
        const stream = new LiveStream({ maxPending: maxPendingEvents, events: query.events });
        const { lookup } = await schemas.current();
        const listener = hookedListener({
          core,
          auth,
          origin,
          encode,
          requestId,
          counts,
          classFields: (className) => new Set(Object.keys(lookup(className)?.fields ?? {})),
          maxDepth: maxNestingDepth,
          maxPending: maxPendingEvents,
          logger,
          deliver: stream.push,
        });
        const subscription = await hub.subscribe(
          {
            className: query.className,
            where: asked.where,
            auth,
            ...(asked.keys === undefined ? {} : { keys: asked.keys }),
            ...(asked.watch === undefined ? {} : { watch: asked.watch }),
          },
          listener,
        );
        this.#subscriptions += 1;
        let open = true;
        stream.attach({
          replace: (next) => subscription.replace(next),
          settled: () => subscription.settled(),
          close: () => {
            if (open) this.#subscriptions -= 1;
            open = false;
            subscription.close();
          },
        });
        return stream;
      },
    };
  }

  async #prepare(
    ctx: Ctx,
    payload: {
      query: string;
      operationName?: string | null;
      variables?: Record<string, unknown> | null;
      extensions?: Record<string, unknown> | null;
    },
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const base = ctx.extra.base;
    if (base === undefined) return [new GraphQLError('Not connected')];
    const { maxSubscriptions, limits } = this.#options;
    // graphql-ws has already counted this one.
    if (Object.keys(ctx.subscriptions).length > maxSubscriptions) {
      return [
        new GraphQLError(`Too many subscriptions on this connection (at most ${maxSubscriptions})`, {
          extensions: { code: REQUEST_LIMIT_EXCEEDED },
        }),
      ];
    }
    let text = payload.query;
    if (this.#options.persisted !== undefined) {
      try {
        const resolved = this.#options.persisted.resolve({ ...payload }, isMasterLike(base.auth));
        text = typeof resolved['query'] === 'string' ? resolved['query'] : '';
      } catch (err) {
        if (!(err instanceof PersistedRefusal)) throw err;
        return [new GraphQLError(err.message, { extensions: { code: err.code } })];
      }
    }
    let document: DocumentNode;
    try {
      document = parse(text, { maxTokens: limits.maxTokens });
    } catch (err) {
      if (err instanceof GraphQLError) return [err];
      throw err;
    }
    // The schema of now: classes created since the connection opened can be subscribed to.
    const built = await this.#options.schemas.current();
    const errors = validate(built.schema, document, [...specifiedRules, limitsRule(limits)]);
    if (errors.length > 0) return errors;
    const operation = getOperationAST(document, payload.operationName);
    if (operation === null || operation === undefined) return [new GraphQLError('Unable to identify operation')];
    if (operation.operation !== 'subscription') {
      return [new GraphQLError(`Send ${operation.operation} operations over HTTP: this socket serves subscriptions.`)];
    }
    if (!this.#options.publicIntrospection && !isMasterLike(base.auth) && introspectionRequested(document)) {
      return [new GraphQLError('Introspection is not allowed')];
    }
    return {
      schema: built.schema,
      document,
      operationName: payload.operationName ?? null,
      variableValues: payload.variables ?? null,
      contextValue: { ...base, lookup: built.lookup },
    };
  }

  #errorOptions(ctx: Ctx): { master: boolean; log: Logger } {
    const auth = ctx.extra.base?.auth;
    return { master: auth !== undefined && isMasterLike(auth), log: this.#options.logger };
  }
}

/**
 * graphql's `subscribe`, except that each event runs with a context of its own: a new pointer loader (the
 * previous event's objects must not be served from a cache) as the subscriber now (a revoked session reads
 * as the public). Returns the refusal as a result when the source stream cannot start.
 */
async function subscribeWithFreshContexts(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const iterator = source[Symbol.asyncIterator]();
  const base = args.contextValue as GraphQLContext;
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const step = await iterator.next();
      if (step.done === true) return { value: undefined, done: true };
      const item = step.value as { op?: unknown };
      if (item.op === 'hook-error') {
        // afterLiveQueryEvent failed on this event: the subscriber gets its error, the subscription goes on.
        const error = (item as HookFailure).error;
        return { value: { errors: [new GraphQLError(error.message, { originalError: error })] }, done: false };
      }
      const auth = await currentAuth(base);
      const loader = new ObjectLoader({ core: base.core, auth, origin: base.origin });
      const contextValue: GraphQLContext = { ...base, auth, loader };
      const result = await execute({ ...args, rootValue: step.value, contextValue });
      return { value: result, done: false };
    },
    async return() {
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

/** The subscriber as of now: a user whose session ended reads as the public. */
function currentAuth(base: GraphQLContext): Promise<Auth> {
  const auth = base.auth;
  if (auth.kind !== 'user') return Promise.resolve(auth);
  return base.core
    .resolveSession({ sessionToken: auth.sessionToken, installationId: auth.installationId })
    .catch(() => PUBLIC);
}

function formatResult(result: ExecutionResult, options: { master: boolean; log: Logger }): FormattedExecutionResult {
  const { errors, ...rest } = result;
  if (errors === undefined || errors.length === 0) return rest as FormattedExecutionResult;
  return { ...rest, errors: errors.map((error) => parseErrorOf(error, options).toJSON()) } as FormattedExecutionResult;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
