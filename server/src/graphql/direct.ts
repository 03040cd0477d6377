import { GraphQLError, execute, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLSchema, ValidationRule } from 'graphql';
import { LRUCache } from 'lru-cache';
import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { Logger } from '../infra/index.js';
import { mapResultErrors } from './errors.js';
import { introspectionRequested } from './introspection.js';

/**
 * The common GraphQL request, run without yoga's Fetch-API pipeline: a `POST` of `application/json` with
 * `query` (and optionally `variables`, `operationName`) that parses and validates, asks for a query or a
 * mutation, and is answered JSON. Measured (bench/server-cpu.mjs), the pipeline around graphql-js (a WHATWG
 * `Request` built from the node request, web streams for both bodies, the envelop hooks, the promise helpers)
 * cost more server CPU than the resolvers and storage of a 20-object page with a pointer. Everything else
 * (GET, multipart uploads, batches, `extensions` such as persisted operations, subscriptions, streamed
 * answers, and every request that fails before running: a syntax or validation error, an unknown operation,
 * bad variables, introspection refused) goes to yoga unchanged, so the error answers keep one source. What is
 * answered here is what yoga would answer: the same rules (graphql's specified rules and Strata's limits),
 * the same error form (`mapResultErrors`), the same media type choice and status.
 */
export interface DirectRequest {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly body: Buffer;
  readonly schema: GraphQLSchema;
  readonly contextValue: { readonly auth: Auth; readonly log: Logger };
}

export interface DirectAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A document that parsed and validated, with what the per-request checks need; `false`: leave it to yoga. */
type Prepared = { readonly document: DocumentNode; readonly introspection: boolean } | false;

/** Parsed and validated documents kept per generated schema (graphql-yoga's own cache keeps as many). */
const PREPARED_PER_SCHEMA = 1024;

export function createDirectExecutor(options: {
  readonly maxTokens: number;
  readonly rules: readonly ValidationRule[];
  readonly publicIntrospection: boolean;
}): (request: DirectRequest) => Promise<DirectAnswer | undefined> {
  const rules = [...specifiedRules, ...options.rules];
  // One cache per generated schema: a rebuilt schema starts afresh, the old one is collected with it.
  const caches = new WeakMap<GraphQLSchema, LRUCache<string, Prepared>>();

  const prepare = (schema: GraphQLSchema, query: string): Prepared => {
    let cache = caches.get(schema);
    if (cache === undefined) {
      cache = new LRUCache<string, Prepared>({ max: PREPARED_PER_SCHEMA });
      caches.set(schema, cache);
    }
    const known = cache.get(query);
    if (known !== undefined) return known;
    let prepared: Prepared = false;
    try {
      const document = parse(query, { maxTokens: options.maxTokens });
      if (validate(schema, document, rules).length === 0)
        prepared = { document, introspection: introspectionRequested(document) };
    } catch {
      // A syntax error: yoga answers it.
    }
    cache.set(query, prepared);
    return prepared;
  };

  return async (request) => {
    if (request.method !== 'POST' || mediaType(request.contentType) !== 'application/json') return undefined;
    const answerType = regularMediaType(request.accept);
    if (answerType === undefined) return undefined;
    const params = graphQLParams(request.body);
    if (params === undefined) return undefined;
    const prepared = prepare(request.schema, params.query);
    if (prepared === false) return undefined;
    const { auth, log } = request.contextValue;
    if (prepared.introspection && !options.publicIntrospection && !isMasterLike(auth)) return undefined;
    const operation = getOperationAST(prepared.document, params.operationName);
    if (operation === null || operation === undefined || operation.operation === 'subscription') return undefined;
    const result = await execute({
      schema: request.schema,
      document: prepared.document,
      contextValue: request.contextValue,
      ...(params.variables === undefined ? {} : { variableValues: params.variables }),
      ...(params.operationName === undefined ? {} : { operationName: params.operationName }),
    });
    // No data: the request never ran (its variables did not coerce), so no resolver has run either and yoga
    // can answer it from the start.
    if (result.data === undefined) return undefined;
    const mapped = mapResultErrors(result, { master: isMasterLike(auth), log });
    return {
      status: statusOf(mapped, answerType === 'application/json'),
      contentType: `${answerType}; charset=utf-8`,
      body: JSON.stringify(withoutInternals(mapped)),
    };
  };
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * The media type yoga answers a query or mutation with, for this Accept header: the first accepted type (in
 * the header's order, `*` wildcards allowed, utf-8 only) that is `application/json` or
 * `application/graphql-response+json`, preferring `application/json` when one entry accepts both (no Accept
 * header is `*\/*`: `application/json`). `undefined` when neither is accepted (yoga answers that).
 */
export function regularMediaType(accept: string | undefined): string | undefined {
  const entries = (accept === undefined || accept === '' ? '*/*' : accept).replace(/\s/g, '').toLowerCase().split(',');
  for (const entry of entries) {
    const [type = '', ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [pre, suf] = type.split('/');
    const matches = (candidate: string): boolean => {
      const [cPre, cSuf] = candidate.split('/');
      return (pre === '*' || pre === cPre) && (suf === '*' || suf === cSuf);
    };
    if (matches('application/json')) return 'application/json';
    if (matches('application/graphql-response+json')) return 'application/graphql-response+json';
  }
  return undefined;
}

/** `{query, variables?, operationName?}` and nothing else (anything more, e.g. `extensions`, goes to yoga). */
function graphQLParams(
  body: Buffer,
): { query: string; variables?: Record<string, unknown>; operationName?: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { query, variables, operationName, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof query !== 'string') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables)))
    return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  return {
    query,
    ...(variables === undefined || variables === null ? {} : { variables: variables as Record<string, unknown> }),
    ...(operationName === undefined || operationName === null ? {} : { operationName }),
  };
}

type HttpExtension = { status?: number; spec?: boolean } | undefined;

/** yoga's status for a result that ran: the highest `extensions.http.status` of its errors, else 200. */
function statusOf(result: ExecutionResult, applicationJson: boolean): number {
  let status = 200;
  let set = false;
  for (const error of result.errors ?? []) {
    const http = error.extensions['http'] as HttpExtension;
    if (http === undefined || (applicationJson && http.spec === true) || typeof http.status !== 'number') continue;
    if (!set || http.status > status) status = http.status;
    set = true;
  }
  return status;
}

/** As yoga writes errors: without the `http` and `unexpected` extensions (an empty `extensions` is left out). */
function withoutInternals(result: ExecutionResult): ExecutionResult {
  if (result.errors === undefined || result.errors.length === 0) return result;
  const errors = result.errors.map((error) => {
    if (!('http' in error.extensions) && !('unexpected' in error.extensions)) return error;
    const { http: _http, unexpected: _unexpected, ...extensions } = error.extensions;
    return new GraphQLError(error.message, {
      ...(error.nodes === undefined ? {} : { nodes: error.nodes }),
      ...(error.path === undefined ? {} : { path: error.path }),
      extensions,
    });
  });
  return { ...result, errors };
}
