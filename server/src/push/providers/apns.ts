import type * as Http2 from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import type { KeyObject } from 'node:crypto';
import type { DeliveryResult, PushMessage, PushProvider } from '../provider.js';
import { privateKey, signJwt } from './jwt.js';
import { httpFailure, perDeviceProvider } from './per-device.js';

export type ApnsAuth =
  /** Token auth: the `.p8` key (PEM), its key id and the team id; an ES256 provider token, renewed every 50 min. */
  | { readonly kind: 'token'; readonly key: string; readonly keyId: string; readonly teamId: string }
  /** Certificate auth: a PEM holding the push certificate and its private key (TLS client certificate). */
  | { readonly kind: 'certificate'; readonly pem: string };

/** Streams in flight at once on the one HTTP/2 connection. */
const CONCURRENCY = 100;
/** Apple accepts a provider token for an hour and refuses renewals more often than every 20 minutes. */
const TOKEN_TTL_MS = 50 * 60_000;
/** Reasons meaning the token will never work again: the installation loses it. */
const DEAD = new Set(['BadDeviceToken', 'Unregistered', 'DeviceTokenNotForTopic']);
/** Keys of `data` that go into `aps` (push.md §1.1); everything else is a custom top-level key. */
const APS_KEYS = new Set([
  'alert',
  'title',
  'badge',
  'sound',
  'content-available',
  'mutable-content',
  'category',
  'threadId',
  'aps',
  'targetContentIdentifier',
  'interruptionLevel',
]);

/**
 * APNs over HTTP/2 (one multiplexed connection, reopened when it closes): `POST /3/device/<token>` with
 * `apns-topic` (the installation's `appIdentifier`, else the configured topic), `apns-push-type`
 * (`background` for a content-available push without alert), `apns-priority`, `apns-expiration` and
 * `apns-collapse-id`; token auth (`authorization: bearer <ES256 JWT>`) or certificate auth (TLS client
 * certificate). 410 / BadDeviceToken mark the token dead; 429 and 5xx are transient.
 */
export function createApnsProvider(options: {
  url: string;
  auth: ApnsAuth;
  topic?: string;
  /** Extra CA (PEM) to trust: a proxy or a test double. */
  ca?: string;
  now?: () => number;
}): PushProvider {
  const now = options.now ?? Date.now;
  const { auth } = options;
  const signingKey: KeyObject | undefined = auth.kind === 'token' ? privateKey(auth.key) : undefined;
  let token: { value: string; at: number } | undefined;
  let session: ClientHttp2Session | undefined;
  // node:http2 is loaded by the first push, not at start: most servers never send through APNs (cold start).
  let http2: Promise<typeof Http2> | undefined;

  const providerToken = (): string | undefined => {
    if (auth.kind !== 'token' || signingKey === undefined) return undefined;
    if (token === undefined || now() - token.at > TOKEN_TTL_MS) {
      token = {
        value: signJwt({
          alg: 'ES256',
          key: signingKey,
          header: { kid: auth.keyId },
          claims: { iss: auth.teamId, iat: Math.floor(now() / 1000) },
        }),
        at: now(),
      };
    }
    return token.value;
  };
  const open = (connect: typeof Http2.connect): ClientHttp2Session => {
    if (session !== undefined && !session.closed && !session.destroyed) return session;
    const created = connect(options.url, {
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(auth.kind === 'certificate' ? { cert: auth.pem, key: auth.pem } : {}),
    });
    created.on('error', () => undefined);
    created.on('goaway', () => created.close());
    created.unref();
    session = created;
    return created;
  };

  const sendOne = async (message: PushMessage): Promise<DeliveryResult> => {
    const { connect, constants } = await (http2 ??= import('node:http2'));
    const topic = message.device.appIdentifier ?? options.topic;
    if (topic === undefined) return { ok: false, error: 'MissingTopic' };
    const payload = apnsPayload(message.payload);
    const background = isBackground(message.payload);
    const headers: Record<string, string> = {
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: `/3/device/${encodeURIComponent(message.device.deviceToken)}`,
      'content-type': 'application/json',
      'apns-topic': topic,
      'apns-push-type':
        typeof message.options['push_type'] === 'string'
          ? message.options['push_type']
          : background
            ? 'background'
            : 'alert',
      'apns-priority':
        typeof message.options['priority'] === 'number' ? String(message.options['priority']) : background ? '5' : '10',
    };
    if (message.expiry !== undefined) headers['apns-expiration'] = String(Math.floor(message.expiry / 1000));
    if (typeof message.options['collapse_id'] === 'string')
      headers['apns-collapse-id'] = message.options['collapse_id'];
    const bearer = providerToken();
    if (bearer !== undefined) headers['authorization'] = `bearer ${bearer}`;
    return new Promise((resolve) => {
      let stream;
      try {
        stream = open(connect).request(headers);
      } catch (err) {
        resolve({ ok: false, error: err instanceof Error ? err.message : String(err), transient: true });
        return;
      }
      let status = 0;
      let retryAfter: string | undefined;
      const chunks: Buffer[] = [];
      stream.setEncoding('utf8');
      stream.on('response', (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
        const value = h['retry-after'];
        if (typeof value === 'string') retryAfter = value;
      });
      stream.on('data', (chunk: string) => chunks.push(Buffer.from(chunk)));
      stream.on('error', (err: Error) => resolve({ ok: false, error: err.message, transient: true }));
      stream.on('end', () => {
        const result = outcome({ status, body: Buffer.concat(chunks).toString('utf8'), retryAfter });
        // Apple says the provider token is stale: sign a fresh one for the retry.
        if (!result.ok && result.error === 'ExpiredProviderToken') token = undefined;
        resolve(result);
      });
      stream.end(JSON.stringify(payload));
    });
  };

  return perDeviceProvider({
    name: 'apns',
    concurrency: CONCURRENCY,
    sendOne,
    close() {
      session?.close();
      return Promise.resolve();
    },
  });
}

