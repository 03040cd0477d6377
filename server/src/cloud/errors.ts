import { ERROR_CATALOG, ErrorCode, ParseError } from '../errors/index.js';

/**
 * What a hook's failure becomes for the client (spec/cloud.md §4): a Parse error keeps its code and message
 * (HTTP 404 for 101, 500 for 1, else 400); a string or an `Error` becomes the default code (141, or 142 for
 * validators) with its message; nothing at all becomes "Script failed.". A Parse error is recognised by its
 * shape (numeric `code`, string `message`), so `Parse.Error` of the official SDK and `StrataCloudError` from
 * another copy of this module count too.
 */
export function toHookError(thrown: unknown, defaults: { code?: ErrorCode; message?: string } = {}): ParseError {
  const code = defaults.code ?? ErrorCode.SCRIPT_FAILED;
  if (thrown instanceof ParseError) return thrown;
  if (thrown === undefined || thrown === null || thrown === false || thrown === '' || thrown === 0) {
    return new ParseError(code, { message: defaults.message ?? 'Script failed.' });
  }
  if (typeof thrown === 'string') return new ParseError(code, { message: thrown });
  if (typeof thrown === 'object') {
    const record = thrown as { code?: unknown; message?: unknown };
    if (typeof record.code === 'number' && Number.isInteger(record.code)) {
      return parseErrorWithCode(record.code, typeof record.message === 'string' ? record.message : String(thrown));
    }
    const message = typeof record.message === 'string' && record.message !== '' ? record.message : undefined;
    return new ParseError(code, {
      message: message ?? defaults.message ?? 'Script failed. Unknown error.',
      ...(thrown instanceof Error ? { cause: thrown } : {}),
    });
  }
  return new ParseError(code, { message: String(thrown) });
}

/** A Parse error a hook chose, also one outside Strata's catalog (Parse passes custom codes through). */
function parseErrorWithCode(code: number, message: string): ParseError {
  const httpStatus = code === ErrorCode.OBJECT_NOT_FOUND ? 404 : code === ErrorCode.INTERNAL_SERVER_ERROR ? 500 : 400;
  const known = Object.hasOwn(ERROR_CATALOG, code);
  return new ParseError(code as ErrorCode, message === '' && known ? { httpStatus } : { message, httpStatus });
}

/** The error of a hook that did not settle within the cloud timeout. */
export function hookTimedOut(what: string, timeoutMs: number): ParseError {
  return new ParseError(ErrorCode.SCRIPT_FAILED, { message: `${what} timed out after ${timeoutMs} ms.` });
}

/** A validator's refusal (spec/cloud.md §7): 142 unless it threw a Parse error of its own. */
export function validationFailed(message: string): ParseError {
  return new ParseError(ErrorCode.VALIDATION_ERROR, { message });
}
