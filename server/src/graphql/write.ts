import { ErrorCode, ParseError } from '../errors/index.js';
import { decodeWriteBody } from '../core/index.js';
import type { WriteInput } from '../core/index.js';
import type { ClassSchema, FieldDefinition } from '../schema/index.js';
import type { GraphQLContext } from './context.js';
import { fromGlobalId, objectIdFor } from './global-id.js';
import type { ClassLookup } from './where.js';

/**
 * A `Create<Class>FieldsInput` / `Update<Class>FieldsInput` as a REST write body, decoded by core's own
 * `decodeWriteBody` (so every value check REST makes applies here). `null` unsets a field; pointers take
 * `link` (a global id or objectId) or `createAndLink`; relations `add` / `remove` / `createAndAdd`; the
 * nested creates run first, each through `core.create` as the caller.
 */
export async function toWriteInput(options: {
  fields: unknown;
  schema: ClassSchema;
  lookup: ClassLookup;
  context: GraphQLContext;
  creating: boolean;
  /** REST body entries written as they are (e.g. `authData`, which `fields` never carries). */
  raw?: Readonly<Record<string, unknown>>;
}): Promise<WriteInput> {
  const body: Record<string, unknown> = { ...options.raw };
  const fields = (options.fields ?? {}) as Readonly<Record<string, unknown>>;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (name === 'ACL') {
      if (value !== null) body['ACL'] = aclFromInput(value as AclInput);
      continue;
    }
    const field = options.schema.fields[name];
    if (field === undefined) throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid key name: ${name}` });
    if (value === null) {
      if (!options.creating) body[name] = { __op: 'Delete' };
      continue;
    }
    const encoded = await fieldValue({ ...options, field, value });
    if (encoded !== undefined) body[name] = encoded;
  }
  return decodeWriteBody(body, { maxDepth: options.context.maxDepth });
}

async function fieldValue(options: {
  field: FieldDefinition;
  value: unknown;
  lookup: ClassLookup;
  context: GraphQLContext;
}): Promise<unknown> {
  const { field, value } = options;
  switch (field.type) {
    case 'Date':
      return { __type: 'Date', iso: value };
    case 'Bytes':
      return { __type: 'Bytes', base64: value };
    case 'GeoPoint':
      return geoPoint(value);
    case 'Polygon':
      return {
        __type: 'Polygon',
        coordinates: (value as Record<string, unknown>[]).map((p) => [p['latitude'], p['longitude']]),
      };
    case 'File':
      return fileValue(value as Record<string, unknown>, options.context);
    case 'Pointer':
      return pointerValue({ ...options, targetClass: field.targetClass, input: value as Record<string, unknown> });
    case 'Relation':
      return relationValue({ ...options, targetClass: field.targetClass, input: value as Record<string, unknown> });
    default:
      return value;
  }
}

function geoPoint(value: unknown): Record<string, unknown> {
  const point = value as Record<string, unknown>;
  return { __type: 'GeoPoint', latitude: point['latitude'], longitude: point['longitude'] };
}

async function fileValue(input: Record<string, unknown>, context: GraphQLContext): Promise<unknown> {
  const file = input['file'] as Record<string, unknown> | undefined | null;
  if (file !== undefined && file !== null) {
    if (file['__type'] !== 'File' || typeof file['name'] !== 'string') {
      throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: 'A file must be {__type: "File", name}.' });
    }
    return { __type: 'File', name: file['name'] };
  }
  const upload = input['upload'];
  if (upload !== undefined && upload !== null) {
    const saved = await uploadFile(context, upload as WebFile);
    return { __type: 'File', name: saved.name };
  }
  return { __op: 'Delete' };
}

/** The web `File` yoga makes of a multipart part. */
export interface WebFile {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
}

/** Saves an upload through core's file operation (upload policy, triggers, limits), as `POST /files` does. */
export function uploadFile(
  context: GraphQLContext,
  file: WebFile,
  extra: { metadata?: unknown; tags?: unknown } = {},
): Promise<{ url: string; name: string }> {
  const stream = file.stream();
  return context.core.files.upload({
    auth: context.auth,
    name: file.name === '' ? 'file' : file.name,
    upload: {
      source: stream as unknown as AsyncIterable<Uint8Array>,
      contentType: file.type === '' ? undefined : file.type,
      metadata: extra.metadata,
      tags: extra.tags,
      directory: undefined,
      declaredSize: file.size,
      streamMode: false,
    },
    origin: context.origin,
  });
}

function pointerJSON(className: string, objectId: string): Record<string, unknown> {
  return { __type: 'Pointer', className, objectId };
}

async function createNested(options: {
  targetClass: string;
  fields: unknown;
  lookup: ClassLookup;
  context: GraphQLContext;
}): Promise<string> {
  const { targetClass, lookup, context } = options;
  const schema = lookup(targetClass);
  if (schema === undefined) throw new ParseError(ErrorCode.INVALID_CLASS_NAME);
  const input = await toWriteInput({ fields: options.fields, schema, lookup, context, creating: true });
  const saved = await context.core.create({
    auth: context.auth,
    className: targetClass,
    input,
    origin: context.origin,
  });
  return saved.objectId;
}

async function pointerValue(options: {
  targetClass: string;
  input: Record<string, unknown>;
  lookup: ClassLookup;
  context: GraphQLContext;
}): Promise<unknown> {
  const { targetClass, input } = options;
  const link = input['link'];
  const createAndLink = input['createAndLink'];
  if (typeof link === 'string' && createAndLink !== undefined && createAndLink !== null) {
    throw new ParseError(ErrorCode.INVALID_POINTER, { message: 'Pass link or createAndLink, not both.' });
  }
  if (typeof link === 'string') return pointerJSON(targetClass, linkedId(targetClass, link));
  if (createAndLink !== undefined && createAndLink !== null) {
    return pointerJSON(targetClass, await createNested({ ...options, fields: createAndLink }));
  }
  return { __op: 'Delete' };
}

/** A link's id: a raw objectId, or a global id of the pointer's class (another class's is 111). */
function linkedId(targetClass: string, id: string): string {
  const global = fromGlobalId(id);
  if (global !== undefined && global.className !== targetClass) {
    throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: `This pointer must point to ${targetClass}.` });
  }
  return objectIdFor(targetClass, id);
}

async function relationValue(options: {
  targetClass: string;
  input: Record<string, unknown>;
  lookup: ClassLookup;
  context: GraphQLContext;
}): Promise<unknown> {
  const { targetClass, input } = options;
  const ids = (list: unknown): string[] =>
    Array.isArray(list) ? list.map((id) => linkedId(targetClass, String(id))) : [];
  const add = ids(input['add']);
  const createAndAdd = Array.isArray(input['createAndAdd']) ? input['createAndAdd'] : [];
  for (const fields of createAndAdd) add.push(await createNested({ ...options, fields }));
  const remove = ids(input['remove']);
  const op = (name: string, list: string[]) => ({
    __op: name,
    objects: list.map((id) => pointerJSON(targetClass, id)),
  });
  if (add.length > 0 && remove.length > 0)
    return { __op: 'Batch', ops: [op('AddRelation', add), op('RemoveRelation', remove)] };
  if (remove.length > 0) return op('RemoveRelation', remove);
  if (add.length > 0) return op('AddRelation', add);
  return undefined;
}

interface AclInput {
  readonly users?: readonly { userId: string; read: boolean; write: boolean }[] | null;
  readonly roles?: readonly { roleName: string; read: boolean; write: boolean }[] | null;
  readonly public?: { read: boolean; write: boolean } | null;
}

/** `ACLInput` as Parse's ACL JSON (userId may be a global id of a `_User`). */
export function aclFromInput(input: AclInput): Record<string, { read?: boolean; write?: boolean }> {
  const acl: Record<string, { read?: boolean; write?: boolean }> = {};
  const put = (entity: string, access: { read: boolean; write: boolean }): void => {
    const flags: { read?: boolean; write?: boolean } = {};
    if (access.read) flags.read = true;
    if (access.write) flags.write = true;
    if (flags.read === true || flags.write === true) acl[entity] = flags;
  };
  for (const user of input.users ?? []) put(objectIdFor('_User', user.userId), user);
  for (const role of input.roles ?? []) put(`role:${role.roleName}`, role);
  if (input.public !== undefined && input.public !== null) put('*', input.public);
  return acl;
}
