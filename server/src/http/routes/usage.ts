import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';

/**
 * `GET /usage?from=<ISO date>&to=<ISO date>` (master key): metered invocations, errors and compute
 * milliseconds per hour, for the app and per cloud function, trigger and job (core/usage.ts). Strata's own
 * route; the body shape is documented in the README ("Metering").
 */
export function usageRoute(): RouteDefinition {
  return { method: 'GET', path: '/usage', handler: usage };
}

async function usage(request: ApiRequest): Promise<ApiResponse> {
  const from = dateParam(request.query['from'], 'from');
  const to = dateParam(request.query['to'], 'to');
  const report = await request.core.usage({
    auth: request.auth,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  });
  return { body: report };
}

/** An ISO 8601 date or a Parse `{"__type":"Date","iso":...}`; the query string JSON-parses values it can. */
function dateParam(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const iso =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value !== null && (value as { __type?: unknown }).__type === 'Date'
        ? (value as { iso?: unknown }).iso
        : undefined;
  const date = typeof iso === 'string' ? new Date(iso) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `\`${name}\` must be an ISO 8601 date.` });
  }
  return date;
}
