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
 * CORS headers on every response (rest.md §1.5), as a flat name, value, ... list. The origin is `*` unless
 * `allowOrigin` lists origins, in which case a listed request Origin (`origin`) is echoed and otherwise the first
 * entry is sent.
 */
export function corsHeaderPairs(options: { origin: string | undefined; allowOrigin: readonly string[] }): string[] {
  const { origin: requested, allowOrigin } = options;
  const pairs: string[] = [];
  let origin = '*';
  if (allowOrigin.length > 0 && !allowOrigin.includes('*')) {
    origin = requested !== undefined && allowOrigin.includes(requested) ? requested : (allowOrigin[0] as string);
    pairs.push('Vary', 'Origin');
  }
  pairs.push(
    'Access-Control-Allow-Origin',
    origin,
    'Access-Control-Allow-Methods',
    'GET,PUT,POST,DELETE,OPTIONS',
    'Access-Control-Allow-Headers',
    ALLOW_HEADERS,
    'Access-Control-Expose-Headers',
    'X-Parse-Job-Status-Id, X-Parse-Push-Status-Id',
  );
  return pairs;
}
