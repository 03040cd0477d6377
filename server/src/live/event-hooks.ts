import type { HookCaller } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { reshapeLiveAnswer as reshape } from '../core/index.js';
import type { LiveEvent, LiveHooks } from '../core/index.js';
import type { Logger } from '../infra/index.js';
import type { KeptEvent, ResumeWindow, SubscriptionState } from './resume.js';

/** Events one subscription may have waiting behind a running afterLiveQueryEvent before some are dropped. */
export const MAX_PENDING_HOOK_EVENTS = 1000;

/**
 * `afterLiveQueryEvent` between the hub and the resume window. Each subscription's events go through its own
 * promise chain, so a slow hook delays only that subscription (each run is bounded by the cloud timeout) and
 * events keep their order; a subscription without the hook goes straight to the window.
 *
 * The hook sees the object already shaped by the subscriber's read policy, and its answer is shaped again: a
 * field of the class the subscriber was not given (protected, outside `keys`) is removed even if the hook put
 * it back (e.g. by fetching the object with the master key). Fields that are not the class's (decorations)
 * and the given ones, changed or not, are sent.
 */
export class EventHooks {
  readonly #hooks: LiveHooks;
  readonly #resume: ResumeWindow;
  readonly #logger: Logger;
  readonly #counts: () => { clients: number; subscriptions: number };
  readonly #classFields: (className: string) => Promise<ReadonlySet<string>>;
  readonly #encode: (event: Extract<LiveEvent, { object: unknown }>) => KeptEvent['body'];

  constructor(options: {
    hooks: LiveHooks;
    resume: ResumeWindow;
    logger: Logger;
    counts: () => { clients: number; subscriptions: number };
    classFields: (className: string) => Promise<ReadonlySet<string>>;
    encode: (event: Extract<LiveEvent, { object: unknown }>) => KeptEvent['body'];
  }) {
    this.#hooks = options.hooks;
    this.#resume = options.resume;
    this.#logger = options.logger;
    this.#counts = options.counts;
    this.#classFields = options.classFields;
    this.#encode = options.encode;
  }

  /** What the hub calls for every event of a subscription. */
  deliver(state: SubscriptionState, event: LiveEvent): void {
    const hooked = event.op !== 'error' && this.#hooks.has('afterLiveQueryEvent', event.className);
    if (!hooked && state.hookPending === 0) {
      this.#resume.route(state, event);
      return;
    }
    if (state.hookPending >= MAX_PENDING_HOOK_EVENTS) {
      // The hook cannot keep up: the event is lost, so the sequence skips it (a resume answers resync) and
      // the client is told.
      this.#resume.skip(state);
      state.attached?.({
        op: 'error',
        error: new ParseError(ErrorCode.SCRIPT_FAILED, {
          message: 'afterLiveQueryEvent fell behind: events were dropped',
        }),
      });
      return;
    }
    state.hookPending++;
    state.hookChain = state.hookChain
      .then(() => (hooked ? this.#run(state, event as Extract<LiveEvent, { object: unknown }>) : undefined))
      .then(
        (body) => {
          if (body !== null) this.#resume.route(state, event, body);
        },
        (err: unknown) => this.#logger.error({ err }, 'afterLiveQueryEvent failed'),
      )
      .finally(() => {
        state.hookPending--;
      });
  }

  /** The body to send (undefined: as the hub shaped it), or null when suppressed or refused by the hook. */
  async #run(
    state: SubscriptionState,
    event: Extract<LiveEvent, { object: unknown }>,
  ): Promise<KeptEvent['body'] | undefined | null> {
    const body = this.#encode(event);
    const given = body.object as Record<string, unknown>;
    const original = body.original as Record<string, unknown> | undefined;
    let answer;
    try {
      state.caller ??= this.#hooks.caller({ auth: state.auth, origin: state.origin });
      const caller: HookCaller = await state.caller;
      answer = await this.#hooks.run('afterLiveQueryEvent', {
        className: event.className,
        caller,
        request: {
          ...this.#counts(),
          event: event.op,
          requestId: state.requestId ?? 0,
          object: { ...given, className: event.className },
          ...(original === undefined ? {} : { original: { ...original, className: event.className } }),
        },
      });
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      state.attached?.({ op: 'error', error: err });
      return null;
    }
    if (answer === undefined) return undefined;
    if (!answer.send) return null;
    const fields = await this.#classFields(event.className);
    return {
      object: reshape({ answered: answer.object, given, fields }),
      ...(original === undefined ? {} : { original: reshape({ answered: answer.original, given: original, fields }) }),
    };
  }
}
