/**
 * The client → server frames of Parse's LiveQuery protocol (spec/livequery.md §2), validated as strictly as
 * Parse's JSON schemas do: an unknown op, an unknown property or a wrong type is refused with code 1 and the
 * validator's words (`No enum match for: "<op>"`, `Additional properties not allowed`), which clients show.
 * Android's `query.fields` is accepted as `query.keys`. Strata's extension: `subscribe.resume`.
 */

export interface ConnectFrame {
  readonly op: 'connect';
  readonly applicationId: string;
  readonly javascriptKey?: string;
  readonly clientKey?: string;
  readonly restAPIKey?: string;
  readonly windowsKey?: string;
  readonly masterKey?: string;
  readonly sessionToken?: string;
  readonly installationId?: string;
}

export interface QueryFrame {
  readonly className: string;
  readonly where: Record<string, unknown>;
  readonly keys?: readonly string[];
  readonly watch?: readonly string[];
  /** Strata: pointer fields to send as the objects they point at (dot paths), read as the subscriber. */
  readonly include?: readonly string[];
}

export interface SubscribeFrame {
  readonly op: 'subscribe' | 'update';
  readonly requestId: number;
  readonly query: QueryFrame;
  readonly sessionToken?: string;
  /** Strata: resume this subscription's events after `seq` (from the `subscribed` frame's `subscriptionId`). */
  readonly resume?: { readonly subscriptionId: string; readonly seq: number };
}

export interface UnsubscribeFrame {
  readonly op: 'unsubscribe';
  readonly requestId: number;
}

export type ClientFrame = ConnectFrame | SubscribeFrame | UnsubscribeFrame;

/** A frame refused by validation: answered with `error` code 1 (reconnect true), as Parse does. */
export class InvalidFrame extends Error {
  /** The frame's requestId when it had a valid one. */
  readonly requestId: number | undefined;
  constructor(message: string, requestId?: number) {
    super(message);
    this.requestId = requestId;
  }
}

const OPS = ['connect', 'subscribe', 'update', 'unsubscribe'] as const;
const CONNECT_KEYS = [
  'op',
  'applicationId',
  'javascriptKey',
  'clientKey',
  'restAPIKey',
  'windowsKey',
  'masterKey',
  'sessionToken',
  'installationId',
] as const;
const SUBSCRIBE_KEYS = new Set(['op', 'requestId', 'query', 'sessionToken', 'resume']);
const QUERY_KEYS = new Set(['className', 'where', 'keys', 'fields', 'watch', 'include']);
/** Most `include` paths per subscription, and their deepest nesting. */
const MAX_INCLUDE = 10;
const MAX_INCLUDE_DEPTH = 3;

/** Parses one text frame. Throws `InvalidFrame` with the message to send. */
export function parseClientFrame(text: string): ClientFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new InvalidFrame('Malformed JSON');
  }
  if (!isRecord(frame)) throw new InvalidFrame('Invalid type: expected object');
  const op = frame['op'];
  if (op === undefined) throw new InvalidFrame('Missing required property: op');
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    throw new InvalidFrame(`No enum match for: ${JSON.stringify(op) ?? String(op)}`);
  }
  switch (op as (typeof OPS)[number]) {
    case 'connect':
      return parseConnect(frame);
    case 'subscribe':
    case 'update':
      return parseSubscribe(frame, op as 'subscribe' | 'update');
    case 'unsubscribe':
      return parseUnsubscribe(frame);
  }
}

