import { isPlainObject } from '../schema/index.js';
import type { ACL, ClassSchema, ParseValue } from '../schema/index.js';
import type { Condition, FieldPath } from './ast.js';
import { compareHolds, valuesEqual } from './compare-values.js';
import { geoTest } from './match-geo.js';
import { compileRegex } from './regex.js';

/**
 * In-memory evaluation of a `Condition` with exactly the semantics storage has (MongoDB's), for
 * LiveQuery and for cross-checking storage adapters in tests:
 * - a dot path walks into Object fields; a numeric segment indexes an array, and an array of objects
 *   is walked element by element (`tags.name` reaches every element's `name`);
 * - `eq` matches a value equal to the operand or an array containing it; `eq null` also matches a
 *   missing field; `ne` / `nin` are exact negations, so they match missing fields;
 * - comparisons and regexes on an array match when any element does;
 * - `relatedTo` / `relationHas` need relation edges, which live outside the object: pass a
 *   `relations` resolver, otherwise they never match (not even `relationHas` with `mode: 'none'`).
 */

/** The shape of a stored object the matcher reads (a `StoredObject` from storage fits). */
export interface MatchableObject {
  readonly objectId: string;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
  readonly ACL?: ACL;
  readonly fields: Readonly<Record<string, ParseValue>>;
}

export interface RelationEdgeQuery {
  readonly ownerClass: string;
  readonly field: string;
  readonly owningId: string;
  readonly relatedId: string;
}

/** Answers relation membership synchronously (e.g. from edges loaded before matching). */
export interface RelationResolver {
  isRelated(edge: RelationEdgeQuery): boolean;
}

export interface MatchOptions {
  /** The class of the matched objects; `relationHas` needs its name as the relation owner. */
  readonly schema?: ClassSchema;
  readonly relations?: RelationResolver;
}

export type Matcher = (object: MatchableObject) => boolean;

/**
 * Compiles a condition once (regexes included) into a function to run on many objects.
 *
 * @example
 * const isMatch = createMatcher(parseWhere({ where, schema }), { schema });
 * objects.filter(isMatch);
 */
export function createMatcher(condition: Condition, options: MatchOptions = {}): Matcher {
  switch (condition.kind) {
    case 'constant': {
      const value = condition.value;
      return () => value;
    }
    case 'and': {
      const parts = condition.conditions.map((c) => createMatcher(c, options));
      return (object) => parts.every((part) => part(object));
    }
    case 'or': {
      const parts = condition.conditions.map((c) => createMatcher(c, options));
      return (object) => parts.some((part) => part(object));
    }
    case 'nor': {
      const parts = condition.conditions.map((c) => createMatcher(c, options));
      return (object) => !parts.some((part) => part(object));
    }
    case 'eq': {
      const { path, value } = condition;
      return (object) => leavesEqual(collectLeaves(object, path), value);
    }
    case 'ne': {
      const { path, value } = condition;
      return (object) => !leavesEqual(collectLeaves(object, path), value);
    }
    case 'in': {
      const { path, values } = condition;
      return (object) => leavesIn(collectLeaves(object, path), values);
    }
    case 'nin': {
      const { path, values } = condition;
      return (object) => !leavesIn(collectLeaves(object, path), values);
    }
    case 'all': {
      const { path, values } = condition;
      return (object) => {
        if (values.length === 0) return false;
        const leaves = collectLeaves(object, path);
        return values.every((value) => leavesEqual(leaves, value));
      };
    }
    case 'compare': {
      const { path, op, value } = condition;
      return (object) => anyLeafOrElement(collectLeaves(object, path), (leaf) => compareHolds(leaf, op, value));
    }
    case 'exists': {
      const { path, exists } = condition;
      return (object) => collectLeaves(object, path).length > 0 === exists;
    }
    case 'regex': {
      const { path } = condition;
      // RE2: linear time whatever the pattern (regex.ts); LiveQuery matches client patterns here.
      const regex = compileRegex(condition);
      return (object) =>
        anyLeafOrElement(collectLeaves(object, path), (leaf) => typeof leaf === 'string' && regex.test(leaf));
    }
    case 'acl': {
      const { access, entities } = condition;
      return (object) => aclAllows(object.ACL, access, entities);
    }
    case 'relatedTo': {
      const { ownerClass, field, owningId } = condition;
      const relations = options.relations;
      if (relations === undefined) return () => false;
      return (object) => relations.isRelated({ ownerClass, field, owningId, relatedId: object.objectId });
    }
    case 'relationHas': {
      const { field, relatedIds, mode } = condition;
      const relations = options.relations;
      const ownerClass = options.schema?.className;
      if (relations === undefined || ownerClass === undefined) return () => false;
      return (object) => {
        const found = relatedIds.some((relatedId) =>
          relations.isRelated({ ownerClass, field, owningId: object.objectId, relatedId }),
        );
        return mode === 'any' ? found : !found;
      };
    }
    // Geo and full-text operators (issue 3): geometry in match-geo.ts; `$text` never matches in memory.
    case 'nearSphere':
    case 'withinBox':
    case 'withinPolygon':
    case 'withinSphere':
    case 'polygonContains': {
      const { path } = condition;
      const test = geoTest(condition);
      return (object) => anyLeafOrElement(collectLeaves(object, path), test);
    }
    case 'text':
      return () => false;
    // Relational operators (issue 3). Sub-queries need storage: in memory they never match (spec/queries.md §10).
    case 'inQuery':
    case 'select':
      return () => false;
    case 'containedBy': {
      const { path, values } = condition;
      return (object) => collectLeaves(object, path).every((leaf) => containedIn(leaf, values));
    }
  }
}

