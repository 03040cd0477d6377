import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { assertFieldName, fieldTypeOf } from '../schema/index.js';
import type { ClassSchema, FieldType } from '../schema/index.js';
import type { CoreDeps } from './deps.js';
import type { FieldWrite, WriteInput } from './write-input.js';

/** Fields the server owns: a write may not set them (objectId → 105, timestamps are ignored). */
const SERVER_FIELDS = new Set(['objectId', 'createdAt', 'updatedAt', 'ACL']);

/**
 * Loads a class's schema for reading. A class that does not exist reads as empty for the master key; for
 * anyone else it is refused when clients may not create classes (Parse 9's default), as Parse does.
 */
export async function loadSchemaForRead(options: {
  deps: CoreDeps;
  auth: Auth;
  className: string;
}): Promise<ClassSchema | undefined> {
  const { deps, auth, className } = options;
  const schema = await deps.schemas.get(className);
  if (schema === undefined && !isMasterLike(auth) && !deps.options.allowClientClassCreation) {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  }
  return schema;
}

/** The type a write gives its field, or undefined when it says nothing about the type (null, unset). */
function typeOfWrite(write: FieldWrite): FieldType | undefined {
  switch (write.op) {
    case 'set':
      return write.value === null ? undefined : fieldTypeOf(write.value);
    case 'unset':
      return undefined;
    case 'increment':
      return { type: 'Number' };
    case 'add':
    case 'addUnique':
    case 'remove':
      return { type: 'Array' };
    case 'addRelation':
    case 'removeRelation':
      return relationType(write.objects);
    case 'relationBatch':
      return relationType([...write.add, ...write.remove]);
  }
}

function relationType(objects: readonly { className: string }[]): FieldType | undefined {
  const first = objects[0];
  if (first === undefined) return undefined;
  if (objects.some((o) => o.className !== first.className)) {
    throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: 'All objects in a relation must have the same class.' });
  }
  return { type: 'Relation', targetClass: first.className };
}

/**
 * Validates the field names of a write and grows the schema with the fields it introduces (creating the
 * class when it is new and the caller may create classes). Returns the schema to write with.
 */
export async function applySchemaToWrite(options: {
  deps: CoreDeps;
  auth: Auth;
  className: string;
  input: WriteInput;
}): Promise<ClassSchema> {
  const { deps, auth, className, input } = options;
  const current = await deps.schemas.get(className);
  if (current === undefined && !isMasterLike(auth) && !deps.options.allowClientClassCreation) {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  }
  const wanted: Record<string, FieldType> = {};
  for (const [key, write] of Object.entries(input.fields)) {
    const dot = key.indexOf('.');
    const root = dot === -1 ? key : key.slice(0, dot);
    assertFieldName(root);
    if (SERVER_FIELDS.has(root)) {
      throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `${root} is an invalid field name.` });
    }
    // A dot path writes inside an Object field: the root's type is Object, whatever the leaf holds.
    const type = dot === -1 ? typeOfWrite(write) : { type: 'Object' as const };
    if (type !== undefined) wanted[root] = type;
  }
  return deps.schemas.ensureFields({ className, fields: wanted });
}
