import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Credentials } from '../auth/index.js';
import type { HttpMethod } from './api-types.js';

/**
 * The HTTP side of `X-Parse-Request-Id` (rest.md §1.7): which requests are deduplicated, and the fingerprint
 * that lets a repeat be replayed only to the same request. The rules themselves live in core (`once`).
 */

const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'DELETE']);

/**
 * The request id of a write (POST/PUT/DELETE after the `_method` override), or undefined: reads and
 * requests without the header are never deduplicated. An empty header is returned as '' so core rejects it.
 */
export function writeRequestId(req: IncomingMessage, method: HttpMethod): string | undefined {
  if (!WRITE_METHODS.has(method)) return undefined;
  const header = req.headers['x-parse-request-id'];
  if (header === undefined) return undefined;
  return Array.isArray(header) ? header.join(',') : header;
}

/**
 * Method, mount-relative URL, caller (key kind, presented session token, installation), JSON body and the
 * body's type and length, hashed: someone who learns a request id but sends another request, or the same one
 * as someone else, gets 159, never the stored response. A streamed file upload has no JSON body here, so for
 * it the type and length stand in for the bytes, which are not buffered to be hashed.
 */
export function requestFingerprint(options: {
  method: HttpMethod;
  url: string;
  credentials: Credentials;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}): string {
  const { method, url, credentials, body, headers } = options;
  const caller = [credentials.auth.kind, credentials.sessionToken ?? '', credentials.auth.installationId ?? ''];
  const payload = [headers['content-type'] ?? '', headers['content-length'] ?? ''];
  return createHash('sha256')
    .update(JSON.stringify([method, url, caller, body, payload]))
    .digest('base64url');
}
