import { MATCH_NONE, andOf, norOf, orOf } from '../query/index.js';
import type { Condition, SubQuery } from '../query/index.js';
import type { CoreDeps } from './deps.js';
import type { ReadPolicies } from './read-policies.js';

type RelatedTo = Extract<Condition, { kind: 'relatedTo' }>;

/**
 * `$relatedTo` lists the members of an owner's Relation; the caller must be able to read the owner
 * (spec/security.md §3, queries.md §6: its class's CLP `get`, pointer permissions and object ACL, through
 * the owner class's read policy). An owner the caller cannot read (or that does not exist) contributes no
 * members, and a relation field hidden from the caller on the owner class cannot be used (119). Applied
 * wherever `$relatedTo` sits: under `$and/$or/$nor` and inside the `where` of every sub-query
 * (`$inQuery`, `$select`...), at any depth. Conditions without `$relatedTo` come back untouched.
 */
export async function guardRelatedTo(options: {
  deps: CoreDeps;
  policies: ReadPolicies;
  where: Condition;
}): Promise<Condition> {
  const { deps, policies, where } = options;
  if (policies.caller === undefined) return where;
  const verdicts = new Map<string, Promise<boolean>>();
  const readable = (node: RelatedTo): Promise<boolean> => {
    const key = `${node.ownerClass}\u0000${node.owningId}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) verdicts.set(key, (verdict = ownerReadable({ deps, policies, node })));
    return verdict;
  };
  return rewrite(where, async (node) => ((await readable(node)) ? node : MATCH_NONE));
}

async function ownerReadable(options: { deps: CoreDeps; policies: ReadPolicies; node: RelatedTo }): Promise<boolean> {
  const { deps, policies, node } = options;
  const schema = await deps.schemas.get(node.ownerClass);
  if (schema === undefined) return false;
  const policy = policies.of(schema, { operations: ['get'], byId: true });
  policy.assertTestable({ fields: [node.field] });
  if (policy.refusal !== undefined) return false;
  const found = await deps.storage.count({
    schema,
    where: policy.restrict({ kind: 'eq', path: ['objectId'], value: node.owningId }),
  });
  return found > 0;
}

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
    case 'inQuery':
    case 'select': {
      const sub = await rewriteSub(condition.sub, check);
      return sub === condition.sub ? condition : { ...condition, sub };
    }
    default:
      return condition;
  }
}

async function rewriteSub(sub: SubQuery, check: (node: RelatedTo) => Promise<Condition>): Promise<SubQuery> {
  const where = await rewrite(sub.where, check);
  return where === sub.where ? sub : { ...sub, where };
}
