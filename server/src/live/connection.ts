import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { PUBLIC } from '../auth/index.js';
import type { Auth, CredentialResolver, Credentials } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { LiveEvent, LiveHub, LiveQuery, LiveSubscription } from '../core/index.js';
import type { LiveQueryMetrics, Logger } from '../infra/index.js';
import type { EncodeOptions } from '../schema/index.js';
import {
  CLOSE_CODE,
  LIVE_ERROR,
  connectedFrame,
  errorFrame,
  eventBody,
  eventFrame,
  subscribedFrame,
  unsubscribedFrame,
} from './frames.js';
import type { FrameTarget } from './frames.js';
import { InvalidFrame, parseClientFrame } from './protocol.js';
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
  /** Bytes a client may have waiting to be sent before it is dropped as too slow. */
  readonly maxQueueBytes: number;
  /** The class allow-list (`--live-query-classes`); absent: every class. */
  readonly classAllowed: (className: string) => boolean;
  /** Where events and errors sent are counted (`/metrics`). */
  readonly metrics?: LiveQueryMetrics;
}

interface Subscribed {
  readonly subscription: LiveSubscription;
  readonly subscriptionId: string;
  seq: number;
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
  readonly #subscriptions = new Map<number, Subscribed>();
  #connected: { credentials: Credentials; installationId?: string } | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: { socket: WebSocket; context: ConnectionContext; ip: string | undefined }) {
    this.#socket = options.socket;
    this.#context = options.context;
    this.#ip = options.ip;
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
    for (const { subscription } of this.#subscriptions.values()) subscription.close();
    this.#subscriptions.clear();
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

  #connect(frame: ConnectFrame): void {
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
    try {
      if (!this.#context.classAllowed(frame.query.className)) {
        throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
          message: `LiveQuery is not enabled for class ${frame.query.className}`,
        });
      }
      const query: LiveQuery = {
        className: frame.query.className,
        where: frame.query.where,
        ...(frame.query.keys === undefined ? {} : { keys: frame.query.keys }),
        ...(frame.query.watch === undefined ? {} : { watch: frame.query.watch }),
        auth: await this.#authFor(connected.credentials, frame.sessionToken),
      };
      if (existing !== undefined) {
        await existing.subscription.replace(query);
      } else {
        const entry: { state?: Subscribed } = {};
        const subscription = await this.#context.hub.subscribe(query, (event) => {
          if (entry.state !== undefined) this.#event(requestId, entry.state, event);
        });
        if (this.#closed) {
          subscription.close();
          return;
        }
        entry.state = { subscription, subscriptionId: randomUUID(), seq: 0 };
        this.#subscriptions.set(requestId, entry.state);
      }
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      this.#refuse(requestId, { code: err.code, message: err.message });
      return;
    }
    const state = this.#subscriptions.get(requestId) as Subscribed;
    this.#send(subscribedFrame(this.#target, requestId, state.subscriptionId));
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
    state.subscription.close();
    this.#subscriptions.delete(requestId);
    this.#send(unsubscribedFrame(this.#target, requestId));
  }

  #refuse(requestId: number, error: { code: number; message: string }): void {
    this.#context.metrics?.errorSent(error.code);
    this.#send(errorFrame({ code: error.code, error: error.message, reconnect: false, requestId }));
  }

  #event(requestId: number, state: Subscribed, event: LiveEvent): void {
    if (this.#closed || this.#subscriptions.get(requestId) !== state) return;
    if (event.op === 'error') {
      this.#refuse(requestId, { code: event.error.code, message: event.error.message });
      return;
    }
    state.seq++;
    this.#context.metrics?.eventSent({ className: event.className, event: event.op });
    const body = eventBody({
      op: event.op,
      object: event.object,
      original: event.original,
      encode: this.#context.encode,
    });
    this.#send(eventFrame(this.#target, { op: event.op, requestId, seq: state.seq, body }));
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
