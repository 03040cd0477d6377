import { ErrorCode, ParseError } from '../errors/index.js';
import { DEFAULT_FIELDS } from './system-classes.js';
import type { ClassLevelPermissions, FieldDefinition } from './types.js';

/**
 * Class-level permission format (spec/security.md §4, §4.1): validation of a CLP sent to `/schemas`,
 * and the public default and the "missing key = master only" read-back of spec/rest.md §14. Deciding
 * whether a request passes a CLP is `auth/`'s job.
 */

/** The operation keys a CLP may hold, each mapping entities to `true`. */
export const CLP_OPERATIONS = Object.freeze([
  'find',
  'count',
  'get',
  'create',
  'update',
  'delete',
  'addField',
] as const);
export type ClpOperation = (typeof CLP_OPERATIONS)[number];

const OTHER_KEYS = new Set(['readUserFields', 'writeUserFields', 'protectedFields', 'ACL']);
const OPERATION_KEYS: ReadonlySet<string> = new Set(CLP_OPERATIONS);

const USER_ID = /^[A-Za-z0-9]+$/;
const ROLE = /^role:.+$/;
const USER_FIELD = /^userField:(.+)$/;

/** What a class without stored CLPs reports: everything public. */
export const PUBLIC_CLP: ClassLevelPermissions = Object.freeze({
  find: Object.freeze({ '*': true }),
  count: Object.freeze({ '*': true }),
  get: Object.freeze({ '*': true }),
  create: Object.freeze({ '*': true }),
  update: Object.freeze({ '*': true }),
  delete: Object.freeze({ '*': true }),
  addField: Object.freeze({ '*': true }),
  protectedFields: Object.freeze({ '*': Object.freeze([]) }),
  ACL: Object.freeze({ '*': Object.freeze({ read: true, write: true }) }),
});

/**
 * The CLP as clients see it: `PUBLIC_CLP` when none is stored; otherwise the stored object with every
 * missing operation key (and `protectedFields`) as `{}`, which means master only.
 */
export function effectiveClassLevelPermissions(stored: ClassLevelPermissions | undefined): ClassLevelPermissions {
  if (stored === undefined) return PUBLIC_CLP;
  const result: Record<string, unknown> = {};
  for (const operation of CLP_OPERATIONS) result[operation] = Object.hasOwn(stored, operation) ? stored[operation] : {};
  result['protectedFields'] = Object.hasOwn(stored, 'protectedFields') ? stored['protectedFields'] : {};
  for (const key of Object.keys(stored)) {
    if (!Object.hasOwn(result, key)) result[key] = stored[key];
  }
  return result;
}

/**
 * Checks a CLP against the fields of the class it will apply to. Throws 107 with a message naming the
 * offending key. Returns the CLP typed as stored.
 */
export function validateClassLevelPermissions(options: {
  classLevelPermissions: unknown;
  fields: Readonly<Record<string, FieldDefinition>>;
}): ClassLevelPermissions {
  const { classLevelPermissions: clp, fields } = options;
  if (!isRecord(clp)) throw invalid('class level permissions must be an object');
  for (const [key, value] of Object.entries(clp)) {
    if (OPERATION_KEYS.has(key)) validateOperation({ operation: key, value, fields });
    else if (key === 'readUserFields' || key === 'writeUserFields') validateUserFieldList({ key, value, fields });
    else if (key === 'protectedFields') validateProtectedFields({ value, fields });
    else if (key === 'ACL') validateDefaultAcl(value);
    else if (!OTHER_KEYS.has(key)) throw invalid(`${key} is not a valid operation for class level permissions`);
  }
  return clp;
}

function validateOperation(options: {
  operation: string;
  value: unknown;
  fields: Readonly<Record<string, FieldDefinition>>;
}): void {
  const { operation, value, fields } = options;
  if (!isRecord(value)) throw invalid(`${operation} must be an object in class level permissions`);
  for (const [entity, flag] of Object.entries(value)) {
    if (entity === 'pointerFields') {
      validateUserFieldList({ key: `${operation}.pointerFields`, value: flag, fields });
      continue;
    }
    if (entity !== '*' && entity !== 'requiresAuthentication' && !ROLE.test(entity) && !USER_ID.test(entity)) {
      throw invalid(`'${entity}' is not a valid key for class level permissions`);
    }
    if (flag !== true) {
      throw invalid(
        `'${String(flag)}' is not a valid value for class level permissions ${operation}:${entity}:${String(flag)}`,
      );
    }
  }
}

/** readUserFields, writeUserFields and pointerFields name fields holding a `_User` pointer or an array. */
function validateUserFieldList(options: {
  key: string;
  value: unknown;
  fields: Readonly<Record<string, FieldDefinition>>;
}): void {
  const { key, value, fields } = options;
  if (!Array.isArray(value)) throw invalid(`'${String(value)}' is not a valid value for ${key}, expected an array`);
  for (const fieldName of value) {
    if (typeof fieldName !== 'string' || !isUserField(fields, fieldName)) {
      throw invalid(`'${String(fieldName)}' is not a valid column for class level pointer permissions ${key}`);
    }
  }
}

function isUserField(fields: Readonly<Record<string, FieldDefinition>>, fieldName: string): boolean {
  const field = Object.hasOwn(fields, fieldName) ? fields[fieldName] : undefined;
  if (field === undefined) return false;
  return field.type === 'Array' || (field.type === 'Pointer' && field.targetClass === '_User');
}

function validateProtectedFields(options: { value: unknown; fields: Readonly<Record<string, FieldDefinition>> }): void {
  const { value, fields } = options;
  if (!isRecord(value)) throw invalid('protectedFields must be an object in class level permissions');
  for (const [entity, list] of Object.entries(value)) {
    const userField = USER_FIELD.exec(entity)?.[1];
    if (userField !== undefined) {
      if (!isUserField(fields, userField))
        throw invalid(`'${userField}' is not a valid column for protectedFields ${entity}`);
    } else if (entity !== '*' && entity !== 'authenticated' && !ROLE.test(entity) && !USER_ID.test(entity)) {
      throw invalid(`'${entity}' is not a valid key for class level permissions protectedFields`);
    }
    if (!Array.isArray(list))
      throw invalid(`'${String(list)}' is not a valid value for protectedFields[${entity}], expected an array`);
    for (const fieldName of list) {
      if (typeof fieldName !== 'string' || !Object.hasOwn(fields, fieldName)) {
        throw invalid(`Field '${String(fieldName)}' in protectedFields:${entity} does not exist`);
      }
      if (Object.hasOwn(DEFAULT_FIELDS, fieldName)) {
        throw invalid(`Default field '${fieldName}' can not be protected`);
      }
    }
  }
}

function validateDefaultAcl(value: unknown): void {
  if (!isRecord(value)) throw invalid('ACL must be an object in class level permissions');
  for (const [entity, access] of Object.entries(value)) {
    if (entity !== '*' && entity !== 'currentUser' && !ROLE.test(entity) && !USER_ID.test(entity)) {
      throw invalid(`'${entity}' is not a valid key for the default ACL in class level permissions`);
    }
    if (!isRecord(access)) throw invalid(`The default ACL entry for '${entity}' must be an object`);
    for (const [permission, flag] of Object.entries(access)) {
      if ((permission !== 'read' && permission !== 'write') || typeof flag !== 'boolean') {
        throw invalid(`'${permission}' is not a valid permission in the default ACL entry for '${entity}'`);
      }
    }
  }
}

function invalid(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
