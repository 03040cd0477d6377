import type { KeyObject } from 'node:crypto';
import type { DeliveryResult, PushMessage, PushProvider } from '../provider.js';
import { privateKey, signJwt } from './jwt.js';
import { httpFailure, perDeviceProvider } from './per-device.js';

/** The fields of a Google service-account JSON file FCM needs. */
export interface ServiceAccount {
  readonly project_id: string;
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly token_uri?: string;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Requests in flight at once per batch (HTTP/1.1 keep-alive connections to FCM). */
const CONCURRENCY = 64;
/** A cached access token is renewed this long before it expires. */
const RENEW_EARLY_MS = 5 * 60_000;
/** APNs-only keys the Parse Android SDK never reads: dropped from the data (push.md §5). */
const APNS_ONLY = new Set(['badge', 'sound', 'content-available', 'mutable-content', 'category', 'aps', 'threadId']);
/** FCM error codes that mean the token is dead (the installation loses it). */
const DEAD = new Set(['UNREGISTERED', 'NOT_FOUND']);

/**
 * FCM HTTP v1: a signed service-account assertion (RS256) is exchanged at the account's `token_uri` for an
 * OAuth access token, cached until shortly before it expires (and renewed once on a 401); each message is
 * `POST {base}/v1/projects/<project>/messages:send` with Parse's Android payload (push.md §5): a data message
 * `{push_id, time, data: "<JSON of the payload>"}`, priority high, `ttl` from the expiry, and the push's
 * top-level `notification` as an FCM notification. UNREGISTERED and invalid-token answers mark the token
 * dead; 429 / 5xx are transient (with `Retry-After`).
 */
export function createFcmProvider(options: {
  serviceAccount: ServiceAccount;
  baseURL: string;
  now?: () => number;
}): PushProvider {
  const account = options.serviceAccount;
  const now = options.now ?? Date.now;
  const key: KeyObject = privateKey(account.private_key);
  const tokenURI = account.token_uri ?? DEFAULT_TOKEN_URI;
  const sendURL = `${options.baseURL.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`;
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const fetchToken = async (): Promise<string> => {
    const iat = Math.floor(now() / 1000);
    const assertion = signJwt({
      alg: 'RS256',
      key,
      ...(account.private_key_id === undefined ? {} : { header: { kid: account.private_key_id } }),
      claims: { iss: account.client_email, scope: SCOPE, aud: tokenURI, iat, exp: iat + 3600 },
    });
    const response = await fetch(tokenURI, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new Error(
        `FCM OAuth token request failed (${response.status}${typeof body.error === 'string' ? `: ${body.error}` : ''})`,
      );
    }
    const ttl = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 3600_000;
    cached = { token: body.access_token, expiresAt: now() + ttl };
    return body.access_token;
  };
  const accessToken = (renew = false): Promise<string> => {
    if (!renew && cached !== undefined && cached.expiresAt - RENEW_EARLY_MS > now())
      return Promise.resolve(cached.token);
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const sendOne = async (message: PushMessage): Promise<DeliveryResult> => {
    const body = JSON.stringify({ message: fcmMessage(message, now()) });
    let response: Response;
    try {
      let token = await accessToken();
      response = await post(sendURL, { token, body });
      if (response.status === 401) {
        await response.arrayBuffer().catch(() => undefined);
        token = await accessToken(true);
        response = await post(sendURL, { token, body });
      }
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), transient: true };
    }
    if (response.ok) {
      await response.arrayBuffer().catch(() => undefined);
      return { ok: true };
    }
    return fcmFailure(response);
  };

  return perDeviceProvider({ name: 'fcm', concurrency: CONCURRENCY, sendOne });
}

function post(url: string, options: { token: string; body: string }): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json; charset=UTF-8' },
    body: options.body,
  });
}

/** The FCM v1 `message` for one device (the Parse Android SDK's data format). */
export function fcmMessage(message: PushMessage, nowMs: number): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message.payload)) if (!APNS_ONLY.has(key)) data[key] = value;
  const out: Record<string, unknown> = {
    token: message.device.deviceToken,
    data: { push_id: message.pushId, time: message.sentAt.toISOString(), data: JSON.stringify(data) },
  };
  const android: Record<string, unknown> = { priority: 'high' };
  if (message.expiry !== undefined) android['ttl'] = `${Math.max(0, Math.floor((message.expiry - nowMs) / 1000))}s`;
  const collapse = message.options['collapse_id'] ?? message.options['collapseKey'];
  if (typeof collapse === 'string') android['collapse_key'] = collapse;
  out['android'] = android;
  const notification = message.options['notification'];
  if (typeof notification === 'object' && notification !== null && !Array.isArray(notification)) {
    const n = notification as Record<string, unknown>;
    out['notification'] = {
      ...(typeof n['title'] === 'string' ? { title: n['title'] } : {}),
      ...(typeof n['body'] === 'string' ? { body: n['body'] } : {}),
      ...(typeof n['image'] === 'string' ? { image: n['image'] } : {}),
    };
  }
  return out;
}

async function fcmFailure(response: Response): Promise<DeliveryResult> {
  const body = (await response.json().catch(() => ({}))) as {
    error?: { status?: unknown; message?: unknown; details?: { errorCode?: unknown }[] };
  };
  const detail = body.error?.details?.find((d) => typeof d.errorCode === 'string')?.errorCode;
  const code =
    typeof detail === 'string'
      ? detail
      : typeof body.error?.status === 'string'
        ? body.error.status
        : String(response.status);
  const text = typeof body.error?.message === 'string' ? body.error.message : '';
  return httpFailure({
    status: response.status,
    error: text === '' ? code : `${code} (${text})`,
    invalidToken:
      DEAD.has(code) || (code === 'INVALID_ARGUMENT' && /registration token/i.test(text)) || response.status === 404,
    retryAfter: response.headers.get('retry-after'),
  });
}