/** Evaluates `condition` on one object. Prefer `createMatcher` when matching many objects. */
export function matches(condition: Condition, object: MatchableObject, options: MatchOptions = {}): boolean {
  return createMatcher(condition, options)(object);
}

function rootValue(object: MatchableObject, field: string, out: unknown[]): unknown {
  switch (field) {
    case 'objectId':
      return object.objectId;
    case 'createdAt':
      return object.createdAt;
    case 'updatedAt':
      return object.updatedAt;
    case 'ACL':
      return object.ACL;
    default:
      return Object.hasOwn(object.fields, field) ? object.fields[field] : out;
  }
}

/**
 * Every value the path reaches; empty when the field is missing. (`out` doubles as the "missing"
 * marker for `rootValue`, which saves a sentinel.)
 */
function collectLeaves(object: MatchableObject, path: FieldPath): unknown[] {
  const out: unknown[] = [];
  const root = rootValue(object, path[0], out);
  if (root === out || root === undefined) return out;
  walk(root, 1, { path, out });
  return out;
}

function walk(value: unknown, index: number, state: { readonly path: FieldPath; readonly out: unknown[] }): void {
  const { path, out } = state;
  if (index === path.length) {
    out.push(value);
    return;
  }
  const segment = path[index] ?? '';
  if (Array.isArray(value)) {
    const position = Number(segment);
    if (Number.isInteger(position) && position >= 0 && position < value.length) walk(value[position], index + 1, state);
    for (const element of value) if (isPlainObject(element)) walk(element, index, state);
    return;
  }
  if (isPlainObject(value) && Object.hasOwn(value, segment)) walk(value[segment], index + 1, state);
}

function leafEquals(leaf: unknown, value: ParseValue): boolean {
  if (valuesEqual(leaf, value)) return true;
  if (!Array.isArray(leaf)) return false;
  for (const element of leaf) if (valuesEqual(element, value)) return true;
  return false;
}

function leavesEqual(leaves: readonly unknown[], value: ParseValue): boolean {
  if (leaves.length === 0) return value === null;
  for (const leaf of leaves) if (leafEquals(leaf, value)) return true;
  return false;
}

function leavesIn(leaves: readonly unknown[], values: readonly ParseValue[]): boolean {
  for (const value of values) if (leavesEqual(leaves, value)) return true;
  return false;
}

function anyLeafOrElement(leaves: readonly unknown[], test: (value: unknown) => boolean): boolean {
  for (const leaf of leaves) {
    if (Array.isArray(leaf)) {
      for (const element of leaf) if (test(element)) return true;
    } else if (test(leaf)) return true;
  }
  return false;
}

/** `$containedBy` on one leaf: an array whose every element is a value (MongoDB ignores non-arrays). */
function containedIn(leaf: unknown, values: readonly ParseValue[]): boolean {
  if (!Array.isArray(leaf)) return true;
  return leaf.every((element) => values.some((value) => valuesEqual(element, value)));
}

function aclAllows(acl: ACL | undefined, access: 'read' | 'write', entities: readonly string[]): boolean {
  if (acl === undefined) return true;
  for (const entity of entities) {
    if (Object.hasOwn(acl, entity) && acl[entity]?.[access] === true) return true;
  }
  return false;
}
