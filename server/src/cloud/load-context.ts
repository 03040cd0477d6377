/**
 * Which app's registry the cloud code being imported registers into. The loader imports the developer's
 * module under a fresh tsx namespace, so every ES module it imports — `@strata/server/cloud` included — is a
 * new copy with its own module-level variables: a plain "active registry" variable set by the host would be
 * invisible to that copy. The registry therefore travels in an `AsyncLocalStorage` kept on a global symbol,
 * which every copy of this module finds, and which follows the import's evaluation and anything it schedules.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CloudRegistry } from './registry.js';

const KEY = Symbol.for('strata.cloud.loading-registry');

function storage(): AsyncLocalStorage<CloudRegistry> {
  const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<CloudRegistry> | undefined>;
  holder[KEY] ??= new AsyncLocalStorage<CloudRegistry>();
  return holder[KEY];
}

/** Runs `fn` (the module's import) with `registry` as the one module-level registration calls reach. */
export function withLoadingRegistry<T>(registry: CloudRegistry, fn: () => T): T {
  return storage().run(registry, fn);
}

/**
 * The registry of the cloud code being loaded, for module-level registration functions (the typed API's
 * `defineFunction(...)` at the top of `main.ts`); undefined outside a load.
 */
export function loadingRegistry(): CloudRegistry | undefined {
  return storage().getStore();
}
