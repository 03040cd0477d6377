/**
 * One stored document an app server caches (Parse Config, the GraphQL config): loaded on first use, then the
 * same promise until `invalidate()` (another server changed it) or `changed()` (this one did: dropped here, and
 * `onChange` tells the others, `app-caches.ts`). A failed load is not kept, and a load that an invalidation
 * overtook is not kept either: the next `get` loads again.
 *
 * @example
 * const cache = new DocumentCache({ load: () => storage.getGlobalConfig(), onChange: () => announce() });
 */
export class DocumentCache<T> {
  #current: Promise<T> | undefined;
  readonly #load: () => Promise<T>;
  readonly #onChange: (() => void) | undefined;

  constructor(options: { load: () => Promise<T>; onChange?: (() => void) | undefined }) {
    this.#load = options.load;
    this.#onChange = options.onChange;
  }

  get(): Promise<T> {
    if (this.#current !== undefined) return this.#current;
    const loading = this.#load();
    this.#current = loading;
    loading.catch(() => {
      if (this.#current === loading) this.#current = undefined;
    });
    return loading;
  }

  invalidate(): void {
    this.#current = undefined;
  }

  /** Called after this server wrote the document: drop the cache here and tell the others. */
  changed(): void {
    this.invalidate();
    this.#onChange?.();
  }
}
