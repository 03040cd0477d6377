import { GraphQLError } from 'graphql';
import type { ExecutionResult } from 'graphql';
import { ERROR_CATALOG, ErrorCode, ParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';

/**
 * The one place GraphQL errors take Parse's form (spec/graphql.md §1): a ParseError from a resolver keeps its
 * message and puts its code in `extensions.code` (HTTP 200); anything unexpected becomes code 1 "Internal
 * server error" with the cause logged, never shown. For callers without the master key, validation messages
 * lose their "Did you mean …?" hints, so a probe cannot list the schema through typos.
 */
const INTERNAL = ERROR_CATALOG[ErrorCode.INTERNAL_SERVER_ERROR].message;

export function parseErrorOf(error: GraphQLError, options: { master: boolean; log: Logger | undefined }): GraphQLError {
  const original = error.originalError;
  const at = {
    ...(error.nodes === undefined ? {} : { nodes: error.nodes }),
    ...(error.path === undefined ? {} : { path: error.path }),
  };
  if (original instanceof ParseError) {
    if (original.code === ErrorCode.INTERNAL_SERVER_ERROR && original.cause !== undefined) {
      options.log?.error({ err: original.cause }, 'internal error in a GraphQL resolver');
      return new GraphQLError(INTERNAL, { ...at, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
    }
    return new GraphQLError(original.message, { ...at, extensions: { code: original.code } });
  }
  if (original !== undefined && original !== null && !(original instanceof GraphQLError)) {
    options.log?.error({ err: original }, 'internal error in a GraphQL resolver');
    return new GraphQLError(INTERNAL, { ...at, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
  }
  if (options.master) return error;
  const message = withoutHints(error.message);
  return message === error.message ? error : new GraphQLError(message, { ...at, extensions: error.extensions });
}

/** `Cannot query field "titel" on type "Post". Did you mean "title"?` → without the suggestion. */
export function withoutHints(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

export function mapResultErrors(
  result: ExecutionResult,
  options: { master: boolean; log: Logger | undefined },
): ExecutionResult {
  if (result.errors === undefined || result.errors.length === 0) return result;
  const errors = result.errors.map((error) => parseErrorOf(error, options));
  // A request that never ran (a syntax or validation error, an unknown enum value) is HTTP 400, as Parse's
  // Apollo server answers; errors of a request that ran stay 200 with their codes.
  if (result.data !== undefined) return { ...result, errors };
  return { ...result, errors: errors.map(asRequestError) };
}

function asRequestError(error: GraphQLError): GraphQLError {
  // yoga marks spec errors `http.spec` and answers them 200 to `application/json` clients; Parse answers 400.
  const http = error.extensions['http'] as { status?: number; spec?: boolean } | undefined;
  if (typeof error.extensions['code'] === 'number' || (http !== undefined && http.spec !== true)) return error;
  return new GraphQLError(error.message, {
    ...(error.nodes === undefined ? {} : { nodes: error.nodes }),
    extensions: { ...error.extensions, http: { status: http?.status ?? 400 } },
  });
}
