/**
 * Where the client keeps the logged-in user between runs. The interface is the common subset of the web's
 * `localStorage` and React Native's `AsyncStorage`, so either can be passed directly; each method may
 * return a value or a promise.
 *
 * @example
 * createClient({ ...opts, storage: localStorageAdapter() });          // browser, survives reloads
 * createClient({ ...opts, storage: AsyncStorage });                   // React Native
 */
export interface StorageAdapter {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** Keeps the current user in memory only (the default): gone when the process or page ends. */
export function memoryStorage(): StorageAdapter {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
}

/**
 * The browser's `localStorage` (or a compatible object you pass), falling back to memory where there is
 * none (server-side rendering, private modes that throw on access).
 */
export function localStorageAdapter(store?: Storage): StorageAdapter {
  try {
    const found = store ?? (globalThis as { localStorage?: Storage }).localStorage;
    if (found !== undefined) return found;
  } catch {
    // Accessing localStorage throws when storage is disabled: use memory instead.
  }
  return memoryStorage();
}
