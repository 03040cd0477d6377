import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { PUBLIC } from '../auth/index.js';
import type { Auth, CredentialResolver, Credentials } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { CONNECT_TRIGGER_CLASS } from '../cloud/index.js';
import type { LiveQueryJSON } from '../cloud/index.js';
import type { LiveEvent, LiveHooks, LiveHub, LiveQuery, RequestOrigin } from '../core/index.js';
import type { LiveQueryMetrics, Logger } from '../infra/index.js';
import type { EncodeOptions } from '../schema/index.js';
import {
  CLOSE_CODE,
  LIVE_ERROR,
  connectedFrame,
  errorFrame,
  eventFrame,
  resyncFrame,
  subscribedFrame,
  unsubscribedFrame,
} from './frames.js';
import type { FrameTarget } from './frames.js';
import { InvalidFrame, parseClientFrame } from './protocol.js';
import type { KeptEvent, ResumeWindow, SubscriptionState } from './resume.js';
import { resumeFromElsewhere, resumeHere } from './connection-resume.js';
import type { ResumeHandoff } from './handoff.js';
import type { ResumingConnection } from './connection-resume.js';
import type { ConnectFrame, SubscribeFrame, UnsubscribeFrame } from './protocol.js';

/** What every connection of one server shares. */
export interface ConnectionContext {
  readonly hub: LiveHub;
  readonly credentials: CredentialResolver;
  /** `core.authenticate`: a presented session token to its user (209 when invalid). */
  readonly authenticate: (credentials: Credentials) => Promise<Auth>;
  readonly encode: EncodeOptions;
  readonly logger: Logger;
  readonly maxSubscriptions: number;
  /** Subscriptions that re-query per write (sub-queries, `$relatedTo`, Relation fields) one connection may hold. */
  readonly maxSubQuerySubscriptions: number;
  /** Bytes a client may have waiting to be sent before it is dropped as too slow. */
  readonly maxQueueBytes: number;
  /** The class allow-list (`--live-query-classes`); absent: every class. */
  readonly classAllowed: (className: string) => boolean;
  /** Subscriptions of dropped sockets, kept for a resume. */
  readonly resume: ResumeWindow;
  /** Resume across live servers sharing pub/sub (Redis); absent: a resume only finds this server's. */
  readonly handoff?: ResumeHandoff;
  /** Where events and errors sent are counted (`/metrics`). */
  readonly metrics?: LiveQueryMetrics;
  /** Cloud code's beforeConnect / beforeSubscribe (core's `liveHooks`); absent: none run. */
  readonly hooks?: LiveHooks;
  /** Where the hub's events for a subscription go: afterLiveQueryEvent, then the resume window. */
  readonly deliver: (state: SubscriptionState, event: LiveEvent) => void;
  /** This server's open sockets and live subscriptions (what hooks see as `clients` and `subscriptions`). */
  readonly counts: () => { clients: number; subscriptions: number };
}

/**
 * One client's socket: `connect` first (keys checked by the one `CredentialResolver`), then any number of
 * subscriptions by the client's `requestId`. Frames are handled one at a time in arrival order, so a
 * `subscribe` followed by `unsubscribe` cannot be answered out of order. Events go out in the hub's order.
 */
