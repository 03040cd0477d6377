import { ErrorCode, ParseError } from '../../errors/index.js';
import type { LogQuery } from '../../infra/index.js';
import type { ApiRequest, RouteDefinition } from '../api-types.js';

const LEVELS: ReadonlySet<string> = new Set(['error', 'warn', 'info', 'verbose', 'debug', 'silly']);

/**
 * `GET /scriptlog` (master key or read-only master key): this server's recent log lines, as parse-server's
 * logs API answers them (an array of `{timestamp, level, message, ...}`, newest first), which is what
 * parse-dashboard's Logs page and Strata's dashboard read. Parameters: `level` (least severe level
 * shown), `size` or `n` (1-1000, default 100), `order` (`desc`|`asc`), `from`/`until` (dates), `requestId`,
 * `jobId` (Strata's: a job run's own lines).
 */
export function logRoutes(): RouteDefinition[] {
  return [{ method: 'GET', path: '/scriptlog', handler: (request) => Promise.resolve(readLogs(request)) }];
}

function readLogs(request: ApiRequest): { body: unknown } {
  const params = { ...request.body, ...request.query };
  const query: { -readonly [K in keyof LogQuery]: LogQuery[K] } = {};
  const level = params['level'];
  if (level !== undefined) {
    if (typeof level !== 'string' || !LEVELS.has(level))
      throw invalid(`level must be one of ${[...LEVELS].join(', ')}`);
    query.level = level;
  }
  // `n` is parse-server's other name for `size` (parse-dashboard's Logs page sends `n=100`).
  const size = params['size'] ?? params['n'];
  if (size !== undefined) {
    const n = typeof size === 'string' ? Number(size) : size;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1000)
      throw invalid('size must be an integer from 1 to 1000');
    query.size = n;
  }
  const order = params['order'];
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') throw invalid('order must be asc or desc');
    query.order = order;
  }
  for (const key of ['from', 'until'] as const) {
    const value = params[key];
    if (value === undefined) continue;
    const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) throw invalid(`${key} must be a date`);
    query[key] = date;
  }
  for (const key of ['requestId', 'jobId'] as const) {
    const value = params[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw invalid(`${key} must be a string`);
    query[key] = value;
  }
  return { body: request.core.readLogs({ auth: request.auth, query }) };
}

function invalid(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_QUERY, { message });
}
