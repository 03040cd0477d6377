import { randomUUID } from 'node:crypto';
import type { Logger, PubSub } from '../infra/index.js';
import { changeMessagePrefix, decodeChange, encodeChange } from './change-codec.js';
import type { ChangeEvent } from './change-event.js';
import { TransactionChanges } from './change-sink.js';
import type { ChangeReaction, ChangeSink, CommittedChange, PendingChange, ReactionStage } from './change-sink.js';

/** A subscriber of the change feed. A returned promise holds back this subscriber's next event until it settles. */
export type ChangeListener = (event: ChangeEvent) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * Whose changes: `all` (the default) those committed through this server and, with Redis, through every
   * other; `local` only this server's (to act once per write: webhooks, metrics, queueing push); `remote` only
   * the other servers'.
   */
  readonly from?: 'all' | 'local' | 'remote';
  /**
   * The classes whose changes this subscriber needs from the other servers (a cache of `_Session`...); absent:
   * every class. Where the broker routes by topic (`--workers N`), the other servers send only what some
   * subscriber here needs; this one may still be handed other classes' changes.
   */
  readonly classes?: readonly string[];
}

/**
 * The change feed as its subscribers see it: every committed create, update and delete of any class,
 * after the commit. Per subscriber, events arrive one at a time in the order they were published, so the
 * events of one object arrive in the order of its writes.
 *
 * @example
 * const stop = core.changes.subscribe((event) => {
 *   if (event.className === 'Message' && event.op !== 'delete') index(event.after);
 * });
 */
export interface ChangeFeed {
  /** Starts delivering to `listener`; the returned function stops it. */
  subscribe(listener: ChangeListener, options?: SubscribeOptions): () => void;
  /**
   * Resolves once `listener` has handled (its promise settled) every event handed to it before the call, at once
   * when it is not subscribed: a barrier for "everything this server has received so far is processed".
   */
  caughtUp(listener: ChangeListener): Promise<void>;
  /**
   * Makes the changes of `className` committed on other servers reach this one's subscribers (a LiveQuery
   * subscription on the class) beside the classes they named: resolves once every other server will send them;
   * the returned function withdraws it. Without a broker that routes by topic, everything is sent anyway.
   */
  watch(className: string): Promise<() => void>;
}

export interface ChangeBusOptions {
  readonly logger: Logger;
  /** Pub/sub shared with the other app servers (Redis); absent: changes stay in this process. */
  readonly pubsub?: PubSub;
  /** Events one slow subscriber may have waiting; past that, new events are dropped for it (and logged). */
  readonly maxPending?: number;
}

const CHANNEL = 'changes';
const DEFAULT_MAX_PENDING = 10_000;

/**
 * The change feed of one app server: the in-process bus, bridged to the other servers over pub/sub when one is
 * given. Core publishes each committed change once (`ChangeSink`); subscribers get it from here, from whichever
 * server made it. Delivery is at most once: a subscriber that throws loses nothing but that event, a subscriber
 * too far behind loses new events, and a server that is not listening (starting, reconnecting) misses what is
 * published meanwhile, as with Parse's LiveQuery.
 */
export class ChangeBus implements ChangeFeed, ChangeSink {
  readonly deferred = false;
  readonly #server = randomUUID();
  readonly #ownPrefix = changeMessagePrefix(this.#server);
  readonly #logger: Logger;
  readonly #pubsub: PubSub | undefined;
  readonly #maxPending: number;
  readonly #subscribers = new Set<Subscriber>();
  readonly #byListener = new Map<ChangeListener, Subscriber>();
  readonly #reactions: Record<ReactionStage, ChangeReaction[]> = { commit: [], settle: [] };
  readonly #order = new KeyedOrder();
  /** `watch` holds per class. */
  readonly #watched = new Map<string, number>();
  /** What was last declared to the broker (`PubSubInterest`), as a key, and its answer. */
  #declared: { readonly key: string; readonly done: Promise<void> } | undefined;
  #unsubscribe: (() => void) | undefined;

