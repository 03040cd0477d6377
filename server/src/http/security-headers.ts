import type { ServerResponse } from 'node:http';

/**
 * Security headers for every answer. The API answers JSON that no browser should render, sniff or frame, and
 * whose URLs (session tokens never travel in them, but object ids and query values do) no referrer should
 * carry: `nosniff`, no referrer, no framing and a CSP that loads nothing. Pages and the dashboard's static
 * files replace the CSP with their own. File downloads (user content: images, PDFs that apps show in
 * frames of their own) get `nosniff` and no referrer only; active content there gets its own sandbox CSP.
 * HSTS is sent on HTTPS requests (as `--trust-proxy` resolved the scheme), where browsers honour it.
 */
const ALWAYS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
];

const NOT_RENDERED: ReadonlyArray<readonly [string, string]> = [
  ['X-Frame-Options', 'DENY'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
];

export type SecurityHeaderKind = 'api' | 'file';

export function setSecurityHeaders(res: ServerResponse, options: { kind: SecurityHeaderKind; https: boolean }): void {
  for (const [name, value] of ALWAYS) res.setHeader(name, value);
  for (const [name, value] of NOT_RENDERED) {
    if (options.kind === 'api') res.setHeader(name, value);
    else res.removeHeader(name);
  }
  if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

/** The API's security headers (`kind: 'api'`) as a flat name, value, ... list, in `setSecurityHeaders`'s order. */
export function securityHeaderPairs(options: { https: boolean }): string[] {
  const pairs = [...ALWAYS, ...NOT_RENDERED].flat();
  if (options.https) pairs.push('Strict-Transport-Security', 'max-age=31536000');
  return pairs;
}
