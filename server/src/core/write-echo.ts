import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { StoredObject } from '../storage/index.js';
import type { CoreDeps } from './deps.js';
import { readPolicies } from './read-policies.js';

type Echo = Record<string, unknown>;

/**
 * What a write's answer may echo to its caller of the fields the server computed or a trigger set (operation
 * results, beforeSave changes, afterSave's returned fields): none the caller may not read of the saved object.
 * A beforeSave that sets a protected field (a webhook's beforeSave answers with the whole object), or an
 * Increment of one, would otherwise show its value to a caller its protectedFields hide it from. Found by the
 * permission matrix's webhook door (issue 19 item 2). Answers the filter to apply to each part of the echo;
 * master-like callers and classes without protectedFields get the identity (no read-policy lookup).
 */
export async function echoFilter(
  deps: CoreDeps,
  options: { auth: Auth; schema: ClassSchema; stored: StoredObject },
): Promise<(fields: Echo) => Echo> {
  const { auth, schema, stored } = options;
  if (isMasterLike(auth) || !hasProtectedFields(schema)) return (fields) => fields;
  const policies = await readPolicies(deps, auth);
  const shown = policies.of(schema, { operations: ['get'], byId: true }).shape(stored).fields;
  return (fields) => {
    const out: Echo = {};
    for (const [key, value] of Object.entries(fields)) {
      const root = key.split('.')[0] as string;
      if (key === 'ACL' || !Object.hasOwn(stored.fields, root) || Object.hasOwn(shown, root)) out[key] = value;
    }
    return out;
  };
}

function hasProtectedFields(schema: ClassSchema): boolean {
  const rules = schema.classLevelPermissions?.['protectedFields'];
  if (rules === null || typeof rules !== 'object') return false;
  return Object.values(rules).some((names) => Array.isArray(names) && names.length > 0);
}
