import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOW_HEADERS = [
  'X-Parse-Master-Key',
  'X-Parse-REST-API-Key',
  'X-Parse-Javascript-Key',
  'X-Parse-Application-Id',
  'X-Parse-Client-Version',
  'X-Parse-Session-Token',
  'X-Requested-With',
  'X-Parse-Revocable-Session',
  'X-Parse-Request-Id',
  'Content-Type',
  'Pragma',
  'Cache-Control',
].join(', ');

/**
 * CORS headers on every response (rest.md §1.5). The origin is `*` unless `allowOrigin` lists origins,
 * in which case a listed request Origin is echoed and otherwise the first entry is sent.
 */
export function applyCors(options: {
  req: IncomingMessage;
  res: ServerResponse;
  allowOrigin: readonly string[];
}): void {
  const { req, res, allowOrigin } = options;
  let origin = '*';
  if (allowOrigin.length > 0 && !allowOrigin.includes('*')) {
    const requested = req.headers.origin;
    origin = requested !== undefined && allowOrigin.includes(requested) ? requested : (allowOrigin[0] as string);
    res.setHeader('Vary', 'Origin');
  }
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', 'GET,PUT,POST,DELETE,OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
  res.setHeader('Access-Control-Expose-Headers', 'X-Parse-Job-Status-Id, X-Parse-Push-Status-Id');
}
