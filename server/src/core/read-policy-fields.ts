import type { Condition } from '../query/index.js';

/**
 * Adds to `into` the top-level fields of the queried class whose values can change what `condition`
 * matches, at any depth of `$and/$or/$nor` (the root of each dot path). A sub-query (`$inQuery`,
 * `$select`...) adds only the field it compares; its own class's fields are the sub-query's policy's
 * business. The switch is exhaustive on purpose: a new kind of condition must say which fields it reads.
 */
export function testedFields(condition: Condition, into: Set<string>): void {
  switch (condition.kind) {
    case 'and':
    case 'or':
    case 'nor':
      for (const child of condition.conditions) testedFields(child, into);
      return;
    case 'constant':
    case 'acl':
      // `acl` tests `_rperm`/`_wperm`, which every reader sees as the object's ACL.
      return;
    case 'relatedTo':
      // Membership of another object's relation: the relation field is the owner's (related-to-guard.ts).
      return;
    case 'relationHas':
      into.add(condition.field);
      return;
    case 'eq':
    case 'ne':
    case 'compare':
    case 'in':
    case 'nin':
    case 'all':
    case 'exists':
    case 'regex':
    case 'inQuery':
    case 'select':
    case 'containedBy':
    case 'nearSphere':
    case 'withinBox':
    case 'withinPolygon':
    case 'withinSphere':
    case 'polygonContains':
    case 'text':
      into.add(condition.path[0]);
      return;
    default: {
      // Fails closed: a condition kind nobody classified is refused rather than let through untested.
      const unclassified: never = condition;
      throw new Error(`unclassified condition ${JSON.stringify(unclassified)}`);
    }
  }
}
