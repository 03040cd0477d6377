/**
 * Class-level permissions as the schema page edits them (spec security.md §4): one row per principal
 * (`*`, `requiresAuthentication`, `role:Name`, a user id) with a box per operation, plus pointer fields.
 * Pure: tested in Node.
 */
export const CLP_OPERATIONS = ['find', 'count', 'get', 'create', 'update', 'delete', 'addField'] as const;
export type ClpOperation = (typeof CLP_OPERATIONS)[number];

export interface ClpModel {
  /** principal → operations granted. */
  readonly grants: Readonly<Record<string, readonly ClpOperation[]>>;
  /** operation → pointer fields (`pointerFields`). */
  readonly pointerFields: Readonly<Partial<Record<ClpOperation, readonly string[]>>>;
  readonly readUserFields: readonly string[];
  readonly writeUserFields: readonly string[];
  /** key (`*`, `authenticated`, `role:X`, `userField:f`, user id) → hidden fields. */
  readonly protectedFields: Readonly<Record<string, readonly string[]>>;
}

type Json = Record<string, unknown>;

export function clpToModel(clp: Json | undefined): ClpModel {
  const grants: Record<string, ClpOperation[]> = {};
  const pointerFields: Partial<Record<ClpOperation, string[]>> = {};
  for (const op of CLP_OPERATIONS) {
    const entry = (clp?.[op] ?? {}) as Json;
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'pointerFields' && Array.isArray(value)) pointerFields[op] = value.map(String);
      else if (value === true) (grants[key] ??= []).push(op);
    }
  }
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  const protectedFields: Record<string, string[]> = {};
  for (const [key, fields] of Object.entries((clp?.['protectedFields'] ?? {}) as Json))
    protectedFields[key] = list(fields);
  return {
    grants,
    pointerFields,
    readUserFields: list(clp?.['readUserFields']),
    writeUserFields: list(clp?.['writeUserFields']),
    protectedFields,
  };
}

/** The complete CLP object to PUT (Parse replaces the whole CLP, so every operation is written). */
export function modelToClp(model: ClpModel, acl?: unknown): Json {
  const clp: Json = {};
  for (const op of CLP_OPERATIONS) {
    const entry: Json = {};
    for (const [principal, ops] of Object.entries(model.grants)) if (ops.includes(op)) entry[principal] = true;
    const pointers = model.pointerFields[op];
    if (pointers !== undefined && pointers.length > 0) entry['pointerFields'] = [...pointers];
    clp[op] = entry;
  }
  if (model.readUserFields.length > 0) clp['readUserFields'] = [...model.readUserFields];
  if (model.writeUserFields.length > 0) clp['writeUserFields'] = [...model.writeUserFields];
  const protectedFields: Json = {};
  for (const [key, fields] of Object.entries(model.protectedFields)) protectedFields[key] = [...fields];
  clp['protectedFields'] = protectedFields;
  if (acl !== undefined) clp['ACL'] = acl;
  return clp;
}

/** Comma list → trimmed non-empty names. */
export function splitNames(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
