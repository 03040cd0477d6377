/**
 * The one error type the SDK throws: carries Parse's numeric error code (e.g. 101 for "object not found")
 * and the HTTP status of the response that produced it.
 *
 * @example
 * try { await scores.get('nope') } catch (err) { if (err instanceof StrataError && err.code === 101) ... }
 */
export class StrataError extends Error {
  /** The Parse error code from the response body, or -1 when the server sent none. */
  readonly code: number;
  /** HTTP status of the failed response; 0 when the request never reached the server. */
  readonly status: number;

  constructor(options: { code: number; message: string; status: number; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StrataError';
    this.code = options.code;
    this.status = options.status;
  }
}

/** Well-known Parse error codes the SDK's callers commonly branch on. */
export const ErrorCodes = {
  OTHER_CAUSE: -1,
  INTERNAL_SERVER_ERROR: 1,
  CONNECTION_FAILED: 100,
  OBJECT_NOT_FOUND: 101,
  INVALID_QUERY: 102,
  INVALID_CLASS_NAME: 103,
  INVALID_JSON: 107,
  OPERATION_FORBIDDEN: 119,
  DUPLICATE_VALUE: 137,
  SCRIPT_FAILED: 141,
  VALIDATION_ERROR: 142,
  INVALID_SESSION_TOKEN: 209,
} as const;

/** Turns an error response body (`{"code":101,"error":"..."}` or `{"error":"unauthorized"}`) into a StrataError. */
export function errorFromResponse(status: number, body: unknown): StrataError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof record['code'] === 'number' ? record['code'] : ErrorCodes.OTHER_CAUSE;
  const message = typeof record['error'] === 'string' ? record['error'] : `HTTP ${status}`;
  return new StrataError({ code, message, status });
}
