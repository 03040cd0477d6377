import { AsyncLocalStorage } from 'node:async_hooks';
import { RoleCache } from '../auth/index.js';
import type { GlobalConfigData, StorageAdapter } from '../storage/index.js';
import type { TransactionChanges } from './change-sink.js';
import type { CoreDeps, GlobalConfigSource } from './deps.js';
import { changesRoles } from './role-source.js';

/**
 * Core's storage transactions (`/batch` with `transaction: true`), and the rule that makes them safe:
 * everything a transaction's work does happens inside it. A transaction holds the database (SQLite runs
 * nothing else until it ends; MongoDB makes outside writes to its documents wait), so work that waited on
 * anything outside it (the app's storage, a schema lock or a load another request holds, a cache that
 * loads through the app's storage) would wait forever: one such request hung the server (issue 11).
 *
 * So the work runs with its own dependencies, every one that reaches storage or shares work in flight
 * replaced by one bound to the transaction: the storage itself, a schema registry writing through it (so
 * a new class, field or relation is created inside the transaction), a role cache and a Parse Config
 * source of its own. What they changed is published to the app's caches once the transaction has ended.
 * Its object writes go to a change buffer (`TransactionChanges`): published on the feed, with their
 * reactions, once the transaction has committed, and dropped when it rolls back.
 * And the transaction is ambient: a core call made anywhere inside the work (cloud code's Parse SDK in a
 * trigger reaches core through the app's `Core`) runs with the transaction's dependencies too.
 */

interface OpenTransaction {
  readonly deps: CoreDeps;
  open: boolean;
}

/** The transactions open in one core, found by the async context of a call. Created by `createCore`. */
export class AmbientTransactions {
  readonly #current = new AsyncLocalStorage<OpenTransaction>();
  #open = 0;

  /** The dependencies of the open transaction the caller runs inside, else `root`. */
  depsFor(root: CoreDeps): CoreDeps {
    const active = this.#current.getStore();
    return active !== undefined && active.open ? active.deps : root;
  }

  /**
   * Runs `work` in one transaction of `deps.storage` (a savepoint inside an open one), ambient for every
   * core call made inside it. Settles the transaction's caches into `deps`' once it has ended.
   */
  async run<T>(deps: CoreDeps, work: () => Promise<T>): Promise<T> {
    let ended = (): void => undefined;
    const changes = deps.changes.begin();
    let result: T;
    try {
      result = await deps.storage.transaction((tx) => {
        const scoped = scopeToTransaction(deps, { storage: tx.storage, changes });
        const active: OpenTransaction = { deps: scoped.deps, open: true };
        this.#open += 1;
        ended = () => {
          active.open = false;
          this.#open -= 1;
          // Tracking contexts costs every promise a little; stop once no transaction is open.
          if (this.#open === 0) this.#current.disable();
          scoped.settle();
        };
        return this.#current.run(active, work);
      });
    } finally {
      ended();
    }
    // Committed: its changes go out now, outside the transaction's context (reactions run as any other call).
    await changes.commit();
    return result;
  }
}

/**
 * `deps` with everything that reaches storage bound to `storage` (a transaction's) and object writes going to
 * `changes`, and how to settle it.
 */
function scopeToTransaction(
  deps: CoreDeps,
  options: { storage: StorageAdapter; changes: TransactionChanges },
): { deps: CoreDeps; settle: () => void } {
  const { storage, changes } = options;
  const schemas = deps.schemas.forTransaction(storage);
  let rolesChanged = false;
  let configChanged = false;
  const roles = deps.roles === undefined ? undefined : new RoleCache({ onInvalidate: () => (rolesChanged = true) });
  // The transaction's own role cache forgets what a `_Role` write inside it changed; the app's hears of it
  // from the feed after the commit.
  changes.onBuffered((event) => {
    if (changesRoles(event.className)) roles?.clear();
  });
  const globalConfig: GlobalConfigSource | undefined =
    deps.globalConfig === undefined
      ? undefined
      : { get: () => readConfig(storage), changed: () => (configChanged = true) };
  return {
    deps: {
      ...deps,
      storage,
      changes,
      schemas: schemas.registry,
      ...(roles === undefined ? {} : { roles }),
      ...(globalConfig === undefined ? {} : { globalConfig }),
    },
    settle: () => {
      schemas.settle();
      if (rolesChanged) deps.roles?.invalidate();
      if (configChanged) deps.globalConfig?.changed();
    },
  };
}

function readConfig(storage: StorageAdapter): Promise<GlobalConfigData> {
  return storage.getGlobalConfig?.() ?? Promise.resolve({ params: {}, masterKeyOnly: {} });
}
