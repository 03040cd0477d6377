/**
 * `console.log` and friends called by cloud code while it serves a request go to the server's logger, bound
 * to that request's id, like `request.log`. Everywhere else (outside a hook, or the rest of the process)
 * the console is untouched. Installed once per process, when cloud code is first loaded.
 */
import { format } from 'node:util';
import { currentHookLogger } from './parse-runtime.js';

const INSTALLED = Symbol.for('strata.cloud.console-bridge');

const LEVELS = { log: 'info', info: 'info', debug: 'debug', trace: 'trace', warn: 'warn', error: 'error' } as const;

export function installConsoleBridge(): void {
  const target = console as unknown as Record<string | symbol, unknown>;
  if (target[INSTALLED] === true) return;
  target[INSTALLED] = true;
  for (const [method, level] of Object.entries(LEVELS)) {
    const original = target[method] as (...args: unknown[]) => void;
    target[method] = (...args: unknown[]): void => {
      const log = currentHookLogger();
      if (log === undefined) {
        original.apply(console, args);
        return;
      }
      log[level]({ console: method }, format(...args));
    };
  }
}
