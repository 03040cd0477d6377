import type { DeliveryResult, PushMessage, PushProvider } from '../provider.js';

/**
 * The send loop every one-request-per-device provider shares (FCM HTTP v1, APNs, Web Push): a batch is sent
 * with at most `concurrency` requests in flight, answers kept in the batch's order. A provider supplies only
 * its wire format and its error classification (`sendOne`). A `sendOne` that throws, which it should not,
 * is one device's transient failure, never the batch's.
 */
export function perDeviceProvider(options: {
  name: string;
  concurrency: number;
  sendOne: (message: PushMessage) => Promise<DeliveryResult>;
  close?: () => Promise<void>;
}): PushProvider {
  const { name, concurrency, sendOne } = options;
  const safeSend = async (message: PushMessage): Promise<DeliveryResult> => {
    try {
      return await sendOne(message);
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), transient: true };
    }
  };
  return {
    name,
    async send(messages) {
      const results = new Array<DeliveryResult>(messages.length);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < messages.length) {
          const i = next++;
          results[i] = await safeSend(messages[i] as PushMessage);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, lane));
      return results;
    },
    ...(options.close === undefined ? {} : { close: options.close }),
  };
}

/**
 * A failed HTTP answer as a DeliveryResult, the part all three providers agree on: 429, 5xx and no answer at
 * all (status 0) are worth retrying, after `Retry-After` (seconds or an HTTP date) when the provider sent
 * one. Which answers mean a dead token is the provider's own call (`invalidToken`).
 */
export function httpFailure(options: {
  status: number;
  error: string;
  invalidToken: boolean;
  retryAfter?: string | null | undefined;
  transient?: boolean;
}): DeliveryResult {
  const { status } = options;
  const transient = options.transient === true || status === 0 || status === 429 || status >= 500;
  const retryAfter = retryAfterMs(options.retryAfter ?? null);
  return {
    ok: false,
    error: options.error,
    ...(options.invalidToken ? { invalidToken: true } : {}),
    ...(transient ? { transient: true } : {}),
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  };
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
