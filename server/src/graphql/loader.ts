import type { Auth } from '../auth/index.js';
import type { Core, OutputObject, RequestOrigin } from '../core/index.js';
import { Pointer } from '../schema/index.js';

/**
 * Loads the objects pointers name, for one request: every pointer resolved in the same tick is collected,
 * then read with one `core.getPointed` (one storage query per class), so a page of 100 objects with a pointer
 * costs one more query, not 100. It reads as the caller exactly as a REST `include` does (CLP `get`, ACL,
 * protectedFields, find triggers): an object the caller may not read is `undefined`, as `include` leaves it out.
 */
export class ObjectLoader {
  readonly #core: Core;
  readonly #auth: Auth;
  readonly #origin: RequestOrigin;
  readonly #cache = new Map<string, Promise<OutputObject | undefined>>();
  #pending = new Map<string, Map<string, (object: OutputObject | undefined) => void>>();
  #failures = new Map<string, Map<string, (err: unknown) => void>>();
  #scheduled = false;

  constructor(options: { core: Core; auth: Auth; origin: RequestOrigin }) {
    this.#core = options.core;
    this.#auth = options.auth;
    this.#origin = options.origin;
  }

  load(className: string, objectId: string): Promise<OutputObject | undefined> {
    const key = `${className}\u0000${objectId}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const promise = new Promise<OutputObject | undefined>((resolve, reject) => {
      let ids = this.#pending.get(className);
      let fails = this.#failures.get(className);
      if (ids === undefined || fails === undefined) {
        ids = new Map();
        fails = new Map();
        this.#pending.set(className, ids);
        this.#failures.set(className, fails);
      }
      ids.set(objectId, resolve);
      fails.set(objectId, reject);
    });
    this.#cache.set(key, promise);
    if (!this.#scheduled) {
      this.#scheduled = true;
      // After the resolvers of this tick have asked for their pointers.
      setImmediate(() => this.#flush());
    }
    return promise;
  }

  /** Forgets what was loaded (after a write in the same request, a later read must see it). */
  clear(): void {
    this.#cache.clear();
  }

  #flush(): void {
    this.#scheduled = false;
    const pending = this.#pending;
    const failures = this.#failures;
    this.#pending = new Map();
    this.#failures = new Map();
    const pointers = [...pending].flatMap(([className, ids]) =>
      [...ids.keys()].map((objectId) => new Pointer(className, objectId)),
    );
    this.#core.getPointed({ auth: this.#auth, pointers, origin: this.#origin }).then(
      (objects) => {
        const found = new Map(objects.map((object) => [`${object.className}\u0000${object.objectId}`, object]));
        for (const [className, ids] of pending) {
          for (const [objectId, resolve] of ids) resolve(found.get(`${className}\u0000${objectId}`));
        }
      },
      (err: unknown) => {
        for (const fails of failures.values()) for (const reject of fails.values()) reject(err);
      },
    );
  }
}
