import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * Relay global ids (spec/graphql.md §6): base64 of `<Parse class name>:<objectId>`. Every argument that takes
 * an object id accepts a global id of the right class or a raw objectId.
 */
export function toGlobalId(className: string, objectId: string): string {
  return Buffer.from(`${className}:${objectId}`, 'utf8').toString('base64');
}

/** The class and objectId of a global id; undefined when `id` is not one. */
export function fromGlobalId(id: string): { className: string; objectId: string } | undefined {
  if (id.length === 0 || id.length > 400 || !/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return undefined;
  const text = Buffer.from(id, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  const className = text.slice(0, colon);
  const objectId = text.slice(colon + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(className) || !/^[A-Za-z0-9]{1,64}$/.test(objectId)) return undefined;
  return { className, objectId };
}

const OBJECT_ID = /^[A-Za-z0-9]{1,64}$/;

/**
 * The objectId an id argument names for `className`: a global id of that class, or a raw objectId. A global
 * id of another class is 101 (no such object here), as is a string that cannot be an id at all.
 */
export function objectIdFor(className: string, id: string): string {
  const global = fromGlobalId(id);
  if (global !== undefined && global.className === className) return global.objectId;
  if (global === undefined && OBJECT_ID.test(id)) return id;
  throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
}
