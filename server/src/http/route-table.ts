import type { HttpMethod, RouteDefinition } from './api-types.js';

interface CompiledRoute {
  readonly route: RouteDefinition;
  /** Literal segments as strings, parameters as `{ name }`. */
  readonly segments: ReadonlyArray<string | { readonly name: string }>;
}

export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly params: Record<string, string>;
}

/**
 * Matches mount-relative paths against the API routes. Shared by the HTTP front end and `/batch`, so a
 * sub-request is routed exactly like a real request. Empty segments are ignored (`/parse//classes/X`
 * routes, as Parse allows).
 */
export class RouteTable {
  private readonly byMethod = new Map<HttpMethod, CompiledRoute[]>();

  constructor(routes: readonly RouteDefinition[]) {
    for (const route of routes) {
      const segments = splitPath(route.path).map((s) => (s.startsWith(':') ? { name: s.slice(1) } : s));
      const list = this.byMethod.get(route.method) ?? [];
      list.push({ route, segments });
      this.byMethod.set(route.method, list);
    }
  }

  /** Returns undefined when nothing matches; a segment that is not valid URL encoding never matches. */
  match(method: string, path: string): RouteMatch | undefined {
    const candidates = this.byMethod.get(method as HttpMethod);
    if (candidates === undefined) return undefined;
    const parts = splitPath(path);
    for (const candidate of candidates) {
      const params = matchSegments(candidate.segments, parts);
      if (params !== undefined) return { route: candidate.route, params };
    }
    return undefined;
  }

  /** Whether any method serves this path (to tell 404 from 405-like misses). */
  hasPath(path: string): boolean {
    for (const method of this.byMethod.keys()) if (this.match(method, path) !== undefined) return true;
    return false;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(
  segments: CompiledRoute['segments'],
  parts: readonly string[],
): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  // The literal segments first: most candidates a path is tried against fail there, before any decoding.
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (typeof segment === 'string' && segment !== parts[i]) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as CompiledRoute['segments'][number];
    const part = parts[i] as string;
    if (typeof segment === 'string') continue;
    try {
      params[segment.name] = decodeURIComponent(part);
    } catch {
      return undefined;
    }
  }
  return params;
}
