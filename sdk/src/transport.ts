import { ErrorCodes, StrataError, errorFromResponse } from './errors.js';
import { newRequestId } from './request-id.js';
import type { WebSocketConstructor } from './live-socket.js';
import type { StorageAdapter } from './storage.js';

/**
 * Sends one Parse REST call over `fetch`: credentials in headers, an `X-Parse-Request-Id` on every write
 * (kept across its retries so the server can answer a repeat with the original result), retries with
 * exponential backoff and jitter for calls that are safe to repeat, one deadline per call and the caller's
 * AbortSignal. Knows nothing about classes or users.
 */

export interface RetryOptions {
  /** Extra attempts after the first (default 3; 0 disables retries). */
  readonly retries?: number;
  /** Delay before the first retry; doubled on each next one (default 250 ms). */
  readonly minDelayMs?: number;
  /** Upper bound of any one delay, `Retry-After` included (default 5000 ms). */
  readonly maxDelayMs?: number;
}

export interface ClientOptions {
  /** The server's URL including the mount path, e.g. `http://localhost:1337/parse`. */
  readonly serverURL: string;
  readonly appId: string;
  /** Sent as `X-Parse-REST-API-Key` and `X-Parse-Javascript-Key` (both allowed by Parse's CORS headers). */
  readonly clientKey?: string;
  /** Trusted server-side code only: bypasses ACLs and class-level permissions. Never ship it to clients. */
  readonly masterKey?: string;
  /** A fixed session token, instead of the logged-in user's. */
  readonly sessionToken?: string;
  /** Where the logged-in user is kept (default: memory). See `localStorageAdapter`. */
  readonly storage?: StorageAdapter;
  /** The storage key of the logged-in user (default `strata:<appId>:currentUser`). */
  readonly storageKey?: string;
  /** Deadline of each call, retries included (default 30 000 ms; 0: none). Overridable per call. */
  readonly timeoutMs?: number;
  /** Retry policy for network errors, 5xx and 429 (default: 3 retries, 250 ms doubling, at most 5 s). */
  readonly retry?: RetryOptions;
  /** A fetch implementation; defaults to the global one (browsers, Node ≥ 18, React Native). */
  readonly fetch?: typeof fetch;
  /** LiveQuery's WebSocket URL (default: the server URL as `ws:`/`wss:`; Strata accepts any path). */
  readonly liveQueryURL?: string;
  /** A WebSocket class for LiveQuery; defaults to the global one (browsers, Node ≥ 22). Node 20: `ws`'s. */
  readonly WebSocket?: WebSocketConstructor;
}

/** Options every SDK call accepts. */
export interface CallOptions {
  /** Abort the call (it then rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** This call's deadline in ms, retries included (0: none); rejects with `StrataError` code 124 `TIMEOUT`. */
  readonly timeoutMs?: number;
  /** Use this session token for this call (`null`: send none), instead of the logged-in user's. */
  readonly sessionToken?: string | null;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions extends CallOptions {
  readonly method: HttpMethod;
  /** Path below the server URL, e.g. `/classes/GameScore/abc`. */
  readonly path: string;
  /** JSON body (already in REST encoding). */
  readonly body?: unknown;
  /** A raw body (file uploads), sent with `contentType`. */
  readonly rawBody?: BodyInit;
  readonly contentType?: string;
  /** Query parameters; objects are JSON-encoded (`where={"score":1}`) as Parse expects. */
  readonly query?: Readonly<Record<string, unknown>>;
}

export interface RawResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

/** What the transport needs from the client. */
export interface TransportContext {
  readonly options: ClientOptions;
  /** The logged-in user's token, if any. */
  readonly currentToken: () => Promise<string | undefined>;
}

/** Longer GET URLs are sent as `POST` with `_method: GET` in the body, as Parse's SDKs do. */
const MAX_URL_LENGTH = 4000;

function buildURL(serverURL: string, path: string, query: RequestOptions['query']): string {
  const params: string[] = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    params.push(`${encodeURIComponent(name)}=${encodeURIComponent(text)}`);
  }
  const base = `${serverURL.replace(/\/+$/, '')}${path}`;
  return params.length === 0 ? base : `${base}?${params.join('&')}`;
}

async function headersFor(context: TransportContext, request: RequestOptions): Promise<Record<string, string>> {
  const { options } = context;
  const headers: Record<string, string> = { 'X-Parse-Application-Id': options.appId };
  if (options.clientKey !== undefined) {
    headers['X-Parse-REST-API-Key'] = options.clientKey;
    headers['X-Parse-Javascript-Key'] = options.clientKey;
  }
  if (options.masterKey !== undefined) headers['X-Parse-Master-Key'] = options.masterKey;
  const token =
    request.sessionToken === null
      ? undefined
      : (request.sessionToken ?? options.sessionToken ?? (await context.currentToken()));
  if (token !== undefined) headers['X-Parse-Session-Token'] = token;
  return headers;
}

