import type { ServerResponse } from 'node:http';
import { ERROR_CATALOG, ErrorCode, ParseError, toParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import type { ApiResponse } from './api-types.js';
import { recordErrorCode } from './request-log.js';
import type { ResponseHeaders } from './response-headers.js';

/**
 * Writes a JSON response. The one place bodies leave the server. `preset`: the listener's fixed headers, not yet
 * set on `res` (the API's answers), written ahead of the response's own in one `writeHead`.
 */
export function sendJson(res: ServerResponse, response: ApiResponse, preset?: ResponseHeaders): void {
  const headers: string[] = preset === undefined ? [] : ['X-Request-Id', preset.requestId, ...preset.fixed];
  if (response.headers !== undefined)
    for (const [name, value] of Object.entries(response.headers)) headers.push(name, value);
  const payload = response.body === undefined ? undefined : JSON.stringify(response.body);
  if (payload === undefined) headers.push('Content-Length', '0');
  else
    headers.push(
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(Buffer.byteLength(payload)),
    );
  // Headers already set on `res` (by other answers' paths) stay, and these replace any of the same name.
  res.writeHead(response.status ?? 200, headers);
  res.end(payload);
}

/**
 * The one place errors become HTTP (errors.md §2): ParseError → its status and `{code, error}` (or the
 * bare `{error}` Parse uses for credential failures); anything else → 500
 * `{"code":1,"message":"Internal server error."}` and a log line with the real cause.
 */
const GENERIC_MESSAGE = ERROR_CATALOG[ErrorCode.INTERNAL_SERVER_ERROR].message;

export function sendError(options: { res: ServerResponse; err: unknown; log: Logger; preset?: ResponseHeaders }): void {
  const { res, err, log, preset } = options;
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
    sendJson(res, { status, body }, preset);
    return;
  }
  log.debug({ code: error.code, message: error.message }, 'request failed');
  sendJson(res, { status: error.httpStatus, body: error.toJSON() }, preset);
}
