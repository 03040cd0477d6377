import { startTestServer } from './test-server.test-util.js';
import type { TestServer } from './test-server.test-util.js';

/** A test server whose afterLiveQueryEvent hook holds one event until the test lets it go. */
export interface HeldHookServer {
  readonly server: TestServer;
  /** Settles once the hook holds the event of the object written with `n: 1`. */
  readonly blocked: Promise<void>;
  /** Lets the held event (and every event waiting behind it) through. */
  release(): void;
}

/**
 * Starts a server whose afterLiveQueryEvent hook on `className` holds the event of the object with `n: 1` until
 * `release()`, so what waits behind it and what is dropped is decided by the order of the writes, not by a clock.
 * Both subscription doors' "hook falls behind" suites use it.
 */
export async function startServerWithHeldHook(className: string): Promise<HeldHookServer> {
  let release = (): void => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let blocking = (): void => {};
  const blocked = new Promise<void>((resolve) => (blocking = resolve));
  const server = await startTestServer({
    // The held hook must not time out (141) while the test writes.
    cloudTimeout: 600_000,
    cloudSetup: (registry) =>
      registry.defineLiveTrigger({
        triggerName: 'afterLiveQueryEvent',
        className,
        source: 'strata',
        handler: async (request) => {
          if (request.object['n'] === 1) {
            blocking();
            await held;
          }
          return undefined;
        },
      }),
  });
  return { server, blocked, release };
}