  private constructor(options: ChangeBusOptions) {
    this.#logger = options.logger;
    this.#pubsub = options.pubsub;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** A feed listening to the other servers' changes (when `pubsub` is given) before it resolves. */
  static async create(options: ChangeBusOptions): Promise<ChangeBus> {
    const bus = new ChangeBus(options);
    if (options.pubsub !== undefined) {
      bus.#unsubscribe = await options.pubsub.subscribe(CHANNEL, (message) => bus.#receive(message));
    }
    return bus;
  }

  subscribe(listener: ChangeListener, options: SubscribeOptions = {}): () => void {
    const subscriber = new Subscriber({
      listener,
      from: options.from ?? 'all',
      classes: options.classes,
      maxPending: this.#maxPending,
      logger: this.#logger,
    });
    this.#subscribers.add(subscriber);
    this.#byListener.set(listener, subscriber);
    void this.#declare();
    return () => {
      this.#byListener.delete(listener);
      this.#subscribers.delete(subscriber);
      subscriber.stop();
      void this.#declare();
    };
  }

  async watch(className: string): Promise<() => void> {
    this.#watched.set(className, (this.#watched.get(className) ?? 0) + 1);
    await this.#declare();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const count = (this.#watched.get(className) ?? 1) - 1;
      if (count > 0) this.#watched.set(className, count);
      else this.#watched.delete(className);
      void this.#declare();
    };
  }

