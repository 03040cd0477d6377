import type { Logger } from '../infra/index.js';

/** Process-wide, like the event it listens to: one guard however many apps share the process (tests do). */
const GUARD = Symbol.for('strata.cloud.unhandledRejectionGuard');

/**
 * Keeps the process alive when cloud code leaks a rejected promise nobody awaits (Node's default is to crash
 * on an unhandled rejection): the reason is logged and the server keeps answering. Idempotent; `main.ts` and
 * `createApp` both call it. Uncaught synchronous exceptions are not caught: Node's state after one is unsafe.
 */
export function installUnhandledRejectionGuard(logger: Logger): void {
  const slot = globalThis as { [GUARD]?: true };
  if (slot[GUARD] === true) return;
  slot[GUARD] = true;
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error({ err: reason }, 'unhandled promise rejection (probably from cloud code); the server keeps running');
  });
}
