/**
 * Publish/subscribe between app servers: schema, role and session cache invalidation today, LiveQuery
 * events later. One process uses the in-memory implementation; several share Redis.
 */
export type MessageHandler = (message: string) => void;

/** Some topics of a channel, or `'*'`: every topic. */
export type Topics = readonly string[] | '*';

/**
 * Who wants which topics of a channel, where the broker can route by topic (the IPC relay of `--workers N`): a
 * publisher skips the messages no other process wants (their encoding and relay were most of a write's extra
 * cost with two workers). Redis and the in-memory pub/sub have none: every message goes to every subscriber.
 */
export interface PubSubInterest {
  /** Whether some other process wants `topic` on `channel` (true while the broker has not said). */
  wanted(channel: string, topic: string): boolean;
  /**
   * Replaces the topics of `channel` this process wants; resolves once every other process will send them, so a
   * message published anywhere after that reaches this one.
   */
  declare(channel: string, topics: Topics): Promise<void>;
}

export interface PublishOptions {
  /** What the message is about (the change feed: the class); a broker with `interest` routes by it. */
  readonly topic?: string;
}

export interface PubSub {
  /**
   * Resolves with how many subscribers the message reached when the broker can tell (Redis: every server
   * listening on the channel; in memory: this process's handlers), undefined when it cannot (IPC).
   */
  publish(channel: string, message: string, options?: PublishOptions): Promise<number | undefined>;
  /** Present when the broker routes by topic (IPC): see `PubSubInterest`. */
  readonly interest?: PubSubInterest;
  /** Returns a function that removes the subscription. */
  subscribe(channel: string, handler: MessageHandler): Promise<() => void>;
  /** Resolves when the broker answers (`/ready`); the in-process one always does. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Delivers to subscribers of this process, asynchronously (as Redis would), never to other processes. */
export function createMemoryPubSub(): PubSub {
  const handlers = new Map<string, Set<MessageHandler>>();
  return {
    ping: () => Promise.resolve(),
    publish(channel, message) {
      const set = handlers.get(channel);
      if (set !== undefined) for (const handler of [...set]) queueMicrotask(() => handler(message));
      return Promise.resolve(set?.size ?? 0);
    },
    subscribe(channel, handler) {
      let set = handlers.get(channel);
      if (set === undefined) handlers.set(channel, (set = new Set()));
      set.add(handler);
      return Promise.resolve(() => set.delete(handler));
    },
    close() {
      handlers.clear();
      return Promise.resolve();
    },
  };
}
