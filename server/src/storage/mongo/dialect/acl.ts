import type { ACL } from '../../../schema/index.js';

/**
 * ACL ↔ `_rperm` / `_wperm` / `_acl` (spec/mongo-layout.md §2.4). Both arrays are always written when an
 * ACL is set: a missing array matches `$in: [null, ...]` and would make the object public. `_acl` is the
 * legacy Parse.com map; parse-server never reads it, but writing it keeps older tooling working.
 */

export interface StoredACL {
  _rperm: string[];
  _wperm: string[];
  _acl: Record<string, { w?: true; r?: true }>;
}

export function encodeACL(acl: ACL): StoredACL {
  const readers: string[] = [];
  const writers: string[] = [];
  for (const [entity, permission] of Object.entries(acl)) {
    if (permission.read === true) readers.push(entity);
    if (permission.write === true) writers.push(entity);
  }
  // Writers first, then readers: the key order parse-server produces.
  const legacy: Record<string, { w?: true; r?: true }> = {};
  for (const entity of writers) legacy[entity] = { w: true };
  for (const entity of readers) legacy[entity] = { ...legacy[entity], r: true };
  return { _rperm: readers, _wperm: writers, _acl: legacy };
}

function stringsOf(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.filter((entry): entry is string => typeof entry === 'string') : [];
}

/**
 * The ACL of a stored document, or `undefined` (public) when neither array exists. `_acl` alone is
 * ignored, as parse-server does; one array alone means the other is empty.
 */
export function decodeACL(document: { readonly _rperm?: unknown; readonly _wperm?: unknown }): ACL | undefined {
  const rperm = document._rperm;
  const wperm = document._wperm;
  if (!Array.isArray(rperm) && !Array.isArray(wperm)) return undefined;
  const acl: ACL = {};
  for (const entity of stringsOf(rperm)) acl[entity] = { read: true };
  for (const entity of stringsOf(wperm)) acl[entity] = { ...acl[entity], write: true };
  return acl;
}
