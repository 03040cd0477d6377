import { ErrorCode, ParseError } from '../errors/index.js';
import type { Logger } from '../infra/index.js';
import { OutboundRefusedError, OutboundTooLargeError } from './outbound-http.js';
import type { OutboundHttp } from './outbound-http.js';
import type { JsonObject } from './types.js';

/**
 * The outbound half of webhooks (spec/cloud.md §9): one `POST <url>` with the hook request as JSON and the
 * `X-Parse-Webhook-Key` header, answered by `{"success": value}` or `{"error": value}`. Bounded in time
 * (`webhookTimeout`) and in size, and it follows no redirect: a webhook URL is registered with the master
 * key and is called as registered. Private and loopback addresses are refused unless `--outbound-allow-ips`
 * lists them (`outbound-http.ts`). Every failure becomes a ParseError a client may see, so messages name
 * the hook, never the URL (which may be an internal address); the details go to the log.
 */
export interface WebhookCallSettings {
  /** Sent as `X-Parse-Webhook-Key`; unset: the header is omitted and a warning is logged once. */
  readonly webhookKey?: string;
  readonly timeoutMs: number;
  /** Largest response body read; a longer one fails the call. */
  readonly maxResponseBytes: number;
  readonly logger: Logger;
  /** The app's outbound client (its address policy). */
  readonly outbound: OutboundHttp;
}

/** Request headers never forwarded to a webhook: they are the app's own credentials. */
const CREDENTIAL_HEADERS = new Set([
  'x-parse-master-key',
  'x-parse-maintenance-key',
  'x-parse-read-only-master-key',
  'x-parse-rest-api-key',
  'x-parse-javascript-key',
  'x-parse-client-key',
  'x-parse-windows-key',
]);

/** Request fields that are not data: the logger and the server config (Parse drops `config` too). */
const NOT_SENT = new Set(['log', 'config', 'signal']);

/** Calls webhooks for one app: holds the settings and whether the missing-key warning was logged. */
export class WebhookCaller {
  readonly #settings: WebhookCallSettings;
  #warnedNoKey = false;

  constructor(settings: WebhookCallSettings) {
    this.#settings = settings;
  }

  /**
   * Posts `request` (a hook request of the cloud protocol) to `url` and returns the `success` value.
   * `what` names the hook in errors, e.g. `function "hello"` or `beforeSave of GameScore`.
   */
  async call(options: { url: string; what: string; request: object }): Promise<unknown> {
    const { url, what } = options;
    const { logger, timeoutMs } = this.#settings;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.#settings.webhookKey !== undefined) headers['X-Parse-Webhook-Key'] = this.#settings.webhookKey;
    else if (!this.#warnedNoKey) {
      this.#warnedNoKey = true;
      logger.warn('calling webhooks without a webhook key: set --webhook-key so webhooks can tell Strata apart');
    }
    let status: number;
    let text: string;
    try {
      const response = await this.#settings.outbound.request({
        url,
        method: 'POST',
        headers,
        body: JSON.stringify(webhookBody(options.request)),
        redirect: 'error',
        timeoutMs,
        maxResponseBytes: this.#settings.maxResponseBytes,
      });
      status = response.status;
      text = response.body.toString('utf8');
    } catch (err) {
      if (err instanceof OutboundTooLargeError) throw tooLarge(this.#settings.maxResponseBytes);
      if (err instanceof Error && err.name === 'TimeoutError') {
        logger.warn({ url, timeoutMs }, `webhook for ${what} timed out`);
        throw new ParseError(ErrorCode.SCRIPT_FAILED, {
          message: `The webhook for ${what} did not answer within ${timeoutMs} ms.`,
          cause: err,
        });
      }
      if (err instanceof OutboundRefusedError) {
        logger.warn({ url, reason: err.message }, `webhook for ${what} refused: private address`);
      } else logger.warn({ err, url }, `webhook for ${what} could not be reached`);
      throw new ParseError(ErrorCode.SCRIPT_FAILED, {
        message: `The webhook for ${what} could not be reached.`,
        cause: err,
      });
    }
    return interpretResponse({ status, text, what, logger });
  }
}

/** The request as JSON: everything but the logger/config, and the caller's headers minus the app's keys. */
export function webhookBody(request: object): JsonObject {
  const body: JsonObject = {};
  for (const [key, value] of Object.entries(request)) {
    if (NOT_SENT.has(key) || typeof value === 'function' || value === undefined) continue;
    body[key] = key === 'headers' && value !== null && typeof value === 'object' ? forwardedHeaders(value) : value;
  }
  return body;
}

function forwardedHeaders(headers: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

function tooLarge(limit: number): ParseError {
  return new ParseError(ErrorCode.SCRIPT_FAILED, { message: `The webhook response is larger than ${limit} bytes.` });
}

function interpretResponse(options: { status: number; text: string; what: string; logger: Logger }): unknown {
  const { status, text, what, logger } = options;
  if (text === '') {
    if (status >= 400) throw httpFailure(status, what);
    return undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    logger.warn(
      { status, partialResponse: text.slice(0, 100) },
      `webhook for ${what} sent a response that is not JSON`,
    );
    // Parse's wording (its error object is `{code: -1, error: "Malformed response"}`, surfaced as 141).
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'Malformed response' });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    if (status >= 400) throw httpFailure(status, what);
    return undefined;
  }
  const answer = body as Record<string, unknown>;
  // A truthy `error` wins, as in Parse; `{"error": null}` is not a failure.
  if (
    answer['error'] !== undefined &&
    answer['error'] !== null &&
    answer['error'] !== false &&
    answer['error'] !== ''
  ) {
    throw webhookError(answer['error']);
  }
  if (status >= 400 && !Object.hasOwn(answer, 'success')) throw httpFailure(status, what);
  return answer['success'];
}

function httpFailure(status: number, what: string): ParseError {
  return new ParseError(ErrorCode.SCRIPT_FAILED, {
    message: `The webhook for ${what} failed with HTTP status ${status}.`,
  });
}

/**
 * What a webhook's `error` becomes, like a value a hook throws (cloud.md §4): a string is a 141 with that
 * message; `{code, error}` (or `{code, message}`) keeps its code, also one outside Strata's catalog (Parse
 * passes custom codes through; HTTP 404 for 101, 500 for 1, else 400); anything else is a 141.
 */
export function webhookError(value: unknown): ParseError {
  if (typeof value === 'string') return new ParseError(ErrorCode.SCRIPT_FAILED, { message: value });
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const text = record['error'] ?? record['message'];
    const message = typeof text === 'string' && text !== '' ? text : JSON.stringify(value).slice(0, 1000);
    const code = record['code'];
    if (typeof code !== 'number' || !Number.isInteger(code))
      return new ParseError(ErrorCode.SCRIPT_FAILED, { message });
    const httpStatus = code === ErrorCode.OBJECT_NOT_FOUND ? 404 : code === ErrorCode.INTERNAL_SERVER_ERROR ? 500 : 400;
    return new ParseError(code as ErrorCode, { message, httpStatus });
  }
  return new ParseError(ErrorCode.SCRIPT_FAILED, { message: String(value).slice(0, 1000) });
}