function isBackground(data: Readonly<Record<string, unknown>>): boolean {
  return (
    data['content-available'] === 1 &&
    data['alert'] === undefined &&
    data['title'] === undefined &&
    data['sound'] === undefined
  );
}

/** Parse's `data` as an APNs payload: the known keys in `aps`, the rest (uri, custom keys) at the top. */
export function apnsPayload(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const raw = data['aps'];
  const aps: Record<string, unknown> =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
  const alert = data['alert'];
  const title = data['title'];
  if (title !== undefined) {
    aps['alert'] =
      typeof alert === 'object' && alert !== null
        ? { ...(alert as Record<string, unknown>), title }
        : { title, ...(alert === undefined ? {} : { body: alert }) };
  } else if (alert !== undefined) {
    aps['alert'] = alert;
  }
  if (typeof data['badge'] === 'number') aps['badge'] = data['badge'];
  if (data['sound'] !== undefined) aps['sound'] = data['sound'];
  if (data['content-available'] !== undefined) aps['content-available'] = data['content-available'];
  if (data['mutable-content'] !== undefined) aps['mutable-content'] = data['mutable-content'];
  if (data['category'] !== undefined) aps['category'] = data['category'];
  if (data['threadId'] !== undefined) aps['thread-id'] = data['threadId'];
  if (data['targetContentIdentifier'] !== undefined) aps['target-content-id'] = data['targetContentIdentifier'];
  if (data['interruptionLevel'] !== undefined) aps['interruption-level'] = data['interruptionLevel'];
  const out: Record<string, unknown> = { aps };
  for (const [key, value] of Object.entries(data)) if (!APS_KEYS.has(key)) out[key] = value;
  return out;
}

function outcome(options: { status: number; body: string; retryAfter: string | undefined }): DeliveryResult {
  const { status } = options;
  if (status === 200) return { ok: true };
  let reason = String(status);
  try {
    const parsed = JSON.parse(options.body) as { reason?: unknown };
    if (typeof parsed.reason === 'string') reason = parsed.reason;
  } catch {
    // no JSON body: the status is the reason
  }
  return httpFailure({
    status,
    error: reason,
    invalidToken: DEAD.has(reason) || status === 410,
    // A stale provider token is Strata's to fix (a fresh one is signed), so the retry is worth it.
    transient: reason === 'ExpiredProviderToken',
    retryAfter: options.retryAfter,
  });
}
