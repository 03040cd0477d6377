import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Auth } from '../auth/index.js';
import type { Core } from '../core/index.js';
import type { Logger } from '../infra/index.js';

/** One decoded API call, whether it arrived as an HTTP request or as a `/batch` sub-request. */
export interface ApiRequest {
  readonly method: HttpMethod;
  readonly auth: Auth;
  /** The operations to call: the app's, or a transaction's inside `/batch` with `transaction: true`. */
  readonly core: Core;
  /** Path parameters, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The JSON body (credentials and `_method` already removed). */
  readonly body: Record<string, unknown>;
  /** Query-string values (each JSON-parsed when it parses), overriding body values of the same name. */
  readonly query: Readonly<Record<string, unknown>>;
  /** Public URL of the mount, e.g. `http://localhost:1337/parse`, for Location headers and file URLs. */
  readonly mountURL: string;
  /** Path of the mount, e.g. `/parse`, which batch sub-request paths start with. */
  readonly mountPath: string;
  /** `X-Parse-Cloud-Context`, for cloud code. */
  readonly context: Readonly<Record<string, unknown>>;
  /** The session token as presented (also when the master key made `auth` ignore it). */
  readonly sessionToken?: string;
  /** The client's IP address (rate limits). */
  readonly ip?: string;
  /** The raw request headers (cloud code's `request.headers`); absent for internal calls. */
  readonly headers?: IncomingHttpHeaders;
  /** The request's logger, bound to its request id (cloud code's `request.log`). */
  readonly log?: Logger;
  /**
   * The request with its body still unread (headers included), for a `body: 'stream'` route called with
   * header credentials: the handler streams the body itself (file uploads).
   */
  readonly rawBody?: IncomingMessage;
  /** `_ContentType` of the JS SDK's body form (its file uploads carry the file's type there). */
  readonly contentType?: string;
}

export interface ApiResponse {
  readonly status?: number;
  /** JSON-encoded; `undefined` sends an empty body (Parse's answer to a file delete). */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>;

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** Express-style, relative to the mount: `/classes/:className/:objectId`. */
  readonly path: string;
  readonly handler: ApiHandler;
  /** Whether `/batch` may call it (only object and user routes; never `/batch` itself). */
  readonly batchable?: boolean;
  /**
   * `ignore`: the session token is not resolved before the handler runs (Parse drops it on `/login` and
   * reads it itself on `/sessions/me`). Default: an invalid or expired token fails the request with 209.
   */
  readonly sessionToken?: 'ignore';
  /**
   * `stream`: when the request carries header credentials, its body is not read as JSON before routing but
   * handed to the handler unread (`rawBody`); in the JS SDK's body form it is read as JSON up to
   * `bodyLimit`. Never batchable.
   */
  readonly body?: 'stream';
  /** Largest JSON body this route accepts, when it differs from the server's `maxBodySize`. */
  readonly bodyLimit?: number;
  /** `true`: a `multipart/form-data` body is read as params (text parts) and files, as well as JSON. */
  readonly multipart?: boolean;
}
