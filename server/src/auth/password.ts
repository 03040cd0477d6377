import type Bcrypt from 'bcrypt';

/**
 * Password hashing with bcrypt. The native `bcrypt` package hashes on libuv's thread pool, so a log-in
 * storm does not block the event loop. Hashes written by parse-server (`$2a$`, `$2b$`, `$2y$` prefixes)
 * verify unchanged. The native addon is loaded by the first hash or check, not at start (cold start).
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** True when `password` matches `hash`; false for a malformed hash rather than an error. */
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * Burns the same time as a real verification when there is no user to check against, so a wrong
   * username and a wrong password cannot be told apart by timing. Always false.
   */
  verifyAgainstNothing(password: string): Promise<false>;
}

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * @example
 * const hasher = createPasswordHasher({ cost: 10 });
 * const hash = await hasher.hash('s3cret');
 * await hasher.verify('s3cret', hash); // true
 */
export function createPasswordHasher(options: { cost: number }): PasswordHasher {
  const { cost } = options;
  // Made once per hasher (not per module) at the configured cost, so the dummy check costs what a real one does.
  let dummy: Promise<string> | undefined;
  // Concurrent first calls share one import; a failed one rejects the call (a 500 from the door), never hangs.
  let library: Promise<typeof Bcrypt> | undefined;
  const bcrypt = (): Promise<typeof Bcrypt> => (library ??= import('bcrypt').then((loaded) => loaded.default));
  const verify = async (password: string, hash: string): Promise<boolean> => {
    if (!BCRYPT_HASH.test(hash)) return false;
    // `$2y$` (PHP's name for the fixed algorithm) is the same algorithm as `$2b$`; the native library
    // only knows the latter spelling.
    const normalized = hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
    return (await bcrypt()).compare(password, normalized);
  };
  return {
    hash: async (password) => (await bcrypt()).hash(password, cost),
    verify,
    async verifyAgainstNothing(password) {
      dummy ??= bcrypt().then((lib) => lib.hash('strata-timing-equalizer', cost));
      await verify(password, await dummy);
      return false;
    },
  };
}
