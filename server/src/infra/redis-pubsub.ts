import type { MessageHandler, PubSub, PubSubInterest, Topics } from './pubsub.js';
import { connectRedis } from './redis-connect.js';

/** Between a channel's name and a topic in the Redis channel of a message with a topic (class names have none). */
const TOPIC_MARK = '#';

/** What this server asked Redis for on one channel's topics: each topic's SUBSCRIBE, or the pattern's for all. */
interface Routing {
  readonly topics: Map<string, Promise<boolean>>;
  pattern: Promise<boolean> | undefined;
}

/**
 * Pub/sub over Redis (ioredis, imported on demand so embedded starts never load it). Redis needs a
 * dedicated connection for subscriptions, so this holds two. Channel names are prefixed per app so
 * several apps can share one Redis.
 *
 * A message with a topic (the change feed's class) goes to its own Redis channel, `<channel>#<topic>`, and reaches
 * only the servers that declared the topic (`interest`): each declared topic is a SUBSCRIBE, `'*'` a PSUBSCRIBE of
 * `<channel>#*`. A declaration subscribes what it adds before it unsubscribes what it drops, and resolves once Redis
 * confirmed its subscriptions, so a message published after that reaches this server. Where a topic's channel and
 * the pattern overlap (changing between `'*'` and a list), Redis sends one publish twice, the channel's copy then
 * the pattern's, one after the other on this connection: the pattern's copy of the message just received is
 * dropped. Until a channel is declared, its messages with a topic do not reach this server; those without one go to
 * every subscriber of the channel, as before (the caches' channels).
 */
export async function createRedisPubSub(options: { url: string; prefix: string }): Promise<PubSub> {
  const publisher = await connectRedis({ url: options.url, maxRetriesPerRequest: 3 });
  const subscriber = await connectRedis({ url: options.url, maxRetriesPerRequest: 3 }).catch((err: unknown) => {
    publisher.disconnect();
    throw err;
  });
  const handlers = new Map<string, Set<MessageHandler>>();
  const routing = new Map<string, Routing>();
  /** Where a Redis channel's name may hold the topic mark: after the prefix (channel names have none). */
  const topicFrom = options.prefix.length + 1;
  const deliver = (full: string, message: string): void => {
    const set = handlers.get(full);
    if (set !== undefined) for (const handler of [...set]) handler(message);
  };
  /** The last message that came on a topic's own channel: its pattern copy, if any, comes right after it. */
  let lastOnTopic: { readonly channel: string; readonly message: string } | undefined;
  subscriber.on('message', (channel: string, message: string) => {
    if (handlers.has(channel)) {
      lastOnTopic = undefined;
      deliver(channel, message);
      return;
    }
    const mark = channel.indexOf(TOPIC_MARK, topicFrom);
    if (mark === -1) return;
    lastOnTopic = { channel, message };
    deliver(channel.slice(0, mark), message);
  });
  subscriber.on('pmessage', (pattern: string, channel: string, message: string) => {
    const copy = lastOnTopic !== undefined && lastOnTopic.channel === channel && lastOnTopic.message === message;
    lastOnTopic = undefined;
    if (copy) return;
    const mark = channel.indexOf(TOPIC_MARK, topicFrom);
    if (mark !== -1 && pattern === patternOf(channel.slice(0, mark))) deliver(channel.slice(0, mark), message);
  });
  const name = (channel: string): string => `${options.prefix}:${channel}`;

  /** Sends the command now (ioredis keeps a connection's commands in order); true once Redis confirmed it. */
  const confirmed = (command: Promise<unknown>): Promise<boolean> =>
    command.then(
      () => true,
      () => false,
    );
  const release = (state: Routing, drop: { topics: readonly string[]; pattern: boolean; full: string }): void => {
    if (drop.pattern) subscriber.punsubscribe(patternOf(drop.full)).catch(() => undefined);
    if (drop.topics.length > 0) {
      subscriber.unsubscribe(...drop.topics.map((topic) => drop.full + TOPIC_MARK + topic)).catch(() => undefined);
    }
    for (const topic of drop.topics) state.topics.delete(topic);
  };

  const interest: PubSubInterest = {
    // Redis cannot tell a publisher who listens without a round trip; it routes by topic itself.
    wanted: () => true,
    async declare(channel: string, topics: Topics): Promise<void> {
      const full = name(channel);
      const state = routing.get(full) ?? { topics: new Map<string, Promise<boolean>>(), pattern: undefined };
      routing.set(full, state);
      const wanted = topics === '*' ? [] : [...new Set(topics)];
      // Added first, then dropped: Redis applies them in this order, so nothing wanted in both is missed between.
      if (topics === '*') state.pattern ??= confirmed(subscriber.psubscribe(patternOf(full)));
      const added = wanted.filter((topic) => !state.topics.has(topic));
      if (added.length > 0) {
        const done = confirmed(subscriber.subscribe(...added.map((topic) => full + TOPIC_MARK + topic)));
        for (const topic of added) state.topics.set(topic, done);
      }
      const dropPattern = topics !== '*' && state.pattern !== undefined;
      if (dropPattern) state.pattern = undefined;
      const keep = new Set(wanted);
      release(state, { full, pattern: dropPattern, topics: [...state.topics.keys()].filter((t) => !keep.has(t)) });
      // Waits for every subscription this declaration relies on, its own and those an earlier one sent.
      const waits = topics === '*' ? [state.pattern as Promise<boolean>] : wanted.map((t) => state.topics.get(t));
      const results = await Promise.all(waits);
      // One that failed (Redis unreachable) is forgotten, so the next declaration sends it again; the declaration
      // itself still resolves (its callers do not wait on it), and the server misses what is published meanwhile.
      if (results.includes(false)) forgetFailed(state, { topics: wanted, pattern: topics === '*', waits });
    },
  };
  const forgetFailed = (
    state: Routing,
    failed: { topics: readonly string[]; pattern: boolean; waits: ReadonlyArray<Promise<boolean> | undefined> },
  ): void => {
    if (failed.pattern && state.pattern === failed.waits[0]) state.pattern = undefined;
    failed.topics.forEach((topic, i) => {
      if (state.topics.get(topic) === failed.waits[i]) state.topics.delete(topic);
    });
  };

  return {
    interest,
    async ping() {
      // Both connections: a dead subscriber means this server no longer hears invalidations.
      await Promise.all([publisher.ping(), subscriber.ping()]);
    },
    async publish(channel, message, publishOptions) {
      const topic = publishOptions?.topic;
      return await publisher.publish(topic === undefined ? name(channel) : name(channel) + TOPIC_MARK + topic, message);
    },
    async subscribe(channel, handler) {
      const full = name(channel);
      let set = handlers.get(full);
      if (set === undefined) {
        handlers.set(full, (set = new Set()));
        await subscriber.subscribe(full);
      }
      set.add(handler);
      return () => {
        set.delete(handler);
        // The last one: Redis stops sending it here too (a publisher then sees one server fewer listening).
        if (set.size === 0 && handlers.get(full) === set) {
          handlers.delete(full);
          subscriber.unsubscribe(full).catch(() => undefined);
          const state = routing.get(full);
          if (state !== undefined) {
            routing.delete(full);
            release(state, { full, pattern: state.pattern !== undefined, topics: [...state.topics.keys()] });
          }
        }
      };
    },
    async close() {
      handlers.clear();
      routing.clear();
      subscriber.disconnect();
      await publisher.quit();
    },
  };
}

/** The PSUBSCRIBE pattern of every topic of a channel, its name's glob characters escaped. */
function patternOf(full: string): string {
  return `${full.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}${TOPIC_MARK}*`;
}
