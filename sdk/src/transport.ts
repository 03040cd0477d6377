import { StrataError, errorFromResponse } from './errors.js';

/**
 * Sends one Parse REST request over `fetch` with the app id and credentials in headers, and decodes the JSON
 * answer or throws a StrataError. Knows nothing about classes or objects.
 */
export interface ClientOptions {
  /** The server's URL including the mount path, e.g. `http://localhost:1337/parse`. */
  readonly serverURL: string;
  readonly appId: string;
  /** Sent as `X-Parse-REST-API-Key` and `X-Parse-Client-Key`. */
  readonly clientKey?: string;
  /** Only for trusted server-side code: bypasses ACLs and class-level permissions. */
  readonly masterKey?: string;
  /** Logged-in user's session token. */
  readonly sessionToken?: string;
  /** A fetch implementation; defaults to the global one (browsers, Node 18+, React Native). */
  readonly fetch?: typeof fetch;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  readonly method: HttpMethod;
  /** Path below the server URL, e.g. `/classes/GameScore/abc`. */
  readonly path: string;
  readonly body?: unknown;
  /** Query parameters; objects are JSON-encoded (`where={"score":1}`) as Parse expects. */
  readonly query?: Readonly<Record<string, unknown>>;
}

function buildURL(serverURL: string, request: RequestOptions): string {
  const url = new URL(`${serverURL.replace(/\/+$/, '')}${request.path}`);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value === undefined) continue;
    url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return url.toString();
}

function headersFor(options: ClientOptions, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'X-Parse-Application-Id': options.appId };
  if (options.clientKey !== undefined) {
    headers['X-Parse-REST-API-Key'] = options.clientKey;
    headers['X-Parse-Client-Key'] = options.clientKey;
  }
  if (options.masterKey !== undefined) headers['X-Parse-Master-Key'] = options.masterKey;
  if (options.sessionToken !== undefined) headers['X-Parse-Session-Token'] = options.sessionToken;
  if (hasBody) headers['Content-Type'] = 'application/json';
  return headers;
}

/** Performs the request and returns the decoded JSON body of a 2xx answer. */
export async function sendRequest(options: ClientOptions, request: RequestOptions): Promise<unknown> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const hasBody = request.body !== undefined;
  let response: Response;
  try {
    response = await doFetch(buildURL(options.serverURL, request), {
      method: request.method,
      headers: headersFor(options, hasBody),
      ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
    });
  } catch (err) {
    throw new StrataError({ code: 100, message: `cannot reach ${options.serverURL}`, status: 0, cause: err });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : {};
  } catch (err) {
    throw new StrataError({
      code: 107,
      message: `the server answered ${response.status} with non-JSON`,
      status: response.status,
      cause: err,
    });
  }
  if (!response.ok) throw errorFromResponse(response.status, body);
  return body;
}
