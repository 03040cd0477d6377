import type { Auth } from '../auth/index.js';
import type { Condition } from '../query/index.js';
import { andOf } from '../query/index.js';
import type { ClassSchema } from '../schema/index.js';
import { resolveCaller } from './caller.js';
import { addFieldCondition, authorizeCreate, writeCondition } from './class-access.js';
import type { CoreDeps } from './deps.js';
import type { WriteInput } from './write-input.js';

/**
 * The permission step of create: CLP `create`, `addField` when the write brings new fields, and the
 * class's default ACL when the write has none (echoed in the response). A class without stored CLPs
 * costs no role look-up here: nothing in it depends on who asks.
 */
export async function permitCreate(options: {
  deps: CoreDeps;
  auth: Auth;
  className: string;
  input: WriteInput;
}): Promise<{ input: WriteInput; defaultedAcl: WriteInput['ACL'] }> {
  const { deps, auth, className, input } = options;
  const schema = await deps.schemas.get(className);
  if (schema?.classLevelPermissions === undefined) return { input, defaultedAcl: undefined };
  const caller = await resolveCaller(deps, auth);
  const permitted = authorizeCreate({ caller, schema, input });
  addFieldCondition({ caller, schema, input, action: 'create' });
  return permitted;
}

/**
 * The permission step of update and delete: `where` (the object by id) restricted by CLP `update` /
 * `delete` (with pointer permissions), `addField` for an update bringing new fields, and the write ACL.
 * Nothing matching means missing or not writable: the caller answers 101.
 */
export async function permitWrite(options: {
  deps: CoreDeps;
  auth: Auth;
  schema: ClassSchema;
  operation: 'update' | 'delete';
  where: Condition;
  input?: WriteInput;
}): Promise<Condition> {
  const { deps, auth, schema, operation, input } = options;
  const caller = await resolveCaller(deps, auth);
  const where = writeCondition({ caller, schema, operation, where: options.where });
  if (input === undefined) return where;
  const growth = addFieldCondition({ caller, schema, input, action: 'update' });
  return growth === undefined ? where : andOf([where, growth]);
}
