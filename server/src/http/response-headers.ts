import type { IncomingMessage, ServerResponse } from 'node:http';
import { corsHeaderPairs } from './cors.js';
import { securityHeaderPairs } from './security-headers.js';

/**
 * The headers every answer of the listener carries: its request id, the security headers and CORS. The API's
 * JSON answers hand them to `writeHead` together with their own (`send.ts`): Node then writes the list as given,
 * where a `setHeader` per header (validated, lower-cased and stored in a map, then read back) cost ~3 % of a
 * write's server CPU for these ten. Every other answer (ops, pages, files, 404s) gets them with `applyHeaders`
 * before it starts.
 */
export interface ResponseHeaders {
  readonly requestId: string;
  /** Name, value, name, value... in the order they are written. */
  readonly fixed: readonly string[];
}

/**
 * Builds each request's fixed headers; the list is computed once per scheme when CORS does not depend on the
 * request's Origin (`allowOrigin` empty or `*`), else per request.
 */
export function createResponseHeaders(options: {
  allowOrigin: readonly string[];
}): (req: IncomingMessage, https: boolean) => readonly string[] {
  const { allowOrigin } = options;
  const perOrigin = allowOrigin.length > 0 && !allowOrigin.includes('*');
  const build = (origin: string | undefined, https: boolean): string[] => [
    ...securityHeaderPairs({ https }),
    ...corsHeaderPairs({ origin, allowOrigin }),
  ];
  if (perOrigin) return (req, https) => build(req.headers.origin, https);
  const plain = build(undefined, false);
  const secure = build(undefined, true);
  return (_req, https) => (https ? secure : plain);
}

/** Sets the fixed headers on `res` (every answer but the API's JSON, which passes them to `writeHead`). */
export function applyHeaders(res: ServerResponse, headers: ResponseHeaders): void {
  res.setHeader('X-Request-Id', headers.requestId);
  const { fixed } = headers;
  for (let i = 0; i < fixed.length; i += 2) res.setHeader(fixed[i] as string, fixed[i + 1] as string);
}
