import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, parse } from 'graphql';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isMasterLike, parseContext, readWireCredentials } from '../auth/index.js';
import type { Auth, CredentialResolver } from '../auth/index.js';
import type { Core, RequestOrigin } from '../core/index.js';
import type { Logger } from '../infra/index.js';
import type { EncodeOptions } from '../schema/index.js';
import { readBody } from './body.js';
import { sendRestError } from './rest-error.js';
import { createDirectExecutor } from './direct.js';
import type { GraphQLContext } from './context.js';
import { mapResultErrors } from './errors.js';
import { introspectionRequested } from './introspection.js';
import { limitsRule } from './limits.js';
import type { QueryLimits } from './limits.js';
import { ObjectLoader } from './loader.js';
import { PersistedRefusal } from './persisted.js';
import type { PersistedOperations } from './persisted.js';
import type { BuiltSchema, SchemaCache } from './schema-cache.js';

export interface GraphQLLimits extends QueryLimits {
  /** Most operations in one batched request (a JSON array body); 0 turns batching off. */
  readonly maxBatch: number;
  /** Most tokens a document may hold (the parser stops past it). */
  readonly maxTokens: number;
}

export interface GraphQLHandlerOptions {
  readonly core: Core;
  /** The app's key check, shared with REST and LiveQuery (built by `app.ts`). */
  readonly credentials: CredentialResolver;
  readonly schemas: SchemaCache;
  readonly path: string;
  readonly limits: GraphQLLimits;
  /** Whether callers without the master key may introspect (`graphQLPublicIntrospection`). */
  readonly publicIntrospection: boolean;
  readonly maxBodySize: number;
  readonly maxUploadSize: number;
  readonly maxNestingDepth: number;
  /** How file URLs are written for a request that reached `mountURL`. */
  readonly encode: (mountURL: string) => EncodeOptions;
  readonly mountURL: (req: IncomingMessage, protocol: string) => string;
  /** Persisted operations (`--graphql-persisted-operations`, `--graphql-persisted-only`); absent: none. */
  readonly persisted?: PersistedOperations;
  /** REST's log-in / sign-up rate limits, by IP and account. */
  readonly limitAuth: (request: { ip: string | undefined; account: unknown }) => Promise<void>;
}

/** What a request brings to yoga: the resolvers' context, the schema it runs against, and who is asking. */
type ServerContext = GraphQLContext & { readonly built: BuiltSchema; readonly log: Logger };

/** The part of a yoga server this handler calls. */
interface YogaHandler {
  handleRequest(request: Request, context: ServerContext): Response | Promise<Response>;
}

/**
 * Serves `POST` and `GET` on the GraphQL path with graphql-yoga. The credentials are Parse's headers, checked
 * by the same `CredentialResolver` and `core.authenticate` as REST, before GraphQL sees the request: a bad key
 * is REST's 403 `{"error":"unauthorized"}`, a bad session token REST's 400 `{"code":209}`. Then the request
 * runs against the current generated schema, with its own pointer loader.
 */
