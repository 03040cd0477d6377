import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../infra/index.js';
import type * as EngineModule from './engine.js';
import type { GraphQLHandlerOptions } from './handler.js';
import { sendRestError } from './rest-error.js';
import type { SchemaCache } from './schema-cache.js';
import type { GraphQLSocketOptions } from './socket.js';

/** The heavy half of the module (`engine.ts`), as its dynamic import resolves. */
export type GraphQLEngine = typeof EngineModule;

/** What GraphQL over HTTP and over WebSocket are built from once the engine has loaded. */
export interface GraphQLDoorOptions {
  /** What the one generated schema (shared by HTTP and WebSocket) follows: the `SchemaCache`'s sources. */
  readonly schema: ConstructorParameters<typeof SchemaCache>[0];
  /** The HTTP handler's options (its `schemas` is the door's cache). */
  readonly http: Omit<GraphQLHandlerOptions, 'schemas'>;
  /** Subscriptions over WebSocket at the same path; absent: upgrades to the path are refused. */
  readonly sockets?: Omit<GraphQLSocketOptions, 'schemas'>;
  readonly logger: Logger;
  /** Loads the engine; default `import('./engine.js')` (tests pass one that fails). */
  readonly load?: () => Promise<GraphQLEngine>;
}

interface Parts {
  readonly handler: ReturnType<GraphQLEngine['createGraphQLHandler']>;
  readonly sockets: InstanceType<GraphQLEngine['GraphQLSocketServer']> | undefined;
  readonly schemas: SchemaCache;
}

/**
 * GraphQL's door at `--graphql-path`, HTTP and WebSocket, loading the engine (the `graphql` package,
 * graphql-ws, ws and the schema generator) on the first request or upgrade that needs it instead of at start:
 * that import is about a third of a cold start, and most servers never answer GraphQL. Concurrent first
 * requests share one load. A load that fails is logged and answers every request 500 `{"code":1}` (an upgrade
 * gets a bare HTTP 500), never a hang; the module cache keeps the failure, so it is not retried.
 */
export class GraphQLDoor {
  readonly #options: GraphQLDoorOptions;
  #parts: Promise<Parts> | undefined;
  #loads = 0;

  constructor(options: GraphQLDoorOptions) {
    this.#options = options;
  }

  /** The path both HTTP and WebSocket answer at. */
  get path(): string {
    return this.#options.http.path;
  }

  /** How many times the engine was loaded (0 until the first GraphQL request, then 1). */
  get loads(): number {
    return this.#loads;
  }

  /** Loads the engine once (every caller shares the same promise) and builds the handler and socket server. */
  ready(): Promise<Parts> {
    this.#parts ??= this.#build();
    return this.#parts;
  }

  handle(
    req: IncomingMessage,
    res: ServerResponse,
    client: { ip: string | undefined; protocol: 'http' | 'https'; log: Logger },
  ): void {
    this.ready().then(
      (parts) => parts.handler.handle(req, res, client),
      (err: unknown) => sendRestError(res, err, client.log),
    );
  }

  /** Whether an upgrade request is for the GraphQL path. */
  owns(req: IncomingMessage): boolean {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    return (query === -1 ? url : url.slice(0, query)) === this.path;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The socket waits for the load: a reset meanwhile must not be an unhandled 'error' event.
    const onError = (): void => void socket.destroy();
    socket.on('error', onError);
    this.ready().then(
      (parts) => {
        socket.off('error', onError);
        if (parts.sockets === undefined) socket.destroy();
        else parts.sockets.upgrade(req, socket, head);
      },
      () => {
        socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
    );
  }

  /** Closes the subscription sockets, if the engine was ever loaded. */
  async close(): Promise<void> {
    const parts = await this.#parts?.catch(() => undefined);
    await parts?.sockets?.close();
  }

  async #build(): Promise<Parts> {
    const { load = () => import('./engine.js'), logger } = this.#options;
    this.#loads += 1;
    const started = performance.now();
    let engine: GraphQLEngine;
    try {
      engine = await load();
      logger.debug({ ms: Math.round(performance.now() - started) }, 'GraphQL engine loaded');
    } catch (err) {
      logger.error({ err }, 'GraphQL could not be loaded: its requests answer 500 until the server restarts');
      throw err;
    }
    const schemas = new engine.SchemaCache(this.#options.schema);
    const sockets = this.#options.sockets;
    return {
      schemas,
      handler: engine.createGraphQLHandler({ ...this.#options.http, schemas }),
      sockets: sockets === undefined ? undefined : new engine.GraphQLSocketServer({ ...sockets, schemas }),
    };
  }
}
