import type { ServerResponse } from 'node:http';
import { ErrorCode, toParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';

/**
 * Failures before GraphQL runs answer as REST does (the bare 403, 400 `{"code":209}`, 413); anything else is
 * logged and answered 500 `{"code":1}`. Used by the handler and by the door (an engine that failed to load).
 */
export function sendRestError(res: ServerResponse, err: unknown, log: Logger): void {
  const error = toParseError(err);
  if (error.code === ErrorCode.INTERNAL_SERVER_ERROR) log.error({ err: error.cause ?? err }, 'internal error');
  const body = JSON.stringify(
    error.code === ErrorCode.INTERNAL_SERVER_ERROR ? { code: 1, message: 'Internal server error.' } : error.toJSON(),
  );
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = error.code === ErrorCode.INTERNAL_SERVER_ERROR ? 500 : error.httpStatus;
  if (error.httpStatus === 413) res.setHeader('Connection', 'close');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
