import { ERROR_CATALOG, ErrorCode } from './codes.js';

export interface ParseErrorOptions {
  /** Overrides the catalog's default message. */
  message?: string;
  cause?: unknown;
  /** Overrides the catalog's HTTP status (e.g. 413 for an oversized body). */
  httpStatus?: number;
  /**
   * For the few answers Parse sends without a code (spec/errors.md §1): a body of only
   * `{"error": message}`. Example: an unknown app id is 403 `{"error":"unauthorized"}`.
   */
  bare?: boolean;
}

/**
 * The one kind of error Strata throws. Carries a Parse error code; the HTTP status and default
 * message come from the catalog.
 *
 * @example
 * throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
 * throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: 'Invalid field name: __proto__.' });
 */
export class ParseError extends Error {
  readonly code: ErrorCode;
  readonly bare: boolean;
  private readonly statusOverride: number | undefined;

  constructor(code: ErrorCode, options: ParseErrorOptions = {}) {
    super(
      options.message ?? ERROR_CATALOG[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ParseError';
    this.code = code;
    this.bare = options.bare === true;
    this.statusOverride = options.httpStatus;
  }

  get httpStatus(): number {
    return this.statusOverride ?? ERROR_CATALOG[this.code].httpStatus;
  }

  toJSON(): { code?: number; error: string } {
    return this.bare ? { error: this.message } : { code: this.code, error: this.message };
  }
}

/** Wraps anything that is not already a ParseError as INTERNAL_SERVER_ERROR, keeping it as `cause`. */
export function toParseError(err: unknown): ParseError {
  if (err instanceof ParseError) return err;
  return new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { cause: err });
}

/** Shorthand used by validators: `throw parseError(ErrorCode.INVALID_JSON, 'bad $in value')`. */
export function parseError(code: ErrorCode, message?: string): ParseError {
  return new ParseError(code, message === undefined ? {} : { message });
}

/** 403 `{"error":"unauthorized"}`: unknown app id, wrong client key, master key from a disallowed IP. */
export function unauthorized(): ParseError {
  return new ParseError(ErrorCode.OPERATION_FORBIDDEN, { message: 'unauthorized', bare: true, httpStatus: 403 });
}

/** 403 `{"error":"Permission denied"}`: an endpoint that needs the master key was called without it. */
export function masterKeyRequired(): ParseError {
  return new ParseError(ErrorCode.OPERATION_FORBIDDEN, { message: 'Permission denied', bare: true, httpStatus: 403 });
}
