import { Agent } from 'node:https';
import type { DeliveryResult, PushMessage, PushProvider } from '../provider.js';
import { httpFailure, perDeviceProvider } from './per-device.js';

/** Requests in flight at once per batch (each subscription has its own push service endpoint). */
const CONCURRENCY = 64;

interface Subscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * Web Push (RFC 8030 / 8291 / 8292) through the `web-push` package: a `web` installation's `deviceToken` is
 * its browser subscription as JSON (`{"endpoint","keys":{"p256dh","auth"}}`, what `PushManager.subscribe`
 * gives and `@strata/sdk` stores); the payload is the push's data as JSON, encrypted for that subscription
 * and signed with the VAPID keys. 404 / 410 mean the subscription is gone; 429 and 5xx are transient.
 */
export async function createWebPushProvider(options: {
  publicKey: string;
  privateKey: string;
  subject: string;
  /** Extra CA (PEM) to trust: a proxy or a test double. */
  ca?: string;
}): Promise<PushProvider> {
  const webPush = (await import('web-push')).default;
  const vapidDetails = { subject: options.subject, publicKey: options.publicKey, privateKey: options.privateKey };
  // Fails at start on malformed keys rather than on every push.
  webPush.getVapidHeaders('https://push.example', options.subject, options.publicKey, options.privateKey, 'aes128gcm');
  const agent = new Agent({ keepAlive: true, ...(options.ca === undefined ? {} : { ca: options.ca }) });

  const sendOne = async (message: PushMessage): Promise<DeliveryResult> => {
    const subscription = parseSubscription(message.device.deviceToken);
    if (subscription === undefined) {
      return { ok: false, error: 'The deviceToken is not a Web Push subscription.', invalidToken: true };
    }
    const ttl =
      message.expiry === undefined ? 4 * 7 * 24 * 3600 : Math.max(0, Math.floor((message.expiry - Date.now()) / 1000));
    const topic = message.options['collapse_id'];
    try {
      await webPush.sendNotification(subscription, JSON.stringify(message.payload), {
        vapidDetails,
        TTL: ttl,
        urgency: 'high',
        agent,
        timeout: 30_000,
        ...(typeof topic === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(topic) ? { topic } : {}),
      });
      return { ok: true };
    } catch (err) {
      const status =
        typeof (err as { statusCode?: unknown }).statusCode === 'number'
          ? (err as { statusCode: number }).statusCode
          : 0;
      const body = (err as { body?: unknown }).body;
      const reason =
        typeof body === 'string' && body !== '' ? body.slice(0, 200) : err instanceof Error ? err.message : String(err);
      const headers = (err as { headers?: Record<string, string | undefined> }).headers;
      return httpFailure({
        status,
        error: status === 0 ? reason : `${status} ${reason}`,
        invalidToken: status === 404 || status === 410,
        retryAfter: headers?.['retry-after'],
      });
    }
  };

  return perDeviceProvider({
    name: 'web',
    concurrency: CONCURRENCY,
    sendOne,
    close() {
      agent.destroy();
      return Promise.resolve();
    },
  });
}

function parseSubscription(token: string): Subscription | undefined {
  try {
    const value = JSON.parse(token) as Partial<Subscription>;
    if (
      typeof value.endpoint === 'string' &&
      /^https:\/\//.test(value.endpoint) &&
      typeof value.keys?.p256dh === 'string' &&
      typeof value.keys.auth === 'string'
    ) {
      return { endpoint: value.endpoint, keys: { p256dh: value.keys.p256dh, auth: value.keys.auth } };
    }
  } catch {
    // not JSON
  }
  return undefined;
}
