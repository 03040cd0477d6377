import { ErrorCode, ParseError } from '../errors/index.js';
import { decodeDate, decodeValue, encodeValue, isPlainObject } from '../schema/index.js';
import type { ACL, EncodeOptions, ParseObjectValue } from '../schema/index.js';
import type { StoredObject } from '../storage/index.js';
import type { ChangeEvent } from './change-event.js';

/**
 * A change event as it travels between app servers (pub/sub message text): values in the REST JSON form
 * (`{"__type":"Date"}`...), timestamps as ISO strings, plus the id of the server that published it so it can
 * ignore its own messages. `v` versions the format: a server drops a message of a version it does not know.
 */

const FORMAT_VERSION = 1;
// Only a file's name is stored; a URL is computed per reader, so none travels.
const NO_FILE_URLS: EncodeOptions = { fileURL: () => '' };
// Stored data was decoded with the configured nesting limit on the way in; this only bounds a corrupt message.
const MAX_DEPTH = 1000;

export interface ChangeMessage {
  /** The publishing server (`ChangeBus` instance). */
  readonly server: string;
  readonly event: ChangeEvent;
}

export function encodeChange(message: ChangeMessage): string {
  const { event } = message;
  return JSON.stringify({
    v: FORMAT_VERSION,
    server: message.server,
    className: event.className,
    op: event.op,
    objectId: event.objectId,
    id: event.id,
    at: event.at.toISOString(),
    ...(event.before === undefined ? {} : { before: encodeState(event.before) }),
    ...(event.after === undefined ? {} : { after: encodeState(event.after) }),
  });
}

function encodeState(object: StoredObject): Record<string, unknown> {
  return {
    objectId: object.objectId,
    ...(object.createdAt === undefined ? {} : { createdAt: object.createdAt.toISOString() }),
    ...(object.updatedAt === undefined ? {} : { updatedAt: object.updatedAt.toISOString() }),
    ...(object.ACL === undefined ? {} : { ACL: object.ACL }),
    fields: encodeValue(object.fields, NO_FILE_URLS),
  };
}

/** The text every message `server` encodes starts with (its first two members), to skip one's own unread. */
export function changeMessagePrefix(server: string): string {
  return `{"v":${FORMAT_VERSION},"server":${JSON.stringify(server)},`;
}

/** Reads a message; throws ParseError 107 when it is not one this server can read. */
export function decodeChange(text: string): ChangeMessage {
  const raw: unknown = JSON.parse(text);
  if (!isPlainObject(raw) || raw['v'] !== FORMAT_VERSION) throw malformed('unknown format');
  const { server, className, op, objectId } = raw;
  if (typeof server !== 'string' || typeof className !== 'string' || typeof objectId !== 'string') {
    throw malformed('missing server, className or objectId');
  }
  const at = decodeDate(raw['at']);
  const base = { id: changeIdOf({ raw, server, op, objectId, at }), className, objectId, at };
  const before = raw['before'] === undefined ? undefined : decodeState(raw['before']);
  const after = raw['after'] === undefined ? undefined : decodeState(raw['after']);
  if (op === 'create' && after !== undefined) return { server, event: { ...base, op, after } };
  if (op === 'update' && before !== undefined && after !== undefined) {
    return { server, event: { ...base, op, before, after } };
  }
  if (op === 'delete' && before !== undefined) return { server, event: { ...base, op, before } };
  throw malformed(`op ${String(op)} without its states`);
}

/**
 * The change's id as published; a message from a server older than change ids (a rolling upgrade) has none, and
 * gets one every receiver derives alike from what it does carry (its publisher, op, object and time).
 */
function changeIdOf(message: {
  raw: Record<string, unknown>;
  server: string;
  op: unknown;
  objectId: string;
  at: Date;
}): string {
  const id = message.raw['id'];
  if (typeof id === 'string') return id;
  return `${message.server} ${String(message.op)} ${message.objectId} ${message.at.getTime()}`;
}

function decodeState(json: unknown): StoredObject {
  if (!isPlainObject(json) || typeof json['objectId'] !== 'string') throw malformed('state without objectId');
  const fields = decodeValue(json['fields'] ?? {}, { maxDepth: MAX_DEPTH });
  if (!isPlainObject(fields)) throw malformed('state fields are not an object');
  const object: StoredObject = { objectId: json['objectId'], fields: fields as ParseObjectValue };
  if (json['createdAt'] !== undefined) object.createdAt = decodeDate(json['createdAt']);
  if (json['updatedAt'] !== undefined) object.updatedAt = decodeDate(json['updatedAt']);
  if (json['ACL'] !== undefined) object.ACL = decodeAcl(json['ACL']);
  return object;
}

function decodeAcl(json: unknown): ACL {
  if (!isPlainObject(json)) throw malformed('ACL is not an object');
  const acl: ACL = {};
  for (const [entity, rights] of Object.entries(json)) {
    if (entity === '__proto__') continue;
    if (!isPlainObject(rights)) throw malformed('ACL entry is not an object');
    acl[entity] = {
      ...(rights['read'] === true ? { read: true } : {}),
      ...(rights['write'] === true ? { write: true } : {}),
    };
  }
  return acl;
}

function malformed(why: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message: `Unreadable change message: ${why}.` });
}
