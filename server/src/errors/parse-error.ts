import { ERROR_CATALOG, ErrorCode } from './codes.js';

export interface ParseErrorOptions {
  /** Overrides the catalog's default message. */
  message?: string;
  cause?: unknown;
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

  constructor(code: ErrorCode, options: ParseErrorOptions = {}) {
    super(options.message ?? ERROR_CATALOG[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ParseError';
    this.code = code;
  }

  get httpStatus(): number {
    return ERROR_CATALOG[this.code].httpStatus;
  }

  toJSON(): { code: number; error: string } {
    return { code: this.code, error: this.message };
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
