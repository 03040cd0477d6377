import type { MessageHandler, PubSub } from './pubsub.js';

/** The envelope a cluster worker and its primary exchange for one published message. */
export interface IpcPubSubMessage {
  readonly strataPubSub: 1;
  readonly channel: string;
  readonly message: string;
}

/** True for a pub/sub envelope (cluster's own messages and anything else on the channel are not). */
export function isIpcPubSubMessage(value: unknown): value is IpcPubSubMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v['strataPubSub'] === 1 && typeof v['channel'] === 'string' && typeof v['message'] === 'string';
}

/**
 * Pub/sub between the worker processes of one `strata start --workers N`, without Redis: a worker sends
 * each message to the primary over the cluster's IPC channel, and the primary sends it to every worker,
 * the sender included (as Redis does), so every worker sees every channel's messages in one order. The
 * process side is injected: `send` is `process.send`, `listen` adds a `process.on('message')` listener.
 */
export function createIpcPubSub(options: {
  send: (message: IpcPubSubMessage) => void;
  listen: (listener: (message: unknown) => void) => () => void;
}): PubSub {
  const handlers = new Map<string, Set<MessageHandler>>();
  const stopListening = options.listen((value) => {
    if (!isIpcPubSubMessage(value)) return;
    const set = handlers.get(value.channel);
    if (set !== undefined) for (const handler of [...set]) handler(value.message);
  });
  let closed = false;
  return {
    ping: () => Promise.resolve(),
    publish(channel, message) {
      // A stopping worker whose IPC channel is gone cannot tell the others; its caches die with it.
      if (closed) return Promise.resolve(undefined);
      try {
        options.send({ strataPubSub: 1, channel, message });
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      // The primary relays to every worker; how many listen on the channel is not known here.
      return Promise.resolve(undefined);
    },
    subscribe(channel, handler) {
      let set = handlers.get(channel);
      if (set === undefined) handlers.set(channel, (set = new Set()));
      set.add(handler);
      return Promise.resolve(() => set.delete(handler));
    },
    close() {
      closed = true;
      handlers.clear();
      stopListening();
      return Promise.resolve();
    },
  };
}
