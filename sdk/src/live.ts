/**
 * LiveQuery for `@strata/sdk`: `collection.query()...subscribe()` streams typed events (create, enter,
 * update, leave, delete) of the query over one WebSocket per client, shared by its subscriptions. When the
 * socket drops, it reconnects (backoff with jitter) and resumes each subscription where it stopped: Strata
 * replays the events it missed, in order (`seq`), or says `resync` when its window is gone, which the
 * subscription reports so the app re-queries. Works with the browser's `WebSocket` and, in Node, with the `ws`
 * package's (Node 20 has no global one: pass `{ WebSocket }` in the client options).
 */
import { decodeRecord } from './codec.js';
import { ErrorCodes, StrataError } from './errors.js';
import type { LiveSocket, WebSocketConstructor } from './live-socket.js';
import type { TransportContext } from './transport.js';

type Json = Record<string, unknown>;

export type { LiveSocket, WebSocketConstructor } from './live-socket.js';

/** One event of a subscription; `seq` counts the subscription's events from 1 (Strata's extension). */
export type LiveEvent<R> =
  | { readonly type: 'create'; readonly object: R; readonly seq?: number }
  | { readonly type: 'enter'; readonly object: R; readonly original?: R; readonly seq?: number }
  | { readonly type: 'update'; readonly object: R; readonly original: R; readonly seq?: number }
  | { readonly type: 'leave'; readonly object: R; readonly original?: R; readonly seq?: number }
  | { readonly type: 'delete'; readonly object: R; readonly seq?: number };

export type LiveEventType = LiveEvent<unknown>['type'];

export interface SubscribeOptions {
  /** Unsubscribes when aborted. */
  readonly signal?: AbortSignal;
  /** `update`/`create` only when one of these fields changed. */
  readonly watch?: readonly string[];
  /** This subscription's session token (`null`: none), instead of the logged-in user's. */
  readonly sessionToken?: string | null;
}

/** What `on` can listen to: the five events, plus the subscription's own happenings. */
export interface LiveListeners<R> {
  create: (object: R) => void;
  enter: (object: R, original: R | undefined) => void;
  update: (object: R, original: R) => void;
  leave: (object: R, original: R | undefined) => void;
  delete: (object: R) => void;
  /** Subscribed (again after a reconnect). */
  open: () => void;
  /** The server could not replay what was missed during a disconnection: query again for the current state. */
  resync: () => void;
  /** The server refused the subscription (it is closed) or reported an error about it. */
  error: (error: StrataError) => void;
  /** The subscription ended (unsubscribed, aborted or refused). */
  close: () => void;
}

/**
 * A live query. Iterate it (`for await (const event of subscription)`) or listen with `on`. `ready` resolves
 * once the server confirmed the subscription (rejects when it refused it).
 */
export interface LiveSubscription<R> extends AsyncIterable<LiveEvent<R>> {
  readonly ready: Promise<void>;
  on<K extends keyof LiveListeners<R>>(type: K, listener: LiveListeners<R>[K]): this;
  off<K extends keyof LiveListeners<R>>(type: K, listener: LiveListeners<R>[K]): this;
  /** Unsubscribes; the socket closes when it was the client's last subscription. */
  close(): void;
}

const EVENT_TYPES: ReadonlySet<string> = new Set(['create', 'enter', 'update', 'leave', 'delete']);
const OPEN = 1;
const MIN_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;

/** Subscribes `query` (its REST params) on the client's shared live connection. */
export function subscribeQuery<R>(options: {
  transport: TransportContext;
  className: string;
  params: Json;
  subscribe: SubscribeOptions;
}): LiveSubscription<R> {
  let connection = connections.get(options.transport);
  if (connection === undefined) {
    connection = new LiveConnection(options.transport);
    connections.set(options.transport, connection);
  }
  const query: Json = { className: options.className, where: options.params['where'] ?? {} };
  if (typeof options.params['keys'] === 'string') query['keys'] = options.params['keys'].split(',');
  if (options.subscribe.watch !== undefined && options.subscribe.watch.length > 0) {
    query['watch'] = [...options.subscribe.watch];
  }
  return connection.add<R>(query, options.subscribe);
}

const connections = new WeakMap<TransportContext, LiveConnection>();

class Subscription<R> implements LiveSubscription<R> {
  readonly ready: Promise<void>;
  readonly requestId: number;
  readonly query: Json;
  readonly sessionToken: string | null | undefined;
  subscriptionId: string | undefined;
  seq = 0;
  closed = false;
  #confirmed = false;
  #resolve!: () => void;
  #reject!: (error: StrataError) => void;
  readonly #listeners = new Map<string, Set<(...args: never[]) => void>>();
  readonly #queue: Array<LiveEvent<R>> = [];
  #iterating = false;
  #wake: (() => void) | undefined;
  readonly #onClose: (subscription: Subscription<R>) => void;

