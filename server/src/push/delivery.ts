import type { DeliveryResult, PushMessage, PushProvider } from './provider.js';

/**
 * Hands one batch to a provider under its rate limit, and retries the messages that failed transiently
 * (429, 5xx, network) with exponential backoff (at least the provider's `Retry-After`), a few times;
 * what still fails is reported failed. A provider that throws fails the whole batch transiently.
 */

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffMs: number;
  /** The longest wait between attempts, whatever `Retry-After` says. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 500, maxDelayMs: 30_000 };

/** A token bucket: `perSecond` messages per second with a one-second burst; 0 means unlimited. */
export class RateLimit {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  /** Waits until `n` messages may go. */
  async take(n: number): Promise<void> {
    if (this.perSecond <= 0) return;
    let wanted = n;
    while (wanted > 0) {
      const now = Date.now();
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      const grant = Math.min(wanted, Math.floor(this.tokens));
      this.tokens -= grant;
      wanted -= grant;
      if (wanted > 0) await sleep(Math.ceil((Math.min(wanted, this.perSecond) / this.perSecond) * 1000));
    }
  }
}

export async function deliver(options: {
  provider: PushProvider;
  messages: readonly PushMessage[];
  limit: RateLimit;
  retry?: RetryPolicy;
}): Promise<DeliveryResult[]> {
  const { provider, messages, limit } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const results: DeliveryResult[] = new Array<DeliveryResult>(messages.length);
  let pending = messages.map((_, i) => i);
  for (let attempt = 1; pending.length > 0; attempt++) {
    await limit.take(pending.length);
    let answers: DeliveryResult[];
    try {
      answers = await provider.send(pending.map((i) => messages[i] as PushMessage));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      answers = pending.map((): DeliveryResult => ({ ok: false, error, transient: true }));
    }
    const again: number[] = [];
    let wait = retry.backoffMs * 2 ** (attempt - 1);
    pending.forEach((index, k) => {
      const answer = answers[k] ?? { ok: false, error: 'The provider gave no answer.', transient: true };
      if (!answer.ok && answer.transient === true && attempt < retry.attempts) {
        again.push(index);
        if (answer.retryAfterMs !== undefined) wait = Math.max(wait, answer.retryAfterMs);
      } else {
        results[index] = answer;
      }
    });
    pending = again;
    if (pending.length > 0) await sleep(Math.min(wait, retry.maxDelayMs));
  }
  return results;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
