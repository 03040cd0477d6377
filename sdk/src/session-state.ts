import { decodeRecord, encode } from './codec.js';
import type { StorageAdapter } from './storage.js';

/**
 * The logged-in user of one client: loaded once from the storage adapter, written back on every change,
 * and announced to `onChange` listeners. Each client has its own, so several clients (or users) can live
 * in one process.
 */
export interface SessionState<U> {
  user(): Promise<U | null>;
  token(): Promise<string | undefined>;
  set(user: U | null): Promise<void>;
  onChange(listener: (user: U | null) => void): () => void;
}

export function createSessionState<U extends { readonly sessionToken?: string }>(options: {
  storage: StorageAdapter;
  key: string;
}): SessionState<U> {
  const { storage, key } = options;
  const listeners = new Set<(user: U | null) => void>();
  let current: U | null = null;
  let loading: Promise<void> | undefined;

  const load = (): Promise<void> =>
    (loading ??= (async () => {
      try {
        const text = await storage.getItem(key);
        if (text !== null) current = decodeRecord<U>(JSON.parse(text));
      } catch {
        // Unreadable or corrupt storage: start logged out rather than failing every call.
        current = null;
      }
    })());

  return {
    user: async () => {
      await load();
      return current;
    },
    token: async () => {
      await load();
      return current?.sessionToken;
    },
    set: async (user) => {
      await load();
      current = user;
      if (user === null) await storage.removeItem(key);
      else await storage.setItem(key, JSON.stringify(encode(user)));
      for (const listener of listeners) {
        try {
          listener(user);
        } catch (err) {
          // A failing listener must not fail the log-in that notified it: report it like an event handler's.
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