  /** Tells the broker (when it routes by topic) which classes this server's subscribers need from the others. */
  #declare(): Promise<void> {
    const interest = this.#pubsub?.interest;
    if (interest === undefined) return Promise.resolve();
    let classes: Set<string> | '*' = new Set(this.#watched.keys());
    for (const subscriber of this.#subscribers) {
      if (subscriber.from === 'local') continue;
      if (subscriber.classes === undefined) {
        classes = '*';
        break;
      }
      for (const className of subscriber.classes) classes.add(className);
    }
    const topics = classes === '*' ? '*' : [...classes].sort();
    const key = topics === '*' ? '*' : JSON.stringify(topics);
    if (this.#declared?.key === key) return this.#declared.done;
    const done = interest.declare(CHANNEL, topics);
    this.#declared = { key, done };
    return done;
  }

  caughtUp(listener: ChangeListener): Promise<void> {
    return this.#byListener.get(listener)?.caughtUp() ?? Promise.resolve();
  }

  /** Core's own reactions (after-triggers, mails): local, awaited by the writer, given the write's details. */
  addReaction(stage: ReactionStage, reaction: ChangeReaction): void {
    this.#reactions[stage].push(reaction);
  }

  inOrder<T>(key: string, write: () => Promise<T>): Promise<T> {
    return this.#order.run(key, write);
  }

  publish(change: CommittedChange): void {
    const { event } = change;
    for (const subscriber of this.#subscribers) {
      if (subscriber.from !== 'remote') subscriber.deliver(event);
    }
    const pubsub = this.#pubsub;
    if (pubsub === undefined) return;
    // With `--workers N`, a change no other worker's subscriber needs is neither encoded nor sent.
    if (pubsub.interest !== undefined && !pubsub.interest.wanted(CHANNEL, event.className)) return;
    // Not awaited: the writer does not wait for Redis. One connection sends publishes in call order.
    const message = encodeChange({ server: this.#server, event });
    pubsub.publish(CHANNEL, message, { topic: event.className }).catch((err: unknown) => {
      this.#logger.warn({ err, className: event.className, objectId: event.objectId }, 'could not publish a change');
    });
  }

  async react(change: CommittedChange, stage: ReactionStage): Promise<Record<string, unknown>> {
    let added: Record<string, unknown> = {};
    for (const reaction of this.#reactions[stage]) {
      const fields = await reaction(change);
      if (fields !== undefined) added = { ...added, ...fields };
    }
    return added;
  }

  /**
   * A committed transaction's changes: each is published and its reactions run, in order. The transaction
   * already answered, so a reaction's error is logged here instead of failing it.
   */
  async accept(entries: readonly PendingChange[]): Promise<void> {
    for (const { change } of entries) this.publish(change);
    for (const { change, settled } of entries) {
      const stages: ReactionStage[] = settled ? ['commit', 'settle'] : ['commit'];
      for (const stage of stages) {
        try {
          await this.react(change, stage);
        } catch (err) {
          const { className, objectId } = change.event;
          this.#logger.error({ err, className, objectId, stage }, 'a reaction to a committed transaction failed');
        }
      }
    }
  }

  begin(): TransactionChanges {
    return new TransactionChanges(this);
  }

  /** Stops listening to the other servers and delivering to subscribers (the pub/sub is closed by its owner). */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const subscriber of this.#subscribers) subscriber.stop();
    this.#subscribers.clear();
    this.#byListener.clear();
  }

  #receive(message: string): void {
    // Our own change, relayed back (pub/sub delivers to the publisher too): known by the text `encodeChange`
    // starts with, so it is dropped without parsing and decoding both of its states.
    if (message.startsWith(this.#ownPrefix)) return;
    let event: ChangeEvent;
    try {
      const decoded = decodeChange(message);
      if (decoded.server === this.#server) return;
      event = decoded.event;
    } catch (err) {
      this.#logger.warn({ err }, 'dropped an unreadable change message');
      return;
    }
    for (const subscriber of this.#subscribers) {
      if (subscriber.from !== 'local') subscriber.deliver(event);
    }
  }
}

/**
 * One subscriber's queue: events are handed over one at a time. A listener that returns synchronously is called
 * at once (inside `publish`), so a cache it clears is clear before the writer answers; one that returns a promise
 * gets its next event when the promise settles.
 */
class Subscriber {
  readonly from: 'all' | 'local' | 'remote';
  readonly classes: readonly string[] | undefined;
  readonly #listener: ChangeListener;
  readonly #maxPending: number;
  readonly #logger: Logger;
  readonly #queue: ChangeEvent[] = [];
  #busy = false;
  #stopped = false;
  #dropped = 0;
  /** Events taken into the queue, and handled (settled), since the start: `caughtUp` waits for a count. */
  #taken = 0;
  #handled = 0;
  #waiters: Array<{ readonly until: number; readonly resolve: () => void }> = [];

  constructor(options: {
    listener: ChangeListener;
    from: Subscriber['from'];
    classes: readonly string[] | undefined;
    maxPending: number;
    logger: Logger;
  }) {
    this.from = options.from;
    this.classes = options.classes;
    this.#listener = options.listener;
    this.#maxPending = options.maxPending;
    this.#logger = options.logger;
  }

  deliver(event: ChangeEvent): void {
    if (this.#stopped) return;
    if (this.#queue.length >= this.#maxPending) {
      if (this.#dropped++ === 0) this.#logger.warn('a change feed subscriber is too slow: dropping its new events');
      return;
    }
    this.#queue.push(event);
    this.#taken++;
    if (!this.#busy) this.#drain();
  }

  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
    this.#handled = this.#taken;
    this.#wake();
  }

  /** Resolves once every event taken so far has been handled. */
  caughtUp(): Promise<void> {
    if (this.#handled >= this.#taken) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ until: this.#taken, resolve }));
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (this.#handled >= waiter.until) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }

  #drain(): void {
    while (this.#queue.length > 0 && !this.#stopped) {
      const event = this.#queue.shift() as ChangeEvent;
      let result: void | Promise<void>;
      try {
        result = this.#listener(event);
      } catch (err) {
        this.#failed(err, event);
        this.#handled++;
        continue;
      }
      if (result instanceof Promise) {
        this.#busy = true;
        result
          .catch((err: unknown) => this.#failed(err, event))
          .finally(() => {
            this.#busy = false;
            this.#handled++;
            this.#wake();
            this.#drain();
          });
        return;
      }
      this.#handled++;
    }
    this.#wake();
    if (this.#dropped > 0 && this.#queue.length === 0) {
      this.#logger.warn({ dropped: this.#dropped }, 'a change feed subscriber caught up after dropping events');
      this.#dropped = 0;
    }
  }

  #failed(err: unknown, event: ChangeEvent): void {
    this.#logger.error(
      { err, className: event.className, objectId: event.objectId },
      'a change feed subscriber failed',
    );
  }
}

/**
 * Runs writes to the same key one after another (others run at once). Held only across a storage write and
 * the publish of its change, never across reactions: an afterSave that writes the same object cannot deadlock.
 */
class KeyedOrder {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release = (): void => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous === undefined ? done : previous.then(() => done);
    this.#tails.set(key, tail);
    try {
      if (previous !== undefined) await previous;
      return await work();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
