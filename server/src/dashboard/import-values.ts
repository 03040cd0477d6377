/**
 * An imported row turned into a REST body for one class: CSV cells (text) typed by the class schema, JSON
 * objects taken as Parse's REST JSON. Fields the server sets (createdAt, updatedAt) and a Relation's
 * descriptor (what an export writes for a Relation column: not data) are left out; `objectId` names the
 * object to update. Everything else (unknown fields, `_rperm`, ACL shape, types of JSON values) is left to
 * the REST API, which decides for an import exactly as for any master-key request.
 */
import { ErrorCode } from '../errors/index.js';

/** A row the import cannot send, with the Parse code and message reported for it. */
export class RowError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ImportRow {
  /** Set: update this object (PUT); absent: create one (POST). */
  readonly objectId?: string;
  readonly body: Record<string, unknown>;
}

export type SchemaFields = Readonly<Record<string, { readonly type: string; readonly targetClass?: string }>>;

const SERVER_SET: ReadonlySet<string> = new Set(['createdAt', 'updatedAt']);
const OBJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const { INCORRECT_TYPE, INVALID_JSON, MISSING_OBJECT_ID } = ErrorCode;

/** A CSV record (header name → cell text) as a row, each non-empty cell typed by its field in the schema. */
export function rowFromCsv(record: Readonly<Record<string, string>>, fields: SchemaFields): ImportRow {
  const body: Record<string, unknown> = {};
  for (const [name, cell] of Object.entries(record)) {
    if (cell === '' || name === 'objectId' || SERVER_SET.has(name)) continue;
    const value = typedCell(name, cell, fields[name]);
    if (value !== undefined) body[name] = value;
  }
  return withObjectId(record['objectId'], body);
}

/** One element of a JSON import: an object in REST JSON (what an export writes). */
export function rowFromJson(value: unknown): ImportRow {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RowError(INVALID_JSON, 'Each entry must be a JSON object.');
  }
  const body: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
    if (name === 'objectId' || SERVER_SET.has(name) || isRelationDescriptor(field)) continue;
    body[name] = field;
  }
  const objectId = (value as Record<string, unknown>)['objectId'];
  if (objectId !== undefined && typeof objectId !== 'string') {
    throw new RowError(MISSING_OBJECT_ID, 'objectId must be a string.');
  }
  return withObjectId(objectId, body);
}

function withObjectId(objectId: string | undefined, body: Record<string, unknown>): ImportRow {
  if (objectId === undefined || objectId === '') return { body };
  if (!OBJECT_ID.test(objectId)) throw new RowError(MISSING_OBJECT_ID, `Invalid objectId: ${objectId.slice(0, 80)}`);
  return { objectId, body };
}

function isRelationDescriptor(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as Record<string, unknown>)['__type'] === 'Relation';
}

/** A cell's value for its field's type; undefined leaves the field out. A cell that is not of the type throws. */
function typedCell(name: string, cell: string, field: SchemaFields[string] | undefined): unknown {
  const wrong = (what: string): RowError =>
    new RowError(INCORRECT_TYPE, `${name}: ${JSON.stringify(cell.slice(0, 80))} is not ${what}.`);
  switch (field?.type) {
    case 'String':
      return cell;
    case 'Number': {
      const number = Number(cell.trim());
      if (cell.trim() === '' || !Number.isFinite(number)) throw wrong('a number');
      return number;
    }
    case 'Boolean': {
      const text = cell.trim().toLowerCase();
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw wrong('true or false');
    }
    case 'Date': {
      if (cell.trim().startsWith('{')) return json(cell, wrong('a date'));
      const at = new Date(cell.trim());
      if (Number.isNaN(at.getTime())) throw wrong('a date');
      return { __type: 'Date', iso: at.toISOString() };
    }
    case 'Pointer':
      // A bare objectId is a pointer to the field's target class; anything else is the pointer's JSON.
      if (OBJECT_ID.test(cell.trim()) && field.targetClass !== undefined) {
        return { __type: 'Pointer', className: field.targetClass, objectId: cell.trim() };
      }
      return json(cell, wrong('a pointer (an objectId or its JSON)'));
    case 'Relation': {
      // An export writes the relation's descriptor, which holds no data; relations are edited in the browser.
      const value = json(cell, wrong('a relation'));
      return isRelationDescriptor(value) ? undefined : value;
    }
    case undefined:
      // Not in the schema: JSON when it is JSON, text otherwise; REST adds the field or refuses it.
      try {
        return JSON.parse(cell) as unknown;
      } catch {
        return cell;
      }
    default: {
      // Object, Array, GeoPoint, Polygon, File, Bytes, ACL: their REST JSON.
      const type = field?.type ?? 'value';
      return json(cell, wrong(`${type === 'ACL' ? 'an ACL' : `a ${type}`} in JSON`));
    }
  }
}

function json(cell: string, error: RowError): unknown {
  try {
    return JSON.parse(cell) as unknown;
  } catch {
    throw error;
  }
}
