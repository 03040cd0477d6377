import { ErrorCode, ParseError } from '../errors/index.js';
import { isPlainObject } from '../schema/index.js';

/**
 * `POST /push` bodies, checked (push.md §1): the audience (`where` or `channels`), the payload, when to send
 * it and until when. Every refusal is 115 with Parse Server's words. Pure: no I/O.
 */

/** When to deliver: an instant, or a wall-clock time each device reaches in its own time zone. */
export type PushTime =
  | { readonly kind: 'instant'; readonly at: Date }
  /** Device-local: the wall-clock fields (read as if UTC) that each installation's `timeZone` reaches. */
  | { readonly kind: 'local'; readonly wallClock: Date };

export interface PushRequest {
  /** The `_Installation` query (REST JSON). */
  readonly where: Record<string, unknown>;
  readonly data: Record<string, unknown>;
  readonly pushTime?: PushTime;
  /** Milliseconds since the epoch. */
  readonly expiry?: number;
  /** Seconds, as sent. */
  readonly expirationInterval?: number;
  readonly audienceId?: string;
  /** Other top-level keys (`notification`, `collapse_id`, `push_type`, `priority`, `topic`...) for providers. */
  readonly options: Record<string, unknown>;
}

/** Largest `data` accepted, as JSON: APNs and FCM both refuse payloads over 4 KB. */
export const MAX_PAYLOAD_BYTES = 4096;
const KNOWN = new Set([
  'where',
  'channels',
  'data',
  'push_time',
  'expiration_time',
  'expiration_interval',
  'audience_id',
]);
const ZONE = /(?:Z|[+-]\d\d(?::?\d\d)?)$/i;
const ISO_LOCAL = /^\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?)?$/;

export function parsePushRequest(body: Record<string, unknown>, options: { now: Date }): PushRequest {
  const where = audience(body);
  const data = body['data'];
  if (!isPlainObject(data)) throw misconfigured('Push data must be an object.');
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_PAYLOAD_BYTES) {
    throw misconfigured(`The push payload is larger than ${MAX_PAYLOAD_BYTES} bytes.`);
  }
  checkBadge(data['badge']);
  const pushTime =
    body['push_time'] === undefined || body['push_time'] === null ? undefined : parsePushTime(body['push_time']);
  const expiration = parseExpiration(body, { now: options.now, pushTime });
  const audienceId = body['audience_id'];
  if (audienceId !== undefined && (typeof audienceId !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(audienceId))) {
    throw misconfigured('audience_id must be the objectId of an _Audience.');
  }
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!KNOWN.has(key)) extra[key] = value;
  return {
    where,
    data,
    ...(pushTime === undefined ? {} : { pushTime }),
    ...expiration,
    ...(audienceId === undefined ? {} : { audienceId }),
    options: extra,
  };
}

function audience(body: Record<string, unknown>): Record<string, unknown> {
  const { where, channels } = body;
  if (where !== undefined && channels !== undefined) {
    throw misconfigured('Channels and query can not be set at the same time.');
  }
  if (channels !== undefined) {
    if (!Array.isArray(channels) || !channels.every((c) => typeof c === 'string')) {
      throw misconfigured('channels must be an array of strings.');
    }
    return { channels: { $in: channels } };
  }
  if (where === undefined) throw misconfigured('Sending a push requires either "channels" or a "where" query.');
  if (!isPlainObject(where)) throw misconfigured('where must be an _Installation query object.');
  return where;
}

/** Parse's badge forms: a number, "Increment" (any case), or `{"__op":"Increment","amount":n}` (push.md §4). */
export type BadgeChange = { kind: 'set'; value: number } | { kind: 'increment'; amount: number };

/** The badge change `data.badge` asks for; undefined for none, 'invalid' for anything else. */
export function badgeChange(badge: unknown): BadgeChange | undefined | 'invalid' {
  // `badge: 0` is falsy in Parse and ignored entirely (push.md §4).
  if (badge === undefined || badge === null || badge === 0) return undefined;
  if (typeof badge === 'number' && Number.isInteger(badge)) return { kind: 'set', value: badge };
  if (typeof badge === 'string' && badge.toLowerCase() === 'increment') return { kind: 'increment', amount: 1 };
  if (isPlainObject(badge) && badge['__op'] === 'Increment') {
    const amount = badge['amount'];
    if (typeof amount === 'number' && Number.isInteger(amount)) return { kind: 'increment', amount };
  }
  return 'invalid';
}

function checkBadge(badge: unknown): void {
  if (badgeChange(badge) === 'invalid') {
    // Parse Server throws a bare string here (a 500); the request is at fault, so 115 with its words.
    throw misconfigured("Invalid value for badge, expected number or 'Increment' or {increment: number}");
  }
}

/** An ISO date (with a zone: an instant; without: device-local time) or seconds since the epoch. */
function parsePushTime(value: unknown): PushTime {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return { kind: 'instant', at: new Date(value * 1000) };
  }
  if (typeof value === 'string') {
    if (ZONE.test(value)) {
      const at = new Date(value);
      if (!Number.isNaN(at.getTime())) return { kind: 'instant', at };
    } else if (ISO_LOCAL.test(value)) {
      const wallClock = new Date(`${value}Z`);
      if (!Number.isNaN(wallClock.getTime())) return { kind: 'local', wallClock };
    }
  }
  throw misconfigured(`${String(value)} is not valid time.`);
}

function parseExpiration(
  body: Record<string, unknown>,
  options: { now: Date; pushTime: PushTime | undefined },
): { expiry?: number; expirationInterval?: number } {
  const time = body['expiration_time'];
  const interval = body['expiration_interval'];
  const hasTime = time !== undefined && time !== null;
  const hasInterval = interval !== undefined && interval !== null;
  if (hasTime && hasInterval) throw misconfigured('Both expiration_time and expiration_interval cannot be set.');
  if (hasTime) {
    let expiry: number | undefined;
    if (typeof time === 'number' && Number.isFinite(time) && time > 0) expiry = time * 1000;
    else if (typeof time === 'string' && !Number.isNaN(new Date(time).getTime())) expiry = new Date(time).getTime();
    if (expiry === undefined) throw misconfigured(`${String(time)} is not valid time.`);
    return { expiry };
  }
  if (hasInterval) {
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0) {
      throw misconfigured('expiration_interval must be a number greater than 0');
    }
    // Relative to the push time when it is an instant; a device-local push expires relative to each send.
    const base = options.pushTime?.kind === 'instant' ? options.pushTime.at.getTime() : options.now.getTime();
    return options.pushTime?.kind === 'local'
      ? { expirationInterval: interval }
      : { expiry: base + interval * 1000, expirationInterval: interval };
  }
  return {};
}

function misconfigured(message: string): ParseError {
  return new ParseError(ErrorCode.PUSH_MISCONFIGURED, { message });
}
