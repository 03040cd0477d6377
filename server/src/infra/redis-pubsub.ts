import type { MessageHandler, PubSub } from './pubsub.js';
import { connectRedis } from './redis-connect.js';

/**
 * Pub/sub over Redis (ioredis, imported on demand so embedded starts never load it). Redis needs a
 * dedicated connection for subscriptions, so this holds two. Channel names are prefixed per app so
 * several apps can share one Redis.
 */
export async function createRedisPubSub(options: { url: string; prefix: string }): Promise<PubSub> {
  const publisher = await connectRedis({ url: options.url, maxRetriesPerRequest: 3 });
  const subscriber = await connectRedis({ url: options.url, maxRetriesPerRequest: 3 }).catch((err: unknown) => {
    publisher.disconnect();
    throw err;
  });
  const handlers = new Map<string, Set<MessageHandler>>();
  subscriber.on('message', (channel: string, message: string) => {
    const set = handlers.get(channel);
    if (set !== undefined) for (const handler of [...set]) handler(message);
  });
  const name = (channel: string): string => `${options.prefix}:${channel}`;
  return {
    async ping() {
      // Both connections: a dead subscriber means this server no longer hears invalidations.
      await Promise.all([publisher.ping(), subscriber.ping()]);
    },
    async publish(channel, message) {
      return await publisher.publish(name(channel), message);
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
        }
      };
    },
    async close() {
      handlers.clear();
      subscriber.disconnect();
      await publisher.quit();
    },
  };
}
