/**
 * The shape of a fuzzed REST request before and after its caller is applied: what a request family draws (a
 * `Draft`: route, query, body), the parts every family shares (object ids, class names, the caller), and
 * `toRequest`, which turns a draft into the HTTP request a given caller sends (keys in headers, or in the body as
 * the JS SDK sends them).
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { RawRequest } from './http-client.js';
import { FUZZ_CLASSES, className } from './payloads.js';
import type { Json } from './payloads.js';

export interface FuzzTarget {
  readonly mount: string;
  readonly appId: string;
  readonly clientKey: string;
  readonly masterKey: string;
  /** A session of the user the fuzzer acts as (never the owner of the canaries). */
  readonly sessionToken: string;
  readonly userId: string;
  /** Seeded objects of the fuzz classes. */
  readonly objectIds: readonly string[];
  /** Cloud functions the server defines. */
  readonly functions: readonly string[];
  /** Stored file names. */
  readonly files: readonly string[];
  /** Whether batches may ask for `"transaction": true`. */
  readonly transactions: boolean;
}

export type Caller = 'client' | 'session' | 'master' | 'none' | 'deadSession' | 'bodyCredentials' | 'wrongKey';

/** What the fuzzer sends, plus who sent it (the oracles depend on it). */
export interface FuzzRequest extends RawRequest {
  readonly caller: Caller;
  readonly family: string;
}

export interface Draft {
  readonly family: string;
  readonly method: string;
  /** After the mount path, e.g. `/classes/FzA`. */
  readonly path: string;
  readonly query?: Record<string, Json>;
  /** JSON (stringified here), or raw text/bytes sent as-is. */
  readonly json?: Json;
  readonly raw?: string | Uint8Array;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly caller?: Caller;
}

/** Arbitraries every request family draws from, made once per target. */
export interface RequestParts {
  readonly objectId: Arbitrary<string>;
  readonly cls: Arbitrary<string>;
  readonly fuzzClass: Arbitrary<string>;
  readonly caller: Arbitrary<Caller>;
  /** A drawn path segment, percent-encoded. */
  readonly routeSegment: (arb: Arbitrary<string>) => Arbitrary<string>;
}

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD; encodeURIComponent would throw). */
export function enc(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryString(query: Record<string, Json> | undefined): string {
  if (query === undefined) return '';
  const parts = Object.entries(query).map(
    ([key, v]) => `${enc(key)}=${enc(typeof v === 'string' ? v : JSON.stringify(v))}`,
  );
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

export function requestParts(target: FuzzTarget): RequestParts {
  const objectId = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...target.objectIds) },
    { weight: 1, arbitrary: fc.constantFrom(target.userId, 'missing000', 'a'.repeat(300), '..', '%2e%2e', ' ') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const cls = className;
  const fuzzClass = fc.constantFrom(...FUZZ_CLASSES);
  const caller: Arbitrary<Caller> = fc.constantFrom(
    'client',
    'client',
    'client',
    'session',
    'session',
    'master',
    'none',
    'deadSession',
    'bodyCredentials',
    'wrongKey',
  );
  const routeSegment = (arb: Arbitrary<string>): Arbitrary<string> => arb.map(enc);
  return { objectId, cls, fuzzClass, caller, routeSegment };
}

export function toRequest(target: FuzzTarget, draft: Draft, caller: Caller): FuzzRequest {
  const headers: Record<string, string> = {};
  const app = { 'X-Parse-Application-Id': target.appId };
  switch (caller) {
    case 'client':
      Object.assign(headers, app, { 'X-Parse-REST-API-Key': target.clientKey });
      break;
    case 'session':
      Object.assign(headers, app, {
        'X-Parse-REST-API-Key': target.clientKey,
        'X-Parse-Session-Token': target.sessionToken,
      });
      break;
    case 'master':
      Object.assign(headers, app, { 'X-Parse-Master-Key': target.masterKey });
      break;
    case 'deadSession':
      Object.assign(headers, app, {
        'X-Parse-REST-API-Key': target.clientKey,
        'X-Parse-Session-Token': 'r:0123456789abcdef0123456789abcdef',
      });
      break;
    case 'wrongKey':
      Object.assign(headers, app, { 'X-Parse-REST-API-Key': 'wrong', 'X-Parse-Master-Key': 'wrong' });
      break;
    case 'none':
    case 'bodyCredentials':
      break;
  }
  Object.assign(headers, draft.headers ?? {});
  let method = draft.method;
  let body: string | Uint8Array | undefined = draft.raw;
  let json = draft.json;
  let query = draft.query;
  if (caller === 'bodyCredentials') {
    // The JS SDK's form: POST text/plain, the method and credentials inside the JSON body.
    const fields: Record<string, Json> =
      json !== null && typeof json === 'object' && !Array.isArray(json)
        ? { ...json }
        : json === undefined
          ? {}
          : { value: json };
    if (query !== undefined) Object.assign(fields, query);
    query = undefined;
    json = {
      ...fields,
      _method: method,
      _ApplicationId: target.appId,
      _JavaScriptKey: target.clientKey,
      _SessionToken: target.sessionToken,
    };
    method = 'POST';
    headers['Content-Type'] = 'text/plain';
    body = undefined;
  }
  if (body === undefined && json !== undefined) {
    body = JSON.stringify(json);
    headers['Content-Type'] ??= 'application/json';
  } else if (body !== undefined && draft.contentType !== undefined) {
    headers['Content-Type'] = draft.contentType;
  }
  return {
    caller,
    family: draft.family,
    method,
    path: `${target.mount}${draft.path}${queryString(query)}`,
    headers,
    ...(body === undefined ? {} : { body }),
  };
}