export class LiveConnection {
  readonly clientId = randomUUID();
  readonly #socket: WebSocket;
  readonly #context: ConnectionContext;
  readonly #ip: string | undefined;
  readonly #origin: RequestOrigin;
  readonly #subscriptions = new Map<number, SubscriptionState>();
  /** The requestIds whose query re-queries per write (counted against `maxSubQuerySubscriptions`). */
  readonly #requerying = new Set<number>();
  #connected: { credentials: Credentials; installationId?: string } | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: {
    socket: WebSocket;
    context: ConnectionContext;
    ip: string | undefined;
    headers?: RequestOrigin['headers'];
  }) {
    this.#socket = options.socket;
    this.#context = options.context;
    this.#ip = options.ip;
    this.#origin = {
      ...(options.ip === undefined ? {} : { ip: options.ip }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      log: options.context.logger,
      encode: options.context.encode,
    };
  }

  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  /** A text frame from the client, handled after the previous one. */
  receive(text: string): void {
    this.#chain = this.#chain
      .then(() => this.#handle(text))
      .catch((err: unknown) => {
        this.#context.logger.error({ err }, 'a LiveQuery frame failed');
        this.#send(
          errorFrame({ code: ErrorCode.INTERNAL_SERVER_ERROR, error: 'Internal server error.', reconnect: true }),
        );
      });
  }

  /** The socket closed: every subscription ends. */
  close(): void {
    this.#closed = true;
    // Kept for the resume window (ended at once when there is none).
    for (const state of this.#subscriptions.values()) this.#context.resume.detach(state, this);
    this.#subscriptions.clear();
    this.#requerying.clear();
  }

  get #target(): FrameTarget {
    return { clientId: this.clientId, installationId: this.#connected?.installationId };
  }

  async #handle(text: string): Promise<void> {
    if (this.#closed) return;
    let frame;
    try {
      frame = parseClientFrame(text);
    } catch (err) {
      if (!(err instanceof InvalidFrame)) throw err;
      this.#send(
        errorFrame({ code: LIVE_ERROR.INVALID_FRAME, error: err.message, reconnect: true, requestId: err.requestId }),
      );
      return;
    }
    switch (frame.op) {
      case 'connect':
        return this.#connect(frame);
      case 'subscribe':
      case 'update':
        return this.#subscribe(frame);
      case 'unsubscribe':
        return this.#unsubscribe(frame);
    }
  }

  async #connect(frame: ConnectFrame): Promise<void> {
    let credentials: Credentials;
    try {
      credentials = this.#context.credentials.resolve(
        {
          appId: frame.applicationId,
          masterKey: frame.masterKey,
          clientKeys: [frame.javascriptKey, frame.clientKey, frame.restAPIKey, frame.windowsKey],
          sessionToken: frame.sessionToken,
          installationId: frame.installationId,
        },
        { ip: this.#ip },
      );
    } catch {
      this.#send(errorFrame({ code: LIVE_ERROR.INVALID_KEYS, error: 'Key in request is not valid', reconnect: false }));
      return;
    }
    const hooks = this.#context.hooks;
    if (hooks?.has('beforeConnect', CONNECT_TRIGGER_CLASS) === true) {
      try {
        const caller = await hooks.caller({
          auth: await this.#authFor(credentials, undefined),
          origin: this.#origin,
        });
        await hooks.run('beforeConnect', {
          className: CONNECT_TRIGGER_CLASS,
          caller,
          request: { ...this.#context.counts(), event: 'connect' },
        });
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        // Refused by cloud code: not connected, and retrying the same connect cannot help.
        this.#context.metrics?.errorSent(err.code);
        this.#send(errorFrame({ code: err.code, error: err.message, reconnect: false }));
        return;
      }
      if (this.#closed) return;
    }
    this.#connected = {
      credentials,
      ...(frame.installationId === undefined ? {} : { installationId: frame.installationId }),
    };
    this.#send(connectedFrame(this.#target));
  }

  async #subscribe(frame: SubscribeFrame): Promise<void> {
    const connected = this.#connected;
    const { requestId } = frame;
    if (connected === undefined) {
      this.#send(
        errorFrame({
          code: LIVE_ERROR.NOT_CONNECTED,
          error: 'Can not find this client, make sure you connect to server before subscribing',
          reconnect: true,
          requestId,
        }),
      );
      return;
    }
    const existing = this.#subscriptions.get(requestId);
    if (existing === undefined && this.#subscriptions.size >= this.#context.maxSubscriptions) {
      this.#refuse(requestId, {
        code: LIVE_ERROR.TOO_MANY_SUBSCRIPTIONS,
        message: `Too many subscriptions on this connection (at most ${this.#context.maxSubscriptions})`,
      });
      return;
    }
    const requeried = this.#requerying.has(requestId);
    try {
      if (!this.#context.classAllowed(frame.query.className)) {
        throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
          message: `LiveQuery is not enabled for class ${frame.query.className}`,
        });
      }
      const auth = await this.#authFor(connected.credentials, frame.sessionToken);
      const asked = await this.#beforeSubscribe(frame, auth);
      const query: LiveQuery = {
        className: asked.className,
        where: asked.where,
        ...(asked.keys === undefined ? {} : { keys: asked.keys }),
        ...(asked.watch === undefined ? {} : { watch: asked.watch }),
        // `include` (Strata's) is the client's; beforeSubscribe sees and returns Parse's query shape.
        ...(frame.query.include === undefined ? {} : { include: frame.query.include }),
        auth,
      };
      if (!this.#countRequery(requestId, await this.#context.hub.requeries(query))) return;
      const owner = ownerOf(query.auth);
      if (frame.resume !== undefined) {
        const resumed = resumeHere(this.#resuming(), { requestId, resume: frame.resume, owner });
        if (resumed === true) return;
        if (resumed === 'elsewhere' && this.#context.handoff !== undefined) {
          await resumeFromElsewhere(this.#resuming(), { requestId, query, owner, resume: frame.resume });
          return;
        }
        this.#send(resyncFrame(this.#target, requestId));
      }
      if (existing !== undefined) {
        await existing.subscription.replace(query);
        if (existing.auth !== query.auth) {
          existing.auth = query.auth;
          delete existing.caller;
        }
      } else {
        const holder: { state?: SubscriptionState } = {};
        const subscription = await this.#context.hub.subscribe(query, (event) => {
          if (holder.state !== undefined) this.#context.deliver(holder.state, event);
        });
        if (this.#closed) {
          subscription.close();
          return;
        }
        const state = this.#newState({ subscription, owner, auth: query.auth });
        holder.state = state;
        this.#context.resume.track(state);
        this.#attach(requestId, state);
      }
    } catch (err) {
      // Refused: the subscription under this requestId (if any) keeps its query, and its count.
      if (requeried) this.#requerying.add(requestId);
      else this.#requerying.delete(requestId);
      if (!(err instanceof ParseError)) throw err;
      this.#refuse(requestId, { code: err.code, message: err.message });
      return;
    }
    const state = this.#subscriptions.get(requestId) as SubscriptionState;
    this.#send(subscribedFrame(this.#target, requestId, state.subscriptionId));
  }

  /**
   * Counts a query that re-queries the database on every write to its class (sub-queries, `$relatedTo`,
   * Relation fields) against the connection's cap; past it the subscription is refused with 155 (false): each
   * costs a find per write, so a client could otherwise multiply the database's load by subscribing many.
   */
  #countRequery(requestId: number, requery: boolean): boolean {
    if (!requery) {
      this.#requerying.delete(requestId);
      return true;
    }
    const max = this.#context.maxSubQuerySubscriptions;
    if (!this.#requerying.has(requestId) && this.#requerying.size >= max) {
      this.#refuse(requestId, {
        code: LIVE_ERROR.TOO_MANY_SUBQUERY_SUBSCRIPTIONS,
        message: `Too many subscriptions with sub-queries on this connection (at most ${max}): $inQuery, $notInQuery, $select, $dontSelect, $relatedTo and Relation-field constraints re-query the database on every write`,
      });
      return false;
    }
    this.#requerying.add(requestId);
    return true;
  }

  /**
   * Cloud code's beforeSubscribe (also on `update`, and before a resume): it may refuse (its error is sent) or
   * answer a narrower query, which is what gets subscribed; the client's next `update` goes through it again,
   * so a client cannot widen what the hook narrowed.
   */
  async #beforeSubscribe(frame: SubscribeFrame, auth: Auth): Promise<LiveQueryJSON> {
    const asked: LiveQueryJSON = frame.query;
    const hooks = this.#context.hooks;
    if (hooks?.has('beforeSubscribe', asked.className) !== true) return asked;
    const caller = await hooks.caller({ auth, origin: this.#origin });
    const answer = await hooks.run('beforeSubscribe', {
      className: asked.className,
      caller,
      request: { ...this.#context.counts(), event: frame.op, requestId: frame.requestId, query: asked },
    });
    return answer?.query ?? asked;
  }

  /**
   * The subscriber: the master key's holder, else the subscription's own session token or the connection's.
   * An invalid token is not an error (Parse): the subscription runs as the public, and a class that needs a
   * session (`_Session`) refuses it with 209. Core's `authenticate` decides, as for every door: a master-like key
   * ignores the token.
   */
  async #authFor(credentials: Credentials, sessionToken: string | undefined): Promise<Auth> {
    const token = sessionToken ?? credentials.sessionToken;
    if (token === undefined) return credentials.auth;
    try {
      return await this.#context.authenticate({ auth: credentials.auth, sessionToken: token });
    } catch (err) {
      if (err instanceof ParseError && err.code === ErrorCode.INVALID_SESSION_TOKEN) {
        return credentials.auth.installationId === undefined
          ? PUBLIC
          : { kind: 'public', installationId: credentials.auth.installationId };
      }
      throw err;
    }
  }

  #unsubscribe(frame: UnsubscribeFrame): void {
    const { requestId } = frame;
    if (this.#connected === undefined) {
      this.#send(
        errorFrame({
          code: LIVE_ERROR.NOT_CONNECTED,
          error: 'Can not find this client, make sure you connect to server before unsubscribing',
          reconnect: true,
          requestId,
        }),
      );
      return;
    }
    const state = this.#subscriptions.get(requestId);
    if (state === undefined) {
      this.#send(
        errorFrame({
          code: LIVE_ERROR.NOT_CONNECTED,
          error: `Cannot find subscription with requestId ${requestId}. Make sure you subscribe to live query server before unsubscribing.`,
          reconnect: true,
          requestId,
        }),
      );
      return;
    }
    this.#context.resume.end(state);
    this.#subscriptions.delete(requestId);
    this.#requerying.delete(requestId);
    this.#send(unsubscribedFrame(this.#target, requestId));
  }

  #refuse(requestId: number, error: { code: number; message: string }): void {
    this.#context.metrics?.errorSent(error.code);
    this.#send(errorFrame({ code: error.code, error: error.message, reconnect: false, requestId }));
  }

  /** Hands the subscription's events to this socket under `requestId`. */
  #attach(requestId: number, state: SubscriptionState): void {
    this.#subscriptions.set(requestId, state);
    state.holder = this;
    state.requestId = requestId;
    state.attached = (event) => {
      if (this.#closed || this.#subscriptions.get(requestId) !== state) return;
      if (event.op === 'error') this.#refuse(requestId, { code: event.error.code, message: event.error.message });
      else this.#sendEvent(requestId, event);
    };
  }

  #newState(options: {
    subscription: SubscriptionState['subscription'];
    owner: string;
    auth: Auth;
  }): SubscriptionState {
    return {
      subscription: options.subscription,
      subscriptionId: this.#context.handoff?.newId() ?? randomUUID(),
      owner: options.owner,
      seq: 0,
      attached: undefined,
      holder: undefined,
      kept: [],
      auth: options.auth,
      origin: this.#origin,
      hookChain: Promise.resolve(),
      hookPending: 0,
    };
  }

  /**
   * This connection as a resume sees it (`connection-resume.ts`), made per resume: resumes are rare, and a
   * connection holds nothing more for them (its memory is per open socket).
   */
  #resuming(): ResumingConnection {
    const context = this.#context;
    return {
      hub: context.hub,
      window: context.resume,
      handoff: context.handoff,
      logger: context.logger,
      deliver: context.deliver,
      target: () => this.#target,
      closed: () => this.#closed,
      subscription: (requestId) => this.#subscriptions.get(requestId),
      attach: (requestId, state) => this.#attach(requestId, state),
      newState: (state) => this.#newState(state),
      sendEvent: (requestId, event) => this.#sendEvent(requestId, event),
      send: (text) => this.#send(text),
    };
  }

  #sendEvent(requestId: number, event: KeptEvent): void {
    this.#context.metrics?.eventSent({ className: event.className, event: event.op });
    this.#send(eventFrame(this.#target, { op: event.op, requestId, seq: event.seq, body: event.body }));
  }

  /**
   * Sends unless the client is too slow: past `maxQueueBytes` waiting in the socket, the connection is closed
   * with 1013 and its subscriptions end, so a client that stops reading cannot grow the server's memory.
   */
  #send(text: string): void {
    const socket = this.#socket;
    if (this.#closed || socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount + text.length > this.#context.maxQueueBytes) {
      this.#context.logger.warn(
        { clientId: this.clientId, buffered: socket.bufferedAmount },
        'LiveQuery client too slow: closing',
      );
      this.close();
      socket.close(CLOSE_CODE.SLOW_CLIENT, 'slow client: send queue full');
      // The close frame waits behind the unsent data: a client that reads nothing is cut after a grace period.
      setTimeout(() => socket.terminate(), 5000).unref();
      return;
    }
    socket.send(text);
  }
}

/** Who may resume a subscription: the same user, or the same kind of caller without one. */
function ownerOf(auth: Auth): string {
  return auth.kind === 'user' ? `user:${auth.userId}` : auth.kind;
}
