import { MATCH_NONE, andOf, norOf, orOf } from '../query/index.js';
import type { Condition } from '../query/index.js';
import type { Caller } from './caller.js';
import type { CoreDeps } from './deps.js';

/**
 * `$relatedTo` lists the members of an owner's Relation; the caller must be able to read the owner
 * (spec/security.md §3: object ACLs apply to the relation-owner check). An owner the caller cannot read
 * (or that does not exist) contributes no members. Conditions without `$relatedTo` come back untouched.
 */
export async function guardRelatedTo(options: {
  deps: CoreDeps;
  caller: Caller;
  where: Condition;
}): Promise<Condition> {
  const { deps, caller, where } = options;
  if (caller === undefined) return where;
  return rewrite(where, async (node) => {
    const schema = await deps.schemas.get(node.ownerClass);
    if (schema === undefined) return MATCH_NONE;
    const readable = await deps.storage.count({
      schema,
      where: andOf([
        { kind: 'eq', path: ['objectId'], value: node.owningId },
        { kind: 'acl', access: 'read', entities: caller.entities },
      ]),
    });
    return readable > 0 ? node : MATCH_NONE;
  });
}

type RelatedTo = Extract<Condition, { kind: 'relatedTo' }>;

async function rewrite(condition: Condition, check: (node: RelatedTo) => Promise<Condition>): Promise<Condition> {
  switch (condition.kind) {
    case 'relatedTo':
      return check(condition);
    case 'and':
    case 'or':
    case 'nor': {
      const children: Condition[] = [];
      let changed = false;
      for (const child of condition.conditions) {
        const next = await rewrite(child, check);
        changed ||= next !== child;
        children.push(next);
      }
      if (!changed) return condition;
      return condition.kind === 'and' ? andOf(children) : condition.kind === 'or' ? orOf(children) : norOf(children);
    }
    default:
      return condition;
  }
}
