import type { PasswordHasher } from '../../auth/index.js';
import type { SessionCache } from './session-cache.js';

/** What the `_User` and `_Session` rules need besides storage, built once by `app.ts`. */
export interface UserServices {
  readonly hasher: PasswordHasher;
  /** Lifetime of a new session; `undefined`: sessions never expire. */
  readonly sessionLengthMs: number | undefined;
  readonly sessionCache: SessionCache;
  /** The clock for session expiry (injected so tests never sleep). */
  readonly now: () => Date;
}
