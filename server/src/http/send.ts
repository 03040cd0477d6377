import type { ServerResponse } from 'node:http';
import { ERROR_CATALOG, ErrorCode, ParseError, toParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import type { ApiResponse } from './api-types.js';
import { recordErrorCode } from './request-log.js';

/** Writes a JSON response. The one place bodies leave the server. */
export function sendJson(res: ServerResponse, response: ApiResponse): void {
  res.statusCode = response.status ?? 200;
  if (response.headers !== undefined)
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.body === undefined) {
    res.setHeader('Content-Length', 0);
    res.end();
    return;
  }
  const payload = JSON.stringify(response.body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}

/**
 * The one place errors become HTTP (errors.md §2): ParseError → its status and `{code, error}` (or the
 * bare `{error}` Parse uses for credential failures); anything else → 500
 * `{"code":1,"message":"Internal server error."}` and a log line with the real cause.
 */
const GENERIC_MESSAGE = ERROR_CATALOG[ErrorCode.INTERNAL_SERVER_ERROR].message;

export function sendError(options: { res: ServerResponse; err: unknown; log: Logger }): void {
  const { res, err, log } = options;
  const error = toParseError(err);
  recordErrorCode(res, error.code);
  if (error.code === 1) {
    // A code-1 error Strata raised on purpose, with its own message and no underlying failure (e.g. "an app
    // name and public URL are required"), says what is wrong, as Parse does, with the status it was given;
    // anything else stays opaque, and is a 500.
    const deliberate = err instanceof ParseError && err.cause === undefined && err.message !== GENERIC_MESSAGE;
    const status = deliberate ? error.httpStatus : 500;
    if (status >= 500) log.error({ err: error.cause ?? err }, 'internal error');
    else log.warn({ code: error.code, message: error.message }, 'request refused: the server is not configured for it');
    const body = deliberate ? { code: 1, error: err.message } : { code: 1, message: GENERIC_MESSAGE };
    sendJson(res, { status, body });
    return;
  }
  log.debug({ code: error.code, message: error.message }, 'request failed');
  sendJson(res, { status: error.httpStatus, body: error.toJSON() });
}