function parseConnect(frame: Record<string, unknown>): ConnectFrame {
  onlyKeys(frame, new Set(CONNECT_KEYS));
  const out: Record<string, string> = {};
  for (const key of CONNECT_KEYS) {
    const value = frame[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new InvalidFrame(`Invalid type: ${typeName(value)} (expected string)`);
    out[key] = value;
  }
  if (out['applicationId'] === undefined) throw new InvalidFrame('Missing required property: applicationId');
  return out as unknown as ConnectFrame;
}

function parseSubscribe(frame: Record<string, unknown>, op: 'subscribe' | 'update'): SubscribeFrame {
  const requestId = parseRequestId(frame);
  const fail = (message: string): never => {
    throw new InvalidFrame(message, requestId);
  };
  try {
    onlyKeys(frame, SUBSCRIBE_KEYS);
  } catch (err) {
    if (err instanceof InvalidFrame) fail(err.message);
    throw err;
  }
  const query = frame['query'];
  if (query === undefined) fail('Missing required property: query');
  if (!isRecord(query)) return fail(`Invalid type: ${typeName(query)} (expected object)`);
  for (const key of Object.keys(query)) if (!QUERY_KEYS.has(key)) fail('Additional properties not allowed');
  const className = query['className'];
  if (className === undefined) fail('Missing required property: className');
  if (typeof className !== 'string') fail(`Invalid type: ${typeName(className)} (expected string)`);
  const where = query['where'];
  if (where === undefined) fail('Missing required property: where');
  if (!isRecord(where)) fail(`Invalid type: ${typeName(where)} (expected object)`);
  const keys = query['keys'] ?? query['fields'];
  if (keys !== undefined) {
    const list = stringArray(keys, fail);
    if (list.length === 0) fail('Array is too short (0), minimum 1');
    if (new Set(list).size !== list.length) fail('Array items are not unique');
  }
  const watch = query['watch'];
  if (watch !== undefined) stringArray(watch, fail);
  // `include` as an array or REST's comma-separated string.
  const includeValue = query['include'];
  const include = typeof includeValue === 'string' ? includeValue.split(',') : includeValue;
  if (include !== undefined) {
    const paths = stringArray(include, fail);
    if (paths.length > MAX_INCLUDE) fail(`Array is too long (${paths.length}), maximum ${MAX_INCLUDE}`);
    for (const path of paths) {
      const parts = path.split('.');
      if (parts.length > MAX_INCLUDE_DEPTH || parts.some((part) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(part))) {
        fail(`Invalid include path: ${JSON.stringify(path).slice(0, 100)}`);
      }
    }
  }
  const sessionToken = frame['sessionToken'];
  if (sessionToken !== undefined && typeof sessionToken !== 'string') {
    fail(`Invalid type: ${typeName(sessionToken)} (expected string)`);
  }
  const resume = frame['resume'];
  if (resume !== undefined) {
    if (
      !isRecord(resume) ||
      typeof resume['subscriptionId'] !== 'string' ||
      typeof resume['seq'] !== 'number' ||
      !Number.isSafeInteger(resume['seq']) ||
      Object.keys(resume).length !== 2
    ) {
      fail('Invalid resume: expected {subscriptionId: string, seq: integer}');
    }
  }
  return {
    op,
    requestId,
    query: {
      className: className as string,
      where: where as Record<string, unknown>,
      ...(keys === undefined ? {} : { keys: keys as string[] }),
      ...(watch === undefined ? {} : { watch: watch as string[] }),
      ...(include === undefined ? {} : { include: include as string[] }),
    },
    ...(sessionToken === undefined ? {} : { sessionToken: sessionToken as string }),
    ...(resume === undefined ? {} : { resume: resume as unknown as SubscribeFrame['resume'] }),
  } as SubscribeFrame;
}

function parseUnsubscribe(frame: Record<string, unknown>): UnsubscribeFrame {
  const requestId = parseRequestId(frame);
  for (const key of Object.keys(frame)) {
    if (key !== 'op' && key !== 'requestId') throw new InvalidFrame('Additional properties not allowed', requestId);
  }
  return { op: 'unsubscribe', requestId };
}

function parseRequestId(frame: Record<string, unknown>): number {
  const requestId = frame['requestId'];
  if (requestId === undefined) throw new InvalidFrame('Missing required property: requestId');
  if (typeof requestId !== 'number' || !Number.isFinite(requestId)) {
    throw new InvalidFrame(`Invalid type: ${typeName(requestId)} (expected number)`);
  }
  return requestId;
}

function onlyKeys(frame: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(frame))
    if (!allowed.has(key)) throw new InvalidFrame('Additional properties not allowed');
}

function stringArray(value: unknown, fail: (message: string) => never): string[] {
  if (!Array.isArray(value)) return fail(`Invalid type: ${typeName(value)} (expected array)`);
  for (const item of value) if (typeof item !== 'string') fail(`Invalid type: ${typeName(item)} (expected string)`);
  return value as string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
