import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';

/**
 * Serves the dashboard's built static files (`@strata/dashboard`'s `dist/`, made by `vite build` at install
 * time). Hashed assets are cached for good; `index.html` never is. Every page carries a Content Security
 * Policy that allows only this origin's scripts and no framing.
 */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: http: https:; " +
    "media-src 'self' blob: http: https:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The built dashboard's directory, or undefined when the package is not built (or not installed). */
export function locateDashboardAssets(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@strata/dashboard/package.json');
    const dist = join(dirname(pkg), 'dist');
    return existsSync(join(dist, 'index.html')) ? dist : undefined;
  } catch {
    return undefined;
  }
}

/** Serves `relative` (below the dashboard path) from `root`; unknown paths get `index.html` (client routes). */
export function serveStatic(
  options: { root: string; relative: string },
  http: { req: IncomingMessage; res: ServerResponse },
): void {
  const { req, res } = http;
  const clean = decodeSafe(options.relative.split('?')[0] ?? '/');
  let file = clean === undefined ? undefined : normalize(join(options.root, clean));
  if (file !== undefined && !file.startsWith(options.root + sep) && file !== options.root) file = undefined;
  const isFile = file !== undefined && existsSync(file) && statSync(file).isFile();
  if (!isFile) {
    // A missing hashed asset is a real 404; anything else is a client-side route served by index.html.
    if (clean?.startsWith('/assets/') === true || file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Not found');
      return;
    }
    file = join(options.root, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Not found');
      return;
    }
  }
  const target = file as string;
  const hashed = target.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
    'content-length': String(statSync(target).size),
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(target).pipe(res);
}

function decodeSafe(path: string): string | undefined {
  try {
    const decoded = decodeURIComponent(path);
    return decoded.includes('\0') ? undefined : decoded;
  } catch {
    return undefined;
  }
}
