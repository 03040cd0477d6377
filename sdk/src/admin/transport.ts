import { StrataError, errorFromResponse } from '../errors.js';

/**
 * How the admin client reaches an app. Scripts use `masterKeyTransport` (the app's REST API with the master
 * key, server-side only); the dashboard uses `dashboardTransport`, whose requests carry the browser's
 * session cookie and CSRF token to the dashboard server, which adds the key itself.
 */
export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface AdminRequest {
  readonly method: AdminMethod;
  /** Below the app's REST mount, e.g. `/schemas/Game`. */
  readonly path: string;
  /** Query parameters; objects are JSON-encoded as Parse expects (`where={"a":1}`). */
  readonly query?: Readonly<Record<string, unknown>>;
  /** A JSON body. */
  readonly body?: unknown;
  /** A raw body (file upload, import) sent with `contentType`. */
  readonly rawBody?: Blob | ArrayBuffer | Uint8Array | string;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

export interface AdminResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The decoded JSON body (`{}` when empty). */
  readonly body: unknown;
}

export interface AdminTransport {
  /** Sends one request; a non-2xx answer rejects with a StrataError. */
  request(request: AdminRequest): Promise<AdminResponse>;
  /** The URL of a GET, for links and `<img src>` where the transport allows it (the dashboard's does). */
  url(path: string, query?: Readonly<Record<string, unknown>>): string;
}

export function queryString(query: AdminRequest['query']): string {
  const params: string[] = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    params.push(`${encodeURIComponent(name)}=${encodeURIComponent(text)}`);
  }
  return params.length === 0 ? '' : `?${params.join('&')}`;
}

/** Sends a request over fetch to `base + path` with the given extra headers and decodes the answer. */
async function fetchJson(options: {
  fetch: typeof fetch;
  base: string;
  headers: Record<string, string>;
  request: AdminRequest;
  credentials?: RequestCredentials;
}): Promise<AdminResponse> {
  const { request } = options;
  const headers: Record<string, string> = { ...options.headers };
  let body: BodyInit | undefined;
  if (request.rawBody !== undefined) {
    body = request.rawBody as BodyInit;
    headers['Content-Type'] = request.contentType ?? 'application/octet-stream';
  } else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await options.fetch(`${options.base}${request.path}${queryString(request.query)}`, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
  } catch (err) {
    if (request.signal?.aborted === true) throw err;
    throw new StrataError({ code: 100, message: `cannot reach the server: ${String(err)}`, status: 0, cause: err });
  }
  const text = await response.text();
  let decoded: unknown = {};
  if (text.length > 0) {
    try {
      decoded = JSON.parse(text);
    } catch {
      decoded = response.ok ? text : { error: text.slice(0, 300) };
    }
  }
  if (!response.ok) throw errorFromResponse(response.status, decoded);
  return { status: response.status, headers: response.headers, body: decoded };
}

/**
 * The app's REST API with its master key: for scripts and servers only (never ship a master key to a browser).
 *
 * @example
 * const admin = createAdminClient({ transport: masterKeyTransport({ serverURL, appId, masterKey }) });
 */
export function masterKeyTransport(options: {
  serverURL: string;
  appId: string;
  masterKey: string;
  fetch?: typeof fetch;
}): AdminTransport {
  const base = options.serverURL.replace(/\/+$/, '');
  const headers = { 'X-Parse-Application-Id': options.appId, 'X-Parse-Master-Key': options.masterKey };
  return {
    request: (request) => fetchJson({ fetch: options.fetch ?? globalThis.fetch, base, headers, request }),
    url: (path, query) => `${base}${path}${queryString(query)}`,
  };
}

/**
 * The dashboard server's app API (`/dashboard/api/apps/<appId>`), authenticated by the session cookie; the
 * CSRF token is sent on every request.
 */
export function dashboardTransport(options: {
  base: string;
  csrfToken: () => string;
  fetch?: typeof fetch;
}): AdminTransport {
  const base = options.base.replace(/\/+$/, '');
  return {
    request: (request) =>
      fetchJson({
        fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
        base,
        headers: { 'X-CSRF-Token': options.csrfToken() },
        request,
        credentials: 'same-origin',
      }),
    url: (path, query) => `${base}${path}${queryString(query)}`,
  };
}
