import { ErrorCode, ParseError } from '../errors/index.js';
import type { EmailAdapter, EmailMessage } from '../email/index.js';
import type { Logger } from '../infra/index.js';
import type { OutboundHttp } from './outbound-http.js';
import type { CloudRegistry } from './registry.js';
import type { JsonObject } from './types.js';

/** One REST call made by cloud code through the Parse SDK, answered inside the server (no socket). */
export interface InProcessRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the mount, with a leading slash: `/classes/Todo`, `/functions/hello`. */
  readonly path: string;
  /** The SDK's JSON payload (for GET: the find parameters, as the JS SDK sends them in its body form). */
  readonly body: JsonObject;
  readonly useMasterKey: boolean;
  readonly sessionToken?: string;
  readonly installationId?: string;
  readonly context?: JsonObject;
  /** The logger of the hook's request, so what this call runs logs with the same request id. */
  readonly log?: Logger;
}

export interface InProcessResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Answers an in-process request through the server's own route table. Declared here (cloud may not import
 * http); `app.ts` passes http's implementation in. A refusal is thrown as a `ParseError`.
 */
export type InProcessDispatch = (request: InProcessRequest) => Promise<InProcessResponse>;

/** Each registry's bridge, for the developer test harness (which holds the registry, not the app). */
const BRIDGES = new WeakMap<CloudRegistry, ParseBridge>();

/** The Parse bridge built for `registry`'s app, if any. */
export function parseBridgeOf(registry: CloudRegistry): ParseBridge | undefined {
  return BRIDGES.get(registry);
}

/**
 * What one app gives the Parse compatibility layer: where `Parse.Cloud.*` registers, and how the SDK's REST
 * calls reach this app's routes. The dispatcher is attached once the HTTP front end exists (after cloud code
 * has loaded, so that loading happens before the server is built, like the rest of the registry).
 */
export class ParseBridge {
  readonly registry: CloudRegistry;
  readonly appId: string;
  readonly masterKey: string;
  readonly mountPath: string;
  readonly logger: Logger;
  /** `Parse.Cloud.httpRequest` goes through it (the app's outbound address policy). */
  readonly outbound: OutboundHttp;
  private dispatcher: InProcessDispatch | undefined;
  private email: EmailAdapter | undefined;
  private loading = false;
  private readonly waiting: Array<{ resolve: (dispatch: InProcessDispatch) => void }> = [];

  constructor(options: {
    registry: CloudRegistry;
    appId: string;
    masterKey: string;
    mountPath: string;
    logger: Logger;
    outbound: OutboundHttp;
  }) {
    this.registry = options.registry;
    this.appId = options.appId;
    this.masterKey = options.masterKey;
    this.mountPath = options.mountPath;
    this.logger = options.logger;
    this.outbound = options.outbound;
    BRIDGES.set(options.registry, this);
  }

  /** Marks the module import in progress: SDK calls made meanwhile fail instead of deadlocking the start. */
  setLoading(loading: boolean): void {
    this.loading = loading;
  }

  /** The server's email adapter, for `Parse.Cloud.sendEmail` (built after the cloud code has loaded). */
  attachEmail(email: EmailAdapter): void {
    this.email = email;
  }

  /** `Parse.Cloud.sendEmail`: through the server's email adapter, like the server's own mails. */
  async sendEmail(message: EmailMessage): Promise<void> {
    if (this.email === undefined) throw new Error('Parse.Cloud.sendEmail: the server has no email adapter yet.');
    await this.email.send(message);
  }

  attach(dispatch: InProcessDispatch): void {
    this.dispatcher = dispatch;
    for (const waiter of this.waiting.splice(0)) waiter.resolve(dispatch);
  }

  async dispatch(request: InProcessRequest): Promise<InProcessResponse> {
    if (this.dispatcher !== undefined) return this.dispatcher(request);
    if (this.loading) {
      // The server is built only after the module finished importing, so a call awaited at the top level
      // would wait forever. Parse Server fails such calls too (its HTTP port is not open yet).
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
        message: `Parse SDK call ${request.method} ${request.path} made while the cloud code module is loading; the server answers once it has started (make the call inside a function, trigger or job).`,
      });
    }
    const dispatch = await new Promise<InProcessDispatch>((resolve) => this.waiting.push({ resolve }));
    return dispatch(request);
  }
}
