import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Auth, Credentials } from '../auth/index.js';
import type { Core } from '../core/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import type { ApiRequest, ApiResponse, HttpMethod, RouteDefinition } from './api-types.js';
import type { RouteMatch, RouteTable } from './route-table.js';

/**
 * The one entry that runs a decoded API request, whoever decoded it: the HTTP listener (`api-handler.ts`),
 * `/batch` sub-requests (`routes/batch.ts`) and cloud code's in-process Parse SDK calls (`in-process.ts`).
 * It matches the route, resolves the caller (a presented session token, unless the route reads it itself
 * or a master-like key was accepted), runs a write carrying a request id once, and calls the route's
 * handler, which calls one core operation. Errors are thrown as `ParseError`s; each entrance answers
 * them in its own protocol (`send.ts` is the one HTTP mapping).
 */

/** Who is calling, as the entrance knows it. */
export type DispatchCaller =
  /** Keys accepted by `CredentialResolver` (or built by trusted code); the session token is resolved here. */
  | { readonly credentials: Credentials }
  /** Already resolved: a `/batch` sub-request runs as its batch's caller. */
  | { readonly auth: Auth; readonly sessionToken?: string };

export interface DispatchRequest {
  readonly method: HttpMethod;
  /** Relative to the mount, without the query string. */
  readonly path: string;
  /** Query-string values (JSON-parsed when they parse). */
  readonly query: Readonly<Record<string, unknown>>;
  /** The JSON body, credentials and `_method` already removed. */
  readonly body: Record<string, unknown>;
  readonly caller: DispatchCaller;
  /** `X-Parse-Cloud-Context` / `_context`. */
  readonly context: Readonly<Record<string, unknown>>;
  /** Public URL of the mount (Location headers, file URLs). */
  readonly mountURL: string;
  /** A write carrying `X-Parse-Request-Id` (rest.md §1.7): runs once per id; `fingerprint` names the request. */
  readonly requestId?: { readonly id: string; readonly fingerprint: string };
  /** The core to call: a `/batch` transaction's, else the app's. */
  readonly core?: Core;
  readonly headers?: IncomingHttpHeaders;
  readonly ip?: string;
  readonly log?: Logger;
  /** The unread body of a `body: 'stream'` route called with header credentials. */
  readonly rawBody?: IncomingMessage;
  /** `_ContentType` of the JS SDK's body form. */
  readonly contentType?: string;
}

/** A request matched to its route, before it runs (`/batch` plans every sub-request before running any). */
export interface DispatchPlan {
  readonly request: DispatchRequest;
  readonly match: RouteMatch;
}

export class Dispatcher {
  readonly #core: Core;
  readonly #routes: RouteTable;
  readonly #mountPath: string;

  constructor(options: { core: Core; routes: RouteTable; mountPath: string }) {
    this.#core = options.core;
    this.#routes = options.routes;
    this.#mountPath = options.mountPath;
  }

  /** The route a method and path would reach, if any (the listener reads a route's body rules before decoding). */
  route(method: string, path: string): RouteDefinition | undefined {
    return this.#routes.match(method, path)?.route;
  }

  /**
   * The route and path parameters a method and path reach, if any: the listener matches once, reads the route's
   * body rules, and hands the match back to `plan` so the path is not matched twice.
   */
  match(method: string, path: string): RouteMatch | undefined {
    return this.#routes.match(method, path);
  }

  /**
   * Matches the route: nothing → 404 `{"error":"Cannot <method> <path>"}`; with `batched`, a route `/batch`
   * may not call (nested batches, anything but object and user operations) → 107 "cannot route".
   */
  plan(request: DispatchRequest, options: { batched?: boolean; matched?: RouteMatch } = {}): DispatchPlan {
    const { method, path } = request;
    const match = options.matched ?? this.#routes.match(method, path);
    if (options.batched === true) {
      if (match === undefined || match.route.batchable !== true) {
        throw new ParseError(ErrorCode.INVALID_JSON, { message: `cannot route ${method} ${path}` });
      }
      return { request, match };
    }
    if (match === undefined) {
      throw new ParseError(ErrorCode.INVALID_JSON, {
        message: `Cannot ${method} ${path}`,
        httpStatus: 404,
        bare: true,
      });
    }
    return { request, match };
  }

  /** Runs a planned request: caller, request id, handler. */
  async run(plan: DispatchPlan): Promise<ApiResponse> {
    const { request, match } = plan;
    const core = request.core ?? this.#core;
    const { auth, sessionToken } = await this.#caller({ core, caller: request.caller, route: match.route });
    // Optional fields are set only when present (handlers tell absent from set), without a spread for each.
    const apiRequest: { -readonly [K in keyof ApiRequest]: ApiRequest[K] } = {
      method: request.method,
      auth,
      core,
      params: match.params,
      body: request.body,
      query: request.query,
      mountURL: request.mountURL,
      mountPath: this.#mountPath,
      context: request.context,
    };
    if (sessionToken !== undefined) apiRequest.sessionToken = sessionToken;
    if (request.headers !== undefined) apiRequest.headers = request.headers;
    if (request.ip !== undefined) apiRequest.ip = request.ip;
    if (request.log !== undefined) apiRequest.log = request.log;
    if (request.rawBody !== undefined) apiRequest.rawBody = request.rawBody;
    if (request.contentType !== undefined) apiRequest.contentType = request.contentType;
    const handle = (): Promise<ApiResponse> => match.route.handler(apiRequest);
    if (request.requestId === undefined) return handle();
    return once({ core, requestId: request.requestId, run: handle });
  }

  /** `plan` and `run`; `matched`: what `match` answered for this request's method and path. */
  dispatch(request: DispatchRequest, matched?: RouteMatch): Promise<ApiResponse> {
    return this.run(this.plan(request, matched === undefined ? {} : { matched }));
  }

  /**
   * A presented session token is resolved on every request (rest.md §1.3), even where no user is needed, so
   * a stale token fails with 209; except when a master-like key was accepted or the route reads it itself.
   */
  async #caller(options: {
    core: Core;
    caller: DispatchCaller;
    route: RouteDefinition;
  }): Promise<{ auth: Auth; sessionToken?: string }> {
    const { caller, route } = options;
    if ('auth' in caller) return caller;
    const { credentials } = caller;
    const { sessionToken } = credentials;
    if (sessionToken === undefined) {
      return {
        auth: route.sessionToken === 'ignore' ? credentials.auth : await options.core.authenticate(credentials),
      };
    }
    if (route.sessionToken === 'ignore') return { auth: credentials.auth, sessionToken };
    return { auth: await options.core.authenticate(credentials), sessionToken };
  }
}

/** Runs a write once per request id; a repeat of one that succeeded is answered its first response. */
async function once(options: {
  core: Core;
  requestId: { id: string; fingerprint: string };
  run: () => Promise<ApiResponse>;
}): Promise<ApiResponse> {
  const claim = await options.core.claimRequestId({
    requestId: options.requestId.id,
    fingerprint: options.requestId.fingerprint,
  });
  if (claim.kind === 'replay') return claim.response;
  let response: ApiResponse;
  try {
    response = await options.run();
  } catch (err) {
    await claim.release();
    throw err;
  }
  await claim.complete(response);
  return response;
}