  constructor(options: {
    requestId: number;
    query: Json;
    sessionToken: string | null | undefined;
    onClose: (subscription: Subscription<R>) => void;
  }) {
    this.requestId = options.requestId;
    this.query = options.query;
    this.sessionToken = options.sessionToken;
    this.#onClose = options.onClose;
    this.ready = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // An unawaited `ready` that rejects must not be an unhandled rejection: errors also reach `on('error')`.
    this.ready.catch(() => undefined);
  }

  on<K extends keyof LiveListeners<R>>(type: K, listener: LiveListeners<R>[K]): this {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (...args: never[]) => void);
    return this;
  }

  off<K extends keyof LiveListeners<R>>(type: K, listener: LiveListeners<R>[K]): this {
    this.#listeners.get(type)?.delete(listener as (...args: never[]) => void);
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#onClose(this);
    this.#reject(new StrataError({ code: ErrorCodes.OTHER_CAUSE, message: 'subscription closed', status: 0 }));
    this.#emit('close');
    this.#wake?.();
  }

  /** Events are queued from the moment the iterator is created (not from its first `next()`). */
  [Symbol.asyncIterator](): AsyncIterator<LiveEvent<R>> {
    this.#iterating = true;
    return this.#iterate();
  }

  async *#iterate(): AsyncGenerator<LiveEvent<R>, void, undefined> {
    try {
      for (;;) {
        const next = this.#queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      this.#iterating = false;
      this.#queue.length = 0;
    }
  }

  /** `subscribed`: the first time, `ready`; after a reconnect, `open` again. */
  subscribed(subscriptionId: string | undefined): void {
    if (subscriptionId !== undefined && subscriptionId !== this.subscriptionId) {
      this.subscriptionId = subscriptionId;
    }
    if (!this.#confirmed) {
      this.#confirmed = true;
      this.#resolve();
    }
    this.#emit('open');
  }

  /** `resync`: the server starts a fresh subscription; the app must re-query. */
  resync(): void {
    this.subscriptionId = undefined;
    this.seq = 0;
    this.#emit('resync');
  }

  event(frame: Json): void {
    const seq = typeof frame['seq'] === 'number' ? frame['seq'] : undefined;
    if (seq !== undefined) {
      // A replay may repeat what arrived just before the socket dropped.
      if (seq <= this.seq) return;
      this.seq = seq;
    }
    const type = frame['op'] as LiveEventType;
    const object = decodeRecord<R>(frame['object']);
    const original = frame['original'] === undefined ? undefined : decodeRecord<R>(frame['original']);
    const event = {
      type,
      object,
      ...(original === undefined ? {} : { original }),
      ...(seq === undefined ? {} : { seq }),
    } as LiveEvent<R>;
    if (this.#iterating) {
      this.#queue.push(event);
      this.#wake?.();
    }
    if (type === 'create' || type === 'delete') this.#emit(type, object);
    else this.#emit(type, object, original);
  }

  /**
   * An error frame about this subscription: before it was confirmed, a refusal (it is closed); afterwards the
   * server keeps the subscription (a hook failed on one event, access was lost for now), so it is reported.
   */
  fail(error: StrataError): void {
    if (!this.#confirmed) {
      this.#reject(error);
      this.#emit('error', error);
      this.close();
      return;
    }
    this.#emit('error', error);
  }

  #emit(type: string, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        (listener as (...values: unknown[]) => void)(...args);
      } catch (err) {
        // A throwing listener must not stop the others or the connection.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

/** The client's socket: connects on the first subscription, reconnects while any is open. */
class LiveConnection {
  readonly #transport: TransportContext;
  readonly #subscriptions = new Map<number, Subscription<unknown>>();
  #socket: LiveSocket | undefined;
  #connected = false;
  #nextRequestId = 1;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(transport: TransportContext) {
    this.#transport = transport;
  }

  add<R>(query: Json, options: SubscribeOptions): LiveSubscription<R> {
    const subscription = new Subscription<R>({
      requestId: this.#nextRequestId++,
      query,
      sessionToken: options.sessionToken,
      onClose: (closed) => this.#remove(closed as Subscription<unknown>),
    });
    const signal = options.signal;
    if (signal?.aborted === true) {
      subscription.close();
      return subscription;
    }
    signal?.addEventListener('abort', () => subscription.close(), { once: true });
    this.#subscriptions.set(subscription.requestId, subscription as Subscription<unknown>);
    if (this.#connected) void this.#subscribe(subscription as Subscription<unknown>);
    else if (this.#socket === undefined && this.#timer === undefined) this.#open();
    return subscription;
  }

  #remove(subscription: Subscription<unknown>): void {
    if (this.#subscriptions.get(subscription.requestId) !== subscription) return;
    this.#subscriptions.delete(subscription.requestId);
    if (this.#connected) this.#send({ op: 'unsubscribe', requestId: subscription.requestId });
    if (this.#subscriptions.size === 0) this.#shutdown();
  }

  #shutdown(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connected = false;
    if (socket !== undefined) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      socket.close(1000, 'no subscriptions');
    }
  }

  #open(): void {
    const options = this.#transport.options;
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Socket === undefined) {
      const error = new StrataError({
        code: ErrorCodes.OTHER_CAUSE,
        message: 'No WebSocket implementation: pass { WebSocket } (e.g. from the "ws" package) in the client options',
        status: 0,
      });
      for (const subscription of [...this.#subscriptions.values()]) subscription.fail(error);
      return;
    }
    const url = options.liveQueryURL ?? options.serverURL.replace(/^http/, 'ws');
    let socket: LiveSocket;
    try {
      socket = new Socket(url);
    } catch {
      this.#retry();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => void this.#connect(socket);
    socket.onmessage = (message) => this.#receive(socket, message.data);
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#connected = false;
      this.#retry();
    };
  }

  #retry(): void {
    if (this.#subscriptions.size === 0) return;
    const delay = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.#attempt);
    this.#attempt++;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#subscriptions.size > 0 && this.#socket === undefined) this.#open();
      },
      delay / 2 + Math.random() * (delay / 2),
    );
  }

  async #connect(socket: LiveSocket): Promise<void> {
    const options = this.#transport.options;
    const frame: Json = { op: 'connect', applicationId: options.appId };
    if (options.clientKey !== undefined) frame['javascriptKey'] = options.clientKey;
    if (options.masterKey !== undefined) frame['masterKey'] = options.masterKey;
    const token = await this.#transport.currentToken().catch(() => undefined);
    if (token !== undefined) frame['sessionToken'] = token;
    if (this.#socket !== socket || socket.readyState !== OPEN) return;
    socket.send(JSON.stringify(frame));
  }

  async #subscribe(subscription: Subscription<unknown>): Promise<void> {
    const frame: Json = { op: 'subscribe', requestId: subscription.requestId, query: subscription.query };
    if (subscription.sessionToken !== undefined && subscription.sessionToken !== null) {
      frame['sessionToken'] = subscription.sessionToken;
    }
    if (subscription.subscriptionId !== undefined) {
      frame['resume'] = { subscriptionId: subscription.subscriptionId, seq: subscription.seq };
    }
    this.#send(frame);
  }

  #send(frame: Json): void {
    const socket = this.#socket;
    if (socket !== undefined && socket.readyState === OPEN) socket.send(JSON.stringify(frame));
  }

  #receive(socket: LiveSocket, data: unknown): void {
    if (this.#socket !== socket) return;
    let frame: Json;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data)) as Json;
    } catch {
      return;
    }
    const op = frame['op'];
    const requestId = typeof frame['requestId'] === 'number' ? frame['requestId'] : undefined;
    const subscription = requestId === undefined ? undefined : this.#subscriptions.get(requestId);
    if (op === 'connected') {
      this.#connected = true;
      this.#attempt = 0;
      for (const each of this.#subscriptions.values()) void this.#subscribe(each);
    } else if (op === 'subscribed') {
      subscription?.subscribed(typeof frame['subscriptionId'] === 'string' ? frame['subscriptionId'] : undefined);
    } else if (op === 'resync') {
      subscription?.resync();
    } else if (typeof op === 'string' && EVENT_TYPES.has(op)) {
      subscription?.event(frame);
    } else if (op === 'error') {
      const error = new StrataError({
        code: typeof frame['code'] === 'number' ? frame['code'] : ErrorCodes.OTHER_CAUSE,
        message: typeof frame['error'] === 'string' ? frame['error'] : 'LiveQuery error',
        status: 0,
      });
      if (subscription !== undefined) subscription.fail(error);
      else if (requestId === undefined && frame['reconnect'] === false) {
        // The connection itself was refused (keys, beforeConnect): every subscription ends.
        for (const each of [...this.#subscriptions.values()]) {
          each.fail(error);
          each.close();
        }
      }
    }
  }
}
