import type { MessageHandler, PubSub, PubSubInterest, Topics } from './pubsub.js';

/** The envelope a cluster worker and its primary exchange for one published message. */
export interface IpcPubSubMessage {
  readonly strataPubSub: 1;
  readonly channel: string;
  readonly message: string;
  /** What the message is about (the change feed: its class): the primary sends it only to the workers that want it. */
  readonly topic?: string;
}

/**
 * What a worker and the primary say about interest (`PubSubInterest`): a worker `declare`s the topics of a channel
 * it wants; the primary tells each worker what the `others` want, the worker answers `applied`, and once every
 * worker the declaration concerns has applied it the primary answers the declarer `declared`.
 */
export type IpcInterestMessage =
  | { readonly strataInterest: 'declare'; readonly channel: string; readonly topics: Topics; readonly seq: number }
  | { readonly strataInterest: 'others'; readonly channel: string; readonly topics: Topics; readonly id: number }
  | { readonly strataInterest: 'applied'; readonly id: number }
  | { readonly strataInterest: 'declared'; readonly seq: number };

/** True for a pub/sub envelope (cluster's own messages and anything else on the channel are not). */
export function isIpcPubSubMessage(value: unknown): value is IpcPubSubMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v['strataPubSub'] === 1 &&
    typeof v['channel'] === 'string' &&
    typeof v['message'] === 'string' &&
    (v['topic'] === undefined || typeof v['topic'] === 'string')
  );
}

/** True for an interest message of any of the four kinds, well formed. */
export function isIpcInterestMessage(value: unknown): value is IpcInterestMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v['strataInterest']) {
    case 'declare':
      return typeof v['channel'] === 'string' && isTopics(v['topics']) && typeof v['seq'] === 'number';
    case 'others':
      return typeof v['channel'] === 'string' && isTopics(v['topics']) && typeof v['id'] === 'number';
    case 'applied':
      return typeof v['id'] === 'number';
    case 'declared':
      return typeof v['seq'] === 'number';
    default:
      return false;
  }
}

function isTopics(value: unknown): value is Topics {
  return value === '*' || (Array.isArray(value) && value.every((t) => typeof t === 'string'));
}

/**
 * Pub/sub between the worker processes of one `strata start --workers N`, without Redis: a worker sends
 * each message to the primary over the cluster's IPC channel, and the primary (`IpcRelay`) sends it on: a message
 * without a topic to every worker, the sender included (as Redis does), so every worker sees every channel's
 * messages in one order; a message with a topic only to the other workers that declared they want it (`interest`).
 * The process side is injected: `send` is `process.send`, `listen` adds a `process.on('message')` listener.
 */
export function createIpcPubSub(options: {
  send: (message: IpcPubSubMessage | IpcInterestMessage) => void;
  listen: (listener: (message: unknown) => void) => () => void;
}): PubSub {
  const handlers = new Map<string, Set<MessageHandler>>();
  /** Per channel, the topics the other workers want, as the primary last said; unknown means everything. */
  const others = new Map<string, ReadonlySet<string> | '*'>();
  /** Declarations sent and not yet answered, in `seq` order. */
  const declaring: Array<{ readonly seq: number; readonly resolve: () => void }> = [];
  let seq = 0;
  let closed = false;

  const settleDeclarations = (upTo: number): void => {
    while (declaring.length > 0 && (declaring[0] as { seq: number }).seq <= upTo) declaring.shift()?.resolve();
  };
  const trySend = (message: IpcPubSubMessage | IpcInterestMessage): boolean => {
    if (closed) return false;
    try {
      options.send(message);
      return true;
    } catch {
      return false;
    }
  };

  const stopListening = options.listen((value) => {
    if (isIpcPubSubMessage(value)) {
      const set = handlers.get(value.channel);
      if (set !== undefined) for (const handler of [...set]) handler(value.message);
      return;
    }
    if (!isIpcInterestMessage(value)) return;
    if (value.strataInterest === 'others') {
      others.set(value.channel, value.topics === '*' ? '*' : new Set(value.topics));
      // Applied before the answer leaves: from here on this worker sends what the others want.
      trySend({ strataInterest: 'applied', id: value.id });
    } else if (value.strataInterest === 'declared') {
      settleDeclarations(value.seq);
    }
  });

  const interest: PubSubInterest = {
    wanted(channel, topic) {
      const topics = others.get(channel);
      return topics === undefined || topics === '*' || topics.has(topic);
    },
    declare(channel, topics) {
      seq += 1;
      const mine = seq;
      return new Promise<void>((resolve) => {
        declaring.push({ seq: mine, resolve });
        // Without a primary to tell, no other worker can be waited for: nothing is relayed anyway.
        if (!trySend({ strataInterest: 'declare', channel, topics, seq: mine })) settleDeclarations(mine);
      });
    },
  };

  return {
    interest,
    ping: () => Promise.resolve(),
    publish(channel, message, publishOptions) {
      // A stopping worker whose IPC channel is gone cannot tell the others; its caches die with it.
      if (closed) return Promise.resolve(undefined);
      const topic = publishOptions?.topic;
      try {
        options.send(
          topic === undefined ? { strataPubSub: 1, channel, message } : { strataPubSub: 1, channel, message, topic },
        );
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      // The primary relays to the workers; how many listen on the channel is not known here.
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
      settleDeclarations(Number.POSITIVE_INFINITY);
      return Promise.resolve();
    },
  };
}