export function createGraphQLHandler(options: GraphQLHandlerOptions): {
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    client: { ip: string | undefined; protocol: string; log: Logger },
  ): void;
} {
  const { limits } = options;
  // graphql-yoga is loaded on the first request the direct path does not answer, not at start: its import is
  // about half of the server's cold start, and most servers never need it (direct.ts answers plain POSTs).
  let yoga: Promise<YogaHandler> | undefined;
  const loadYoga = (): Promise<YogaHandler> =>
    (yoga ??= import('graphql-yoga').then(({ createYoga }) =>
      createYoga<ServerContext>({
        schema: (context): GraphQLSchema => context.built.schema,
        graphqlEndpoint: options.path,
        graphiql: false,
        landingPage: false,
        maskedErrors: false,
        logging: false,
        cors: false,
        batching: limits.maxBatch > 0 ? { limit: limits.maxBatch } : false,
        plugins: [strataPlugin(options)],
      }),
    ));
  // The common request skips yoga's pipeline (direct.ts); the rest, and every request that fails before
  // running, is yoga's. A yoga plugin that must see every operation (say, a persisted-operations-only mode)
  // has to be mirrored in direct.ts, or the direct path turned off, or it can be bypassed.
  const direct = createDirectExecutor({
    maxTokens: limits.maxTokens,
    rules: [limitsRule(limits)],
    publicIntrospection: options.publicIntrospection,
  });

  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    client: { ip: string | undefined; protocol: string; log: Logger },
  ): Promise<void> => {
    const wire = readWireCredentials({ headers: req.headers, body: {} });
    const credentials = options.credentials.resolve(wire.presented, { ip: client.ip });
    const auth: Auth = await options.core.authenticate(credentials);
    const method = req.method ?? 'GET';
    const multipart = (req.headers['content-type'] ?? '').startsWith('multipart/');
    let body =
      method === 'GET' || method === 'HEAD'
        ? undefined
        : await readBody(req, multipart ? options.maxUploadSize : options.maxBodySize);
    const queryAt = (req.url ?? '').indexOf('?');
    let search = queryAt === -1 ? '' : (req.url ?? '').slice(queryAt + 1);
    // Persisted documents are filled in (or non-persisted ones refused) before either path parses anything.
    if (options.persisted !== undefined) {
      try {
        const master = isMasterLike(auth);
        if (multipart && options.persisted.restricts(master))
          throw new PersistedRefusal('Only persisted operations may run on this server.', 400);
        if (body !== undefined && !multipart) body = options.persisted.resolveBody(body, master);
        else if (body === undefined) search = options.persisted.resolveSearch(search, master);
      } catch (err) {
        if (!(err instanceof PersistedRefusal)) throw err;
        res.statusCode = err.status;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Length', Buffer.byteLength(err.body));
        res.end(err.body);
        return;
      }
    }
    const built = await options.schemas.current();
    const mountURL = options.mountURL(req, client.protocol);
    const encode = options.encode(mountURL);
    const origin: RequestOrigin = {
      context: parseContext(wire.rawContext),
      headers: req.headers,
      encode,
      log: client.log,
      ...(client.ip === undefined ? {} : { ip: client.ip }),
    };
    const context: ServerContext = {
      auth,
      core: options.core,
      origin,
      encode,
      loader: new ObjectLoader({ core: options.core, auth, origin }),
      maxDepth: options.maxNestingDepth,
      limitAuth: (account) => options.limitAuth({ ip: client.ip, account }),
      ip: client.ip,
      lookup: built.lookup,
      built,
      log: client.log,
    };
    if (body !== undefined && !multipart) {
      const answer = await direct({
        method,
        contentType: req.headers['content-type'],
        accept: req.headers.accept,
        body,
        schema: built.schema,
        contextValue: context,
      });
      if (answer !== undefined) {
        client.log.debug({ graphql: 'direct' }, 'GraphQL request answered without the yoga pipeline');
        res.statusCode = answer.status;
        res.setHeader('Content-Type', answer.contentType);
        res.setHeader('Content-Length', Buffer.byteLength(answer.body));
        res.end(answer.body);
        return;
      }
    }
    const url = `http://localhost${options.path}${search === '' ? '' : `?${search}`}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) headers.set(name, value.join(', '));
    }
    // Buffer.concat allocates a plain ArrayBuffer, never a shared one.
    const request = new Request(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }),
    });
    const response = await (await loadYoga()).handleRequest(request, context);
    const payload = Buffer.from(await response.arrayBuffer());
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding') res.setHeader(name, value);
    });
    res.setHeader('Content-Length', payload.length);
    res.end(payload);
  };

  return {
    handle(req, res, client) {
      serve(req, res, client).catch((err: unknown) => sendRestError(res, err, client.log));
    },
  };
}

/**
 * Strata's rules around yoga's pipeline: the token limit on parsing, the depth / alias / complexity limits on
 * validation, introspection for the master key only (HTTP 403 otherwise), and Parse's error form on results.
 */
function strataPlugin(options: GraphQLHandlerOptions): Plugin<ServerContext> {
  const { limits } = options;
  const rule = limitsRule(limits);
  return {
    onParse({ setParseFn }) {
      setParseFn((source, parseOptions) => parse(source, { ...parseOptions, maxTokens: limits.maxTokens }));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as ServerContext;
      if (!options.publicIntrospection && !isMasterLike(context.auth) && introspectionRequested(args.document)) {
        setResultAndStopExecution({
          errors: [new GraphQLError('Introspection is not allowed', { extensions: { http: { status: 403 } } })],
        });
      }
    },
    onResultProcess({ result, setResult, serverContext }) {
      const context = serverContext as Partial<ServerContext>;
      const mapOptions = { master: context.auth !== undefined && isMasterLike(context.auth), log: context.log };
      if (Array.isArray(result)) setResult(result.map((item: ExecutionResult) => mapResultErrors(item, mapOptions)));
      else if (isExecutionResult(result)) setResult(mapResultErrors(result, mapOptions));
    },
  };
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return value !== null && typeof value === 'object' && !(Symbol.asyncIterator in value);
}
