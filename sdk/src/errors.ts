/**
 * The one error type the SDK throws for failed calls: carries Parse's numeric error code (e.g. 101 for
 * "object not found") and the HTTP status of the response that produced it (0 when no response arrived).
 *
 * @example
 * try {
 *   await todos.get('nope');
 * } catch (err) {
 *   if (err instanceof StrataError && err.code === ErrorCodes.OBJECT_NOT_FOUND) console.log('gone');
 * }
 */
export class StrataError extends Error {
  /** The Parse error code from the response body, or -1 (`OTHER_CAUSE`) when the server sent none. */
  readonly code: number;
  /** HTTP status of the failed response; 0 when the request never got an answer (network, timeout). */
  readonly status: number;

  constructor(options: { code: number; message: string; status: number; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StrataError';
    this.code = options.code;
    this.status = options.status;
  }
}

/** Parse's error codes (spec: errors.md), by name: `err.code === ErrorCodes.OBJECT_NOT_FOUND`. */
export const ErrorCodes = {
  OTHER_CAUSE: -1,
  INTERNAL_SERVER_ERROR: 1,
  CONNECTION_FAILED: 100,
  OBJECT_NOT_FOUND: 101,
  INVALID_QUERY: 102,
  INVALID_CLASS_NAME: 103,
  MISSING_OBJECT_ID: 104,
  INVALID_KEY_NAME: 105,
  INVALID_POINTER: 106,
  INVALID_JSON: 107,
  COMMAND_UNAVAILABLE: 108,
  NOT_INITIALIZED: 109,
  INCORRECT_TYPE: 111,
  INVALID_CHANNEL_NAME: 112,
  PUSH_MISCONFIGURED: 115,
  OBJECT_TOO_LARGE: 116,
  OPERATION_FORBIDDEN: 119,
  CACHE_MISS: 120,
  INVALID_NESTED_KEY: 121,
  INVALID_FILE_NAME: 122,
  INVALID_ACL: 123,
  TIMEOUT: 124,
  INVALID_EMAIL_ADDRESS: 125,
  MISSING_CONTENT_TYPE: 126,
  MISSING_CONTENT_LENGTH: 127,
  INVALID_CONTENT_LENGTH: 128,
  FILE_TOO_LARGE: 129,
  FILE_SAVE_ERROR: 130,
  DUPLICATE_VALUE: 137,
  INVALID_ROLE_NAME: 139,
  EXCEEDED_QUOTA: 140,
  SCRIPT_FAILED: 141,
  VALIDATION_ERROR: 142,
  INVALID_IMAGE_DATA: 143,
  UNSAVED_FILE_ERROR: 151,
  INVALID_PUSH_TIME_ERROR: 152,
  FILE_DELETE_ERROR: 153,
  REQUEST_LIMIT_EXCEEDED: 155,
  DUPLICATE_REQUEST: 159,
  INVALID_EVENT_NAME: 160,
  FILE_DELETE_UNNAMED_ERROR: 161,
  INVALID_VALUE: 162,
  USERNAME_MISSING: 200,
  PASSWORD_MISSING: 201,
  USERNAME_TAKEN: 202,
  EMAIL_TAKEN: 203,
  EMAIL_MISSING: 204,
  EMAIL_NOT_FOUND: 205,
  SESSION_MISSING: 206,
  MUST_CREATE_USER_THROUGH_SIGNUP: 207,
  ACCOUNT_ALREADY_LINKED: 208,
  INVALID_SESSION_TOKEN: 209,
  MFA_ERROR: 210,
  MFA_TOKEN_REQUIRED: 211,
  LINKED_ID_MISSING: 250,
  INVALID_LINKED_SESSION: 251,
  UNSUPPORTED_SERVICE: 252,
  INVALID_SCHEMA_OPERATION: 255,
  AGGREGATE_ERROR: 600,
  FILE_READ_ERROR: 601,
  X_DOMAIN_REQUEST: 602,
} as const;

/** One of the known Parse error codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * Turns an error response body into a StrataError: `{"code":101,"error":"…"}`, or the code-less
 * `{"error":"unauthorized"}` (403) and `{"code":1,"message":"Internal server error."}` forms Parse also sends.
 */
export function errorFromResponse(status: number, body: unknown): StrataError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof record['code'] === 'number' ? record['code'] : ErrorCodes.OTHER_CAUSE;
  const text = record['error'] ?? record['message'];
  return new StrataError({ code, message: typeof text === 'string' ? text : `HTTP ${status}`, status });
}

/** A mistake in how the SDK was called (detected before anything was sent). */
export function usageError(message: string): StrataError {
  return new StrataError({ code: ErrorCodes.OTHER_CAUSE, message, status: 0 });
}
