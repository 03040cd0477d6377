/**
 * Publish/subscribe between app servers: schema, role and session cache invalidation today, LiveQuery
 * events later. One process uses the in-memory implementation; several share Redis.
 */
export type MessageHandler = (message: string) => void;

export interface PubSub {
  /**
   * Resolves with how many subscribers the message reached when the broker can tell (Redis: every server
   * listening on the channel; in memory: this process's handlers), undefined when it cannot (IPC).
   */
  publish(channel: string, message: string): Promise<number | undefined>;
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
