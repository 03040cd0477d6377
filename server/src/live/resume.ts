import type { Auth } from '../auth/index.js';
import type { HookCaller } from '../cloud/index.js';
import type { LiveEvent, LiveEventOp, LiveSubscription, RequestOrigin } from '../core/index.js';

/** An event kept for a disconnected subscription: its sequence number and what the frame carries. */
export interface KeptEvent {
  readonly seq: number;
  readonly op: LiveEventOp;
  readonly className: string;
  readonly body: { object: unknown; original?: unknown };
  /**
   * Which write it came from, the same on every server (`eventKey`): a subscription handed over from another
   * server drops the events that server already numbered.
   */
  readonly key: string;
}

/**
 * An event's identity across servers: the id of the change it comes from, made where the write committed and
 * carried unchanged over Redis or the cluster's IPC, so the same event of one subscription has the same key on
 * every server, and two writes of one object in one millisecond have two.
 */
export function eventKey(event: Extract<LiveEvent, { object: unknown }>): string {
  return event.changeId;
}

/**
 * One subscription as the connections see it. While a socket holds it, events go to `attached`; when the socket
 * drops, the resume window keeps it alive for a while and keeps its events (bounded), so a client that comes
 * back with `resume: {subscriptionId, seq}` gets what it missed, in order.
 */
export interface SubscriptionState {
  readonly subscription: LiveSubscription;
  readonly subscriptionId: string;
  /** Who may resume it: the same caller (user id, or the public / master kind). */
  readonly owner: string;
  seq: number;
  /** Where events go while a socket holds the subscription (encoded once, numbered). */
  attached:
    ((event: KeptEvent | { op: 'error'; error: Extract<LiveEvent, { op: 'error' }>['error'] }) => void) | undefined;
  /** The connection holding it (a resume may take it from a socket the server has not seen drop yet). */
  holder: object | undefined;
  /** The latest events (at most the window's `maxEvents`), sent or not: a resume replays those after its seq. */
  kept: KeptEvent[];
  timer?: NodeJS.Timeout;
  /** The subscriber (what hooks see as the caller) and where it connected from. */
  auth: Auth;
  readonly origin: RequestOrigin;
  /** The requestId the holding socket knows it by (hooks' `requestId`). */
  requestId?: number;
  /** Hooks' caller, built on the first hook run (it loads the user). */
  caller?: Promise<HookCaller>;
  /** afterLiveQueryEvent runs of this subscription, one after another (`EventHooks`). */
  hookChain: Promise<void>;
  hookPending: number;
}

/**
 * The resume window (Strata's extension; Parse SDKs never ask for it): subscriptions of dropped sockets, kept
 * for `windowMs` with at most `maxEvents` events each, in this process's memory. A resume that comes too late,
 * or after too many events, is answered with `resync`; one that reaches another server is handed over from
 * here when servers share Redis (`handoff.ts`), else answered with `resync` too.
 */
export class ResumeWindow {
  readonly #windowMs: number;
  readonly #maxEvents: number;
  readonly #encode: (event: Extract<LiveEvent, { object: unknown }>) => KeptEvent['body'];
  /** Every live subscription by id, attached or detached: a resume may come before the old socket's close. */
  readonly #all = new Map<string, SubscriptionState>();

  constructor(options: {
    windowMs: number;
    maxEvents: number;
    encode: (event: Extract<LiveEvent, { object: unknown }>) => KeptEvent['body'];
  }) {
    this.#windowMs = options.windowMs;
    this.#maxEvents = options.maxEvents;
    this.#encode = options.encode;
  }

  /**
   * What the hub calls for every event of a subscription: numbered, encoded once, kept (the latest
   * `maxEvents`), and handed to the socket holding it, if any.
   */
  route(state: SubscriptionState, event: LiveEvent, body?: KeptEvent['body']): void {
    if (event.op === 'error') {
      state.attached?.(event);
      return;
    }
    state.seq++;
    const kept: KeptEvent = {
      seq: state.seq,
      op: event.op,
      className: event.className,
      body: body ?? this.#encode(event),
      key: eventKey(event),
    };
    this.keep(state, kept);
    state.attached?.(kept);
  }

  /** Keeps a numbered event for a later resume (the latest `maxEvents`). */
  keep(state: SubscriptionState, event: KeptEvent): void {
    if (this.#windowMs <= 0 || this.#maxEvents <= 0) return;
    state.kept.push(event);
    if (state.kept.length > this.#maxEvents) state.kept.shift();
  }

  /** An event that was lost before it was numbered: the sequence skips it, so a resume past it is told resync. */
  skip(state: SubscriptionState): void {
    state.seq++;
    state.kept = [];
  }

  /**
   * The kept events after `seq`, or undefined when some of them are no longer kept, or when `seq` is one this
   * subscription never reached (the client must resync).
   */
  since(state: SubscriptionState, seq: number): KeptEvent[] | undefined {
    if (seq > state.seq || seq < 0) return undefined;
    if (seq === state.seq) return [];
    const first = state.kept[0];
    if (first === undefined || first.seq > seq + 1) return undefined;
    return state.kept.filter((event) => event.seq > seq);
  }

  /** A new subscription: resumable by its id while it lives. */
  track(state: SubscriptionState): void {
    if (this.#windowMs > 0) this.#all.set(state.subscriptionId, state);
  }

  /** A subscription ended by its client (unsubscribe, or replaced): no longer resumable. */
  end(state: SubscriptionState): void {
    this.#expire(state);
  }

  /** A socket dropped: keep its subscription for the window, or end it when there is none. */
  detach(state: SubscriptionState, holder: object): void {
    if (state.holder !== holder) return;
    state.holder = undefined;
    state.attached = undefined;
    if (this.#windowMs <= 0) {
      this.#expire(state);
      return;
    }
    state.timer = setTimeout(() => this.#expire(state), this.#windowMs);
    state.timer.unref();
  }

  /** The subscription `subscriptionId` of `owner`, for a resume; undefined when gone or another caller's. */
  take(subscriptionId: string, owner: string): SubscriptionState | undefined {
    const state = this.#all.get(subscriptionId);
    if (state === undefined || state.owner !== owner) return undefined;
    clearTimeout(state.timer);
    return state;
  }

  /**
   * Gives the subscription away to another server (cross-server resume): no longer resumable here and its
   * socket, if one still holds it, no longer fed; its events are still numbered and kept until the caller
   * closes its hub subscription. Undefined when it is not here or is another caller's (then it is left as it was).
   */
  release(subscriptionId: string, owner: string): SubscriptionState | undefined {
    const state = this.take(subscriptionId, owner);
    if (state === undefined) return undefined;
    state.holder = undefined;
    state.attached = undefined;
    this.#all.delete(subscriptionId);
    return state;
  }

  /** Resolves when no subscription is kept any more (taken over, resumed or ended), or after `ms`. */
  async emptied(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#all.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, deadline - Date.now())));
    }
  }

  /** Ends every kept subscription (server shutdown). */
  close(): void {
    for (const state of this.#all.values()) this.#expire(state);
  }

  #expire(state: SubscriptionState): void {
    clearTimeout(state.timer);
    if (this.#all.get(state.subscriptionId) === state) this.#all.delete(state.subscriptionId);
    state.subscription.close();
  }
}
