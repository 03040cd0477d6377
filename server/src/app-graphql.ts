/**
 * Parse's GraphQL API as the composition root wires it: the generated schema (one for HTTP and WebSocket,
 * following the schema registry and the registered functions), the persisted operations, and the HTTP front
 * end at `--graphql-path`. Part of the composition root (only `app.ts` imports it); GraphQL itself lives in
 * `graphql/`, its subscriptions' socket server in `app-sockets.ts`.
 */
import type { CredentialResolver } from './auth/index.js';
import type { CloudRegistry } from './cloud/index.js';
import type { Config } from './config/index.js';
import { fileURLBuilder } from './core/index.js';
import type { Core, FileServices, GraphQLConfigSource } from './core/index.js';
import { PersistedOperations, SchemaCache, createGraphQLHandler } from './graphql/index.js';
import { enforceAuthRateLimit } from './http/index.js';
import type { AuthRateLimits, RootFrontEnd } from './http/index.js';
import type { SchemaRegistry } from './schema/index.js';

/** What GraphQL over HTTP and over WebSocket share. */
export interface GraphQLParts {
  readonly schemas: SchemaCache;
  readonly persisted: PersistedOperations | undefined;
}

/**
 * The schema cache and the persisted operations, when this server serves the API (roles api/all); undefined
 * otherwise. `--graphql-persisted-only` without the documents stops the start on every role.
 */
export async function prepareGraphQL(options: {
  config: Config;
  serveApi: boolean;
  schemas: SchemaRegistry;
  cloud: CloudRegistry;
  /** `/graphql-config`, kept coherent across servers. */
  graphQLConfig: GraphQLConfigSource;
}): Promise<GraphQLParts | undefined> {
  const { config, serveApi, schemas, cloud, graphQLConfig } = options;
  if (config.graphQLPersistedOnly && config.graphQLPersistedOperations === undefined) {
    throw new Error('--graphql-persisted-only needs the documents: set --graphql-persisted-operations <file>');
  }
  if (!serveApi) return undefined;
  return {
    schemas: new SchemaCache({
      classes: () => schemas.getAll(),
      // In-process and webhook functions: the webhook store's reload swaps the registry's overlay, on every server.
      functionNames: () => cloud.functionNames(),
      config: () => graphQLConfig.get(),
    }),
    persisted:
      config.graphQLPersistedOperations === undefined
        ? undefined
        : await PersistedOperations.load({
            file: config.graphQLPersistedOperations,
            only: config.graphQLPersistedOnly,
          }),
  };
}

/**
 * Parse's GraphQL API at `--graphql-path` (root of the server, as parse-server's `graphQLPath`): the schema
 * follows the schema registry (rebuilt after any server's schema change) and the registered cloud functions;
 * the keys are checked by the same `CredentialResolver` as REST, log-in and sign-up share REST's rate limits.
 */
export function createGraphQL(options: {
  config: Config;
  core: Core;
  credentials: CredentialResolver;
  schemas: SchemaCache;
  rateLimits: AuthRateLimits;
  files: FileServices | undefined;
  persisted: PersistedOperations | undefined;
}): RootFrontEnd {
  const { config, core, schemas, rateLimits, files } = options;
  const fileURL = fileURLBuilder({
    appId: config.appId,
    ...(files?.signer === undefined ? {} : { fileToken: (name: string) => files.signer?.token(name) ?? '' }),
  });
  const handler = createGraphQLHandler({
    core,
    credentials: options.credentials,
    schemas,
    path: config.graphQLPath,
    publicIntrospection: config.graphQLPublicIntrospection,
    limits: {
      maxDepth: config.graphQLMaxDepth,
      maxAliases: config.graphQLMaxAliases,
      maxComplexity: config.graphQLMaxComplexity,
      maxBatch: config.graphQLMaxBatch,
      maxTokens: config.graphQLMaxTokens,
    },
    maxBodySize: config.maxBodySize,
    maxUploadSize: files?.maxUploadSize ?? config.maxBodySize,
    maxNestingDepth: config.maxNestingDepth,
    encode: (mountURL) => ({ fileURL: (name) => fileURL(config.publicServerURL ?? mountURL, name) }),
    mountURL: (req, protocol) => `${protocol}://${req.headers.host ?? 'localhost'}${config.mountPath}`,
    limitAuth: (request) => enforceAuthRateLimit(rateLimits, request),
    ...(options.persisted === undefined ? {} : { persisted: options.persisted }),
  });
  return { path: config.graphQLPath, handle: (req, res, client) => handler.handle(req, res, client) };
}
