import { randomUUID } from 'node:crypto';
import type { Logger, PubSub } from '../infra/index.js';
import type { CloudRegistry } from './registry.js';
import { WebhookCaller } from './webhooks-call.js';
import type { WebhookCallSettings } from './webhooks-call.js';
import { buildOverlay } from './webhooks-handlers.js';
import type { FunctionHook, TriggerHook } from './webhooks-handlers.js';

/**
 * Where the webhooks registered through `/hooks` are read from: `_Hooks`, through core, which owns that class
 * and its operations (`core/webhooks.ts`); `app.ts` passes core's implementation in.
 */
export interface WebhookSource {
  /** Every stored hook, functions and triggers apart, sorted by name; odd rows are skipped with a warning. */
  readAll(options: { logger?: Logger }): Promise<{ functions: FunctionHook[]; triggers: TriggerHook[] }>;
}

/**
 * The stored webhooks laid over the registry's in-process hooks. Every server loads them at start; a change
 * made on one server (core's `/hooks` operations call `changed()`) is announced over pub/sub and the others
 * reload, so all of them call the same URLs.
 */
export class WebhookStore {
  readonly #source: WebhookSource;
  readonly #registry: CloudRegistry;
  readonly #caller: WebhookCaller;
  readonly #onChange: () => void;
  /** Reloads run one after another, so the last one installs the latest stored state. */
  #reloading: Promise<void> = Promise.resolve();

  constructor(options: {
    source: WebhookSource;
    registry: CloudRegistry;
    caller: WebhookCaller;
    onChange?: () => void;
  }) {
    this.#source = options.source;
    this.#registry = options.registry;
    this.#caller = options.caller;
    this.#onChange = options.onChange ?? (() => undefined);
  }

  /** Reads `_Hooks` and replaces the registry's webhook overlay with it. */
  reload(options: { logger?: Logger } = {}): Promise<void> {
    const run = async (): Promise<void> => {
      const { functions, triggers } = await this.#source.readAll(options);
      this.#registry.setWebhooks(buildOverlay({ functions, triggers, caller: this.#caller }));
    };
    const next = this.#reloading.then(run, run);
    this.#reloading = next.catch(() => undefined);
    return next;
  }

  /** After this server changed `_Hooks`: reload here, then tell the other servers. */
  async changed(): Promise<void> {
    await this.reload();
    this.#onChange();
  }
}

/**
 * Builds the store, loads `_Hooks` into the registry and keeps it coherent across servers: a change here is
 * announced on `channel`; an announcement from another server makes this one reload.
 */
export async function createWebhookStore(options: {
  source: WebhookSource;
  registry: CloudRegistry;
  pubsub: PubSub;
  logger: Logger;
  settings: Omit<WebhookCallSettings, 'logger'>;
}): Promise<WebhookStore> {
  const { pubsub, logger } = options;
  const origin = randomUUID();
  const channel = 'hooks-changed';
  const store = new WebhookStore({
    source: options.source,
    registry: options.registry,
    caller: new WebhookCaller({ ...options.settings, logger }),
    onChange: () => {
      pubsub.publish(channel, origin).catch((err: unknown) => {
        logger.warn({ err }, 'could not announce a webhook change');
      });
    },
  });
  await store.reload({ logger });
  await pubsub.subscribe(channel, (message) => {
    if (message === origin) return;
    store.reload({ logger }).catch((err: unknown) => {
      logger.error({ err }, 'could not reload the webhooks after a change on another server');
    });
  });
  return store;
}
