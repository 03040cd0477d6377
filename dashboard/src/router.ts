import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/<appId>/<page>/<rest...>`): the server serves one index.html, and a reload or a shared
 * link lands on the same page.
 */
export interface Route {
  readonly appId: string | undefined;
  readonly page: string;
  readonly rest: readonly string[];
  /** `?a=b` after the hash path. */
  readonly params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? '' : raw.slice(queryAt + 1));
  const parts = path
    .split('/')
    .filter((p) => p.length > 0)
    .map((p) => safeDecode(p));
  return { appId: parts[0], page: parts[1] ?? 'overview', rest: parts.slice(2), params };
}

export function routeHref(options: {
  appId: string;
  page: string;
  rest?: readonly string[];
  params?: Record<string, string>;
}): string {
  const parts = [options.appId, options.page, ...(options.rest ?? [])].map((p) => encodeURIComponent(p));
  const query = options.params === undefined ? '' : new URLSearchParams(options.params).toString();
  return `#/${parts.join('/')}${query === '' ? '' : `?${query}`}`;
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
