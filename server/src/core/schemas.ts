import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { isVolatileClass } from '../schema/index.js';
import type { ClassCreateRequest, ClassSchema, ClassUpdateRequest } from '../schema/index.js';
import { requireMaster } from '../auth/index.js';
import { notePurge } from './caller.js';
import type { CoreDeps } from './deps.js';

/** GET /schemas: every stored class (volatile system classes are not listed). Master key. */
export async function listSchemas(deps: CoreDeps, request: { auth: Auth }): Promise<ClassSchema[]> {
  requireMaster(request.auth, { access: 'read' });
  const all = await deps.schemas.getAll();
  return all.filter((schema) => !isVolatileClass(schema.className));
}

/** GET /schemas/:className. Unknown → 103. */
export async function getSchema(deps: CoreDeps, request: { auth: Auth; className: string }): Promise<ClassSchema> {
  requireMaster(request.auth, { access: 'read' });
  const schema = await deps.schemas.get(request.className);
  if (schema === undefined || isVolatileClass(request.className)) throw classMissing(request.className);
  return schema;
}

/** POST /schemas[/:className]. */
export async function createSchema(
  deps: CoreDeps,
  request: { auth: Auth; change: ClassCreateRequest },
): Promise<ClassSchema> {
  requireMaster(request.auth, { access: 'write' });
  return deps.schemas.createClass(request.change);
}

/** PUT /schemas/:className: add / delete fields and indexes, replace class-level permissions. */
export async function updateSchema(
  deps: CoreDeps,
  request: { auth: Auth; change: ClassUpdateRequest },
): Promise<ClassSchema> {
  requireMaster(request.auth, { access: 'write' });
  return deps.schemas.updateClass(request.change);
}

/** DELETE /schemas/:className: only when the class holds no objects (255 otherwise). */
export async function deleteSchema(deps: CoreDeps, request: { auth: Auth; className: string }): Promise<void> {
  requireMaster(request.auth, { access: 'write' });
  const schema = await deps.schemas.get(request.className);
  if (schema === undefined) return;
  const count = await deps.storage.count({ schema, where: { kind: 'constant', value: true } });
  if (count > 0) {
    throw new ParseError(ErrorCode.INVALID_SCHEMA_OPERATION, {
      message: `Class ${request.className} is not empty, contains ${count} objects, cannot drop schema.`,
    });
  }
  await deps.schemas.deleteClass(request.className);
}

/**
 * DELETE /purge/:className: removes every object, keeps the schema. A bulk delete: no per-object change is
 * published (as Parse sends LiveQuery nothing for a purge); the role cache hears of it directly.
 */
export async function purgeClass(deps: CoreDeps, request: { auth: Auth; className: string }): Promise<void> {
  requireMaster(request.auth, { access: 'write' });
  const schema = await deps.schemas.get(request.className);
  if (schema === undefined) return;
  await deps.storage.deleteMany({ schema, where: { kind: 'constant', value: true } });
  notePurge(deps, request.className);
}

function classMissing(className: string): ParseError {
  return new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `Class ${className} does not exist.` });
}
