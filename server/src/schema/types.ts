import type { ParseValue } from './values.js';

export type SimpleFieldTypeName =
  'String' | 'Number' | 'Boolean' | 'Date' | 'Object' | 'Array' | 'File' | 'GeoPoint' | 'Polygon' | 'Bytes' | 'ACL';

export type FieldType =
  { readonly type: SimpleFieldTypeName } | { readonly type: 'Pointer' | 'Relation'; readonly targetClass: string };

export type FieldTypeName = FieldType['type'];

export type FieldDefinition = FieldType & {
  readonly required?: boolean;
  readonly defaultValue?: ParseValue;
};

/** An operation's permission entry: `{"*":true, "role:Admin":true, "requiresAuthentication":true, "pointerFields":[...]}`. */
export type PermissionEntry = Readonly<Record<string, boolean | readonly string[]>>;

/** Class-level permissions as stored (spec/security.md §4). Kept loosely typed here; `auth/` interprets it. */
export type ClassLevelPermissions = Readonly<Record<string, unknown>>;

export type IndexKeyValue = 1 | -1 | 'text' | '2dsphere' | '2d';
export type IndexSpec = Readonly<Record<string, IndexKeyValue>>;

export interface ClassSchema {
  readonly className: string;
  /** Every field, including the default ones (objectId, createdAt, updatedAt, ACL). */
  readonly fields: Readonly<Record<string, FieldDefinition>>;
  /** `undefined` means none stored: every operation is public (spec/mongo-layout.md §3.1). */
  readonly classLevelPermissions?: ClassLevelPermissions;
  readonly indexes?: Readonly<Record<string, IndexSpec>>;
}