/** Why a signal aborted; older AbortSignal polyfills (React Native) have no `reason`. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with "equal jitter": half fixed, half random, bounded by `maxDelayMs`. */
function backoff(retry: Required<RetryOptions>, attempt: number, retryAfter: string | null): number {
  const exponential = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** attempt);
  const jittered = exponential / 2 + (Math.random() * exponential) / 2;
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  return Math.min(retry.maxDelayMs, Number.isFinite(seconds) ? Math.max(jittered, seconds * 1000) : jittered);
}

/** Combines the caller's signal and the call's deadline into one signal. */
function callSignal(
  signal: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(signal === undefined ? undefined : abortReason(signal));
  if (signal?.aborted === true) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(
            new StrataError({ code: ErrorCodes.TIMEOUT, message: `timed out after ${timeoutMs} ms`, status: 0 }),
          );
        }, timeoutMs)
      : undefined;
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!response.ok) return { error: text.slice(0, 200) };
    throw new StrataError({
      code: ErrorCodes.INVALID_JSON,
      message: `the server answered ${response.status} with non-JSON`,
      status: response.status,
      cause: err,
    });
  }
}

function isStream(body: BodyInit | undefined): boolean {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;
}

/**
 * Performs the call and returns status, decoded JSON body and headers of a 2xx answer; anything else
 * rejects with a StrataError (or the abort signal's reason).
 */
export async function send(context: TransportContext, request: RequestOptions): Promise<RawResponse> {
  const { options } = context;
  const doFetch = options.fetch ?? globalThis.fetch;
  const retry: Required<RetryOptions> = {
    retries: options.retry?.retries ?? 3,
    minDelayMs: options.retry?.minDelayMs ?? 250,
    maxDelayMs: options.retry?.maxDelayMs ?? 5000,
  };
  const write = request.method !== 'GET';
  // One id per logical call, reused on every retry: the server recognises the repeat.
  const requestId = write ? newRequestId() : undefined;
  // A stream can be read once: such an upload is never retried.
  const retryable = !isStream(request.rawBody);
  const headers = await headersFor(context, request);
  if (requestId !== undefined) headers['X-Parse-Request-Id'] = requestId;

  let url = buildURL(options.serverURL, request.path, request.query);
  let method: HttpMethod = request.method;
  let body: BodyInit | undefined = request.rawBody;
  if (request.rawBody !== undefined) {
    if (request.contentType !== undefined) headers['Content-Type'] = request.contentType;
  } else if (request.body !== undefined || (method === 'GET' && url.length > MAX_URL_LENGTH)) {
    let json = request.body ?? {};
    if (method === 'GET') {
      json = { ...(request.query ?? {}), _method: 'GET' };
      url = buildURL(options.serverURL, request.path, undefined);
      method = 'POST';
    }
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }

  const deadline = callSignal(request.signal, request.timeoutMs ?? options.timeoutMs ?? 30_000);
  try {
    for (let attempt = 0; ; attempt++) {
      const canRetry = retryable && attempt < retry.retries;
      let response: Response;
      let parsed: unknown;
      try {
        const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: deadline.signal };
        if (body !== undefined) init.body = body;
        if (isStream(body)) init.duplex = 'half';
        response = await doFetch(url, init);
        // Inside the try: a connection lost while the body arrives is a network error like any other.
        parsed = await readBody(response);
      } catch (err) {
        if (err instanceof StrataError) throw err;
        if (deadline.signal.aborted) throw abortReason(deadline.signal);
        if (!canRetry) {
          throw new StrataError({
            code: ErrorCodes.CONNECTION_FAILED,
            message: `cannot reach ${options.serverURL}`,
            status: 0,
            cause: err,
          });
        }
        await wait(backoff(retry, attempt, null), deadline.signal);
        continue;
      }
      if (response.ok) return { status: response.status, body: parsed, headers: response.headers };
      const error = errorFromResponse(response.status, parsed);
      const transient =
        response.status >= 500 ||
        response.status === 429 ||
        // A repeat of a write whose original is still running: wait for it to finish, then ask again.
        (attempt > 0 && error.code === ErrorCodes.DUPLICATE_REQUEST);
      const again = canRetry && transient;
      if (!again) throw error;
      await wait(backoff(retry, attempt, response.headers.get('retry-after')), deadline.signal);
    }
  } catch (err) {
    if (deadline.timedOut() && !(err instanceof StrataError && err.code === ErrorCodes.TIMEOUT)) {
      throw new StrataError({ code: ErrorCodes.TIMEOUT, message: 'timed out', status: 0, cause: err });
    }
    throw err;
  } finally {
    deadline.done();
  }
}

/** `send`, returning only the body. */
export async function call(context: TransportContext, request: RequestOptions): Promise<unknown> {
  return (await send(context, request)).body;
}
