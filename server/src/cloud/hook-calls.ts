/**
 * How the cloud runner calls hook code: a validator (with its `rateLimit` counters) before the hook, and the
 * hook under the cloud timeout, each failure turned into a Parse error and each run reported to `observe`.
 * A hook still running after the timeout fails its request; its later answer is logged and dropped.
 */
import { performance } from 'node:perf_hooks';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { HookSample, Logger, RateLimiter } from '../infra/index.js';
import { hookTimedOut, toHookError } from './errors.js';
import type { CallerInfo, JsonObject, RateLimitRule, Validator } from './types.js';
import { runValidator } from './validators.js';
import type { ValidationSubject, ValidatorOutcome } from './validators.js';

/** Who called, as core hands it to the runner once per operation. */
export interface HookCaller {
  readonly info: CallerInfo;
  /** The client context; one object per operation, so a before-trigger's writes reach its after-trigger. */
  readonly context: JsonObject;
  /** The request's logger (bound to its request id). */
  readonly log: Logger;
  /** The caller's role names, resolved only when a validator asks. */
  roleNames(): Promise<readonly string[]>;
}

/** Makes the limiter of one `rateLimit` validator rule (memory, or Redis shared by every server). */
export type HookRateLimiterFactory = (options: { rule: RateLimitRule; scope: string }) => Promise<RateLimiter>;

/** What a run of hook code is, for `observe`; validators are not observed apart from their hook. */
export type Observed = Pick<HookSample, 'kind' | 'name' | 'className'>;

export class HookCalls {
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  readonly #rateLimiter: HookRateLimiterFactory | undefined;
  readonly #observe: ((sample: HookSample) => void) | undefined;
  readonly #limiters = new Map<string, Promise<RateLimiter>>();

  constructor(options: {
    timeoutMs: number;
    logger: Logger;
    rateLimiter: HookRateLimiterFactory | undefined;
    observe: ((sample: HookSample) => void) | undefined;
  }) {
    this.#timeoutMs = options.timeoutMs;
    this.#logger = options.logger;
    this.#rateLimiter = options.rateLimiter;
    this.#observe = options.observe;
  }

  /** Closes the rate limiters' connections. */
  async close(): Promise<void> {
    const limiters = [...this.#limiters.values()];
    this.#limiters.clear();
    await Promise.all(limiters.map(async (pending) => (await pending.catch(() => undefined))?.close()));
  }

  /**
   * The common step of a hook with nothing to do between its validator and its body: validate, then run
   * the body unless the validator skips it (`skipWithMasterKey`), answering undefined when skipped.
   */
  async validateAndCall<R>(options: {
    key: string;
    validator: Validator | undefined;
    subject: ValidationSubject;
    caller: HookCaller;
    what: string;
    run: () => Promise<R> | R;
    errors?: { code: ErrorCode; message: string };
    observed: Observed;
  }): Promise<R | undefined> {
    const { what, run, errors, observed, ...validation } = options;
    if ((await this.validate(validation)) === 'skip') return undefined;
    return this.call({ what, run, observed, ...(errors === undefined ? {} : { errors }) });
  }

  async validate(options: {
    key: string;
    validator: Validator | undefined;
    subject: ValidationSubject;
    caller: HookCaller;
  }): Promise<ValidatorOutcome> {
    const { validator } = options;
    if (validator === undefined) return 'run';
    if (typeof validator === 'object' && validator.rateLimit !== undefined) {
      await this.#rateLimit({ key: options.key, rule: validator.rateLimit, caller: options.caller });
    }
    return this.call({ what: 'Validator', run: () => runValidator(validator, options.subject) });
  }

  async #rateLimit(options: { key: string; rule: RateLimitRule; caller: HookCaller }): Promise<void> {
    const { rule, caller } = options;
    if (this.#rateLimiter === undefined) return;
    if (caller.info.master && rule.includeMasterKey !== true) return;
    let limiter = this.#limiters.get(options.key);
    if (limiter === undefined) {
      limiter = this.#rateLimiter({ rule, scope: options.key });
      this.#limiters.set(options.key, limiter);
    }
    const ip = caller.info.ip ?? 'unknown';
    const zone = rule.zone ?? 'ip';
    const who =
      zone === 'global'
        ? 'global'
        : zone === 'user'
          ? (caller.info.user?.objectId ?? `ip:${ip}`)
          : zone === 'session'
            ? (caller.info.sessionToken ?? `ip:${ip}`)
            : `ip:${ip}`;
    const { allowed } = await (await limiter).hit(who);
    if (!allowed) {
      throw new ParseError(ErrorCode.CONNECTION_FAILED, { message: rule.errorResponseMessage ?? 'Too many requests.' });
    }
  }

  /**
   * Runs hook code: synchronous throws and rejections become Parse errors, and a hook still running after the
   * timeout fails the request (its later result or rejection is logged and dropped).
   */
  call<R>(options: {
    what: string;
    run: () => Promise<R> | R;
    errors?: { code: ErrorCode; message: string };
    /** Reported to `observe` when it settles (or times out). */
    observed?: Observed;
  }): Promise<R> {
    const { what, observed } = options;
    const startedAt = performance.now();
    const report = (ok: boolean): void => {
      if (observed === undefined || this.#observe === undefined) return;
      try {
        this.#observe({ ...observed, ok, ms: performance.now() - startedAt });
      } catch (err) {
        this.#logger.warn({ err }, 'hook observer failed');
      }
    };
    const started = new Promise<R>((resolve) => resolve(options.run()));
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        report(false);
        reject(hookTimedOut(what, this.#timeoutMs));
      }, this.#timeoutMs);
      started.then(
        (value) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          report(true);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          if (settled) {
            this.#logger.warn({ err }, `${what} failed after it had timed out`);
            return;
          }
          settled = true;
          report(false);
          reject(toHookError(err, options.errors));
        },
      );
    });
  }
}
