import { PUBLIC } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { ClassSchema } from '../schema/index.js';
import { resolveCaller } from './caller.js';
import type { Caller } from './caller.js';
import type { CoreDeps } from './deps.js';
import { createReadPolicy } from './read-policy.js';
import type { ReadOperation, ReadPolicy } from './read-policy.js';
import { loadSchemaForRead } from './schema-step.js';

/**
 * The read policies of one caller within one operation: the caller (roles included) is resolved once, and
 * each (class, CLP operations) policy is built once however many sub-queries, includes and `$relatedTo`
 * owners name that class. Lives as long as the operation; nothing is shared between requests.
 */
export interface ReadPolicies {
  readonly auth: Auth;
  /** `undefined` for master-like callers. */
  readonly caller: Caller;
  /**
   * The policy for `schema` under the CLP `operations` (default `find`); `byId` when the read names the
   * objects it reads (see `createReadPolicy`).
   */
  of(schema: ClassSchema, access?: ReadAccess): ReadPolicy;
}

/** How a read reaches a class: its CLP operations, and whether it names the objects it reads. */
export interface ReadAccess {
  readonly operations?: readonly ReadOperation[];
  readonly byId?: boolean;
}

/**
 * The policies of the shared public caller (`PUBLIC`: a client key without session or installation id, the
 * commonest read of all), kept across requests. Such a policy is a function of the schema object (a changed class
 * is a new object, so a stale one is never found), the CLP operations, `byId` and the `protectedFields` option
 * (checked, for apps that share a hard-coded schema), and holds nothing of a request.
 */
const publicPolicies = new WeakMap<
  ClassSchema,
  Map<string, { readonly protectedFields: CoreDeps['options']['protectedFields']; readonly policy: ReadPolicy }>
>();

export async function readPolicies(deps: CoreDeps, auth: Auth): Promise<ReadPolicies> {
  const caller = await resolveCaller(deps, auth);
  const built = new Map<string, ReadPolicy>();
  return {
    auth,
    caller,
    of(schema, access = {}) {
      const operations = access.operations ?? ['find'];
      const key = `${schema.className}\u0000${operations.join(',')}\u0000${String(access.byId)}`;
      const cached = built.get(key);
      if (cached !== undefined && cached.schema === schema) return cached;
      const { protectedFields } = deps.options;
      const shared = auth === PUBLIC ? publicPolicies.get(schema)?.get(key) : undefined;
      if (shared !== undefined && shared.protectedFields === protectedFields) return shared.policy;
      const policy = createReadPolicy({
        auth,
        caller,
        schema,
        operations,
        ...(access.byId === undefined ? {} : { byId: access.byId }),
        protectedFields,
      });
      built.set(key, policy);
      if (auth === PUBLIC) {
        let forSchema = publicPolicies.get(schema);
        if (forSchema === undefined) publicPolicies.set(schema, (forSchema = new Map()));
        forSchema.set(key, { protectedFields, policy });
      }
      return policy;
    },
  };
}

/** What `readPolicy` needs: who reads which class, under which CLP operations. */
export interface ReadPolicyRequest {
  readonly auth: Auth;
  readonly className: string;
  /** Default `['find']`; a LiveQuery subscription whose `where` is only `{objectId}` is a `get`. */
  readonly operations?: readonly ReadOperation[];
}

/**
 * The read policy of one caller on one class, for doors that keep it (LiveQuery keeps one per subscription
 * and rebuilds it when the subscriber's session or roles, or the class's schema, change). A class that does
 * not exist is refused (119) for non-master callers when clients may not create classes, as a find is;
 * otherwise its policy is built over an empty schema.
 */
export async function readPolicy(deps: CoreDeps, request: ReadPolicyRequest): Promise<ReadPolicy> {
  const { auth, className } = request;
  const schema = (await loadSchemaForRead({ deps, auth, className })) ?? { className, fields: {} };
  const policies = await readPolicies(deps, auth);
  return policies.of(schema, request.operations === undefined ? {} : { operations: request.operations });
}
