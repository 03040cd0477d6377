import type { ClassSchema, FieldDefinition } from '../../../schema/index.js';

/**
 * How Parse field names map to parse-server's stored top-level keys (spec/mongo-layout.md §2.1):
 * timestamps and objectId get underscore names, pointers live under `_p_<field>`, `_User.authData.<p>`
 * under `_auth_data_<p>`, and a few class-independent names are renamed for every class.
 */

/** Names renamed for every class, whatever their schema type (parse-server's `transformKey`). */
const RENAMED_KEYS: Readonly<Record<string, string>> = {
  objectId: '_id',
  createdAt: '_created_at',
  updatedAt: '_updated_at',
  sessionToken: '_session_token',
  lastUsed: '_last_used',
  timesUsed: 'times_used',
};

/** Stored key → field name for the renamed keys, plus the legacy `_expiresAt` spelling. */
export const UNRENAMED_KEYS: Readonly<Record<string, string>> = {
  _session_token: 'sessionToken',
  _last_used: 'lastUsed',
  times_used: 'timesUsed',
  _expiresAt: 'expiresAt',
};

/** Keys that hold the object's metadata, never returned as fields. */
export const METADATA_KEYS: ReadonlySet<string> = new Set([
  '_id',
  '_created_at',
  '_updated_at',
  '_rperm',
  '_wperm',
  '_acl',
]);

export const POINTER_PREFIX = '_p_';
export const AUTH_DATA_PREFIX = '_auth_data_';
/** parse-server only reads `_auth_data_<p>` back when `<p>` is a plain identifier. */
export const AUTH_DATA_KEY = /^_auth_data_([A-Za-z0-9_]+)$/;

export function fieldDefinition(schema: ClassSchema, field: string): FieldDefinition | undefined {
  return Object.hasOwn(schema.fields, field) ? schema.fields[field] : undefined;
}

export function isPointerField(schema: ClassSchema, field: string): boolean {
  return fieldDefinition(schema, field)?.type === 'Pointer';
}

/** True when `_User.authData` is stored split into `_auth_data_<provider>` keys. */
export function usesSplitAuthData(schema: ClassSchema): boolean {
  return schema.className === '_User';
}

/**
 * The stored top-level key of a field. `pointerValue` says the value being written or compared is a
 * Pointer, which also routes a field the schema does not know yet to `_p_` (as parse-server does).
 */
export function storedKey(schema: ClassSchema, field: string, options: { pointerValue?: boolean } = {}): string {
  // Own keys only: a field named `toString` must not find Object.prototype.toString.
  const renamed = Object.hasOwn(RENAMED_KEYS, field) ? RENAMED_KEYS[field] : undefined;
  if (renamed !== undefined) return renamed;
  if (isPointerField(schema, field) || options.pointerValue === true) return POINTER_PREFIX + field;
  return field;
}

/**
 * The stored dot path of a field path: `meta.score` stays as is, `authData.facebook.id` on `_User`
 * becomes `_auth_data_facebook.id`, a pointer field becomes `_p_<field>`.
 */
export function storedPath(
  schema: ClassSchema,
  path: readonly string[],
  options: { pointerValue?: boolean } = {},
): string {
  const [head, ...rest] = path;
  if (head === undefined) return '';
  if (head === 'authData' && usesSplitAuthData(schema) && rest.length > 0) {
    return [AUTH_DATA_PREFIX + (rest[0] ?? ''), ...rest.slice(1)].join('.');
  }
  if (rest.length > 0) return [storedKey(schema, head), ...rest].join('.');
  return storedKey(schema, head, options);
}
