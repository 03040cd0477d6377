import { EmbeddedObject, Pointer } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { CoreDeps } from './deps.js';
import { INCLUDE_READ } from './find-request.js';
import type { FindRequest } from './find-request.js';
import { hooksFor } from './hook-caller.js';
import type { FindResult, OutputObject } from './output.js';
import type { CloudRunner } from '../cloud/index.js';
import type { ReadPolicies } from './read-policies.js';

/** `include=post,post.author` as a tree: { post: { author: {} } }. */
export interface IncludeTree {
  [field: string]: IncludeTree;
}

export function buildIncludeTree(paths: readonly string[]): IncludeTree {
  const root: IncludeTree = {};
  for (const path of paths) {
    let node = root;
    for (const part of path.split('.')) {
      // Own-property check keeps `__proto__` and friends from walking into Object.prototype.
      if (!Object.prototype.hasOwnProperty.call(node, part)) node[part] = {};
      node = node[part] as IncludeTree;
    }
  }
  return root;
}

/** `include=*`: every top-level Pointer and Array field of the schema (one level). */
export function includeAllTree(schema: ClassSchema): IncludeTree {
  const tree: IncludeTree = {};
  for (const [name, field] of Object.entries(schema.fields)) {
    if (field.type === 'Pointer' || field.type === 'Array') tree[name] = {};
  }
  return tree;
}

/**
 * Replaces pointers at the tree's paths with the full objects, fetched with the caller's auth: one query
 * per class and level, never one per pointer. Each included class is read through its own read policy for
 * the caller (CLP `get`, pointer permissions, read ACL, protected and private fields, the class's rule).
 * Pointers the caller cannot read (or that point at deleted objects) are removed, as Parse does
 * (queries.md §4.4).
 */
export async function resolveIncludes(options: {
  deps: CoreDeps;
  /** The caller's read policies, shared with the find that includes. */
  policies: ReadPolicies;
  holders: Record<string, unknown>[];
  tree: IncludeTree;
  /** Per included path, the sub-keys `keys=post.title` selects inside it. */
  subKeys?: ReadonlyMap<string, ReadonlySet<string>>;
  prefix?: string;
  /**
   * A find that runs the target class's beforeFind / afterFind: included classes that have such triggers
   * are read through it (as Parse runs them for includes); the others straight from storage.
   */
  hookedFind?: (request: FindRequest) => Promise<FindResult>;
}): Promise<void> {
  const { deps, policies, holders, tree } = options;
  for (const field of Object.keys(tree)) {
    const path = options.prefix === undefined ? field : `${options.prefix}.${field}`;
    const pointers = collectPointers(holders, field);
    if (pointers.length === 0) continue;
    const fetched = await fetchPointed({
      deps,
      policies,
      pointers,
      keys: options.subKeys?.get(path),
      hookedFind: options.hookedFind,
    });
    const nextHolders: Record<string, unknown>[] = [];
    for (const holder of holders) replaceAt({ holder, field, fetched, nextHolders });
    const subtree = tree[field] as IncludeTree;
    if (Object.keys(subtree).length > 0) {
      await resolveIncludes({
        deps,
        policies,
        holders: nextHolders,
        tree: subtree,
        subKeys: options.subKeys,
        prefix: path,
        ...(options.hookedFind === undefined ? {} : { hookedFind: options.hookedFind }),
      });
    }
  }
}

function collectPointers(holders: readonly Record<string, unknown>[], field: string): Pointer[] {
  const out: Pointer[] = [];
  for (const holder of holders) {
    const value = holder[field];
    if (value instanceof Pointer) out.push(value);
    else if (Array.isArray(value)) for (const item of value) if (item instanceof Pointer) out.push(item);
  }
  return out;
}

type Fetched = Map<string, { embedded: EmbeddedObject; fields: Record<string, unknown> }>;

const key = (className: string, objectId: string): string => `${className}\u0000${objectId}`;

async function fetchPointed(options: {
  deps: CoreDeps;
  policies: ReadPolicies;
  pointers: readonly Pointer[];
  keys: ReadonlySet<string> | undefined;
  hookedFind: ((request: FindRequest) => Promise<FindResult>) | undefined;
}): Promise<Fetched> {
  const { deps, policies, pointers } = options;
  const { auth } = policies;
  const byClass = new Map<string, Set<string>>();
  for (const p of pointers) {
    let ids = byClass.get(p.className);
    if (ids === undefined) byClass.set(p.className, (ids = new Set()));
    ids.add(p.objectId);
  }
  const fetched: Fetched = new Map();
  for (const [className, ids] of byClass) {
    const runner = options.hookedFind === undefined ? undefined : hooksFor(deps, className);
    if (options.hookedFind !== undefined && runner !== undefined && hasFindTriggers(runner, className)) {
      const { results } = await options.hookedFind({
        [INCLUDE_READ]: true,
        auth,
        className,
        where: { objectId: { $in: [...ids] } },
        limit: ids.size,
        ...(options.keys === undefined ? {} : { keys: [...options.keys] }),
      });
      for (const shaped of results) {
        const fields = embeddedFields(shaped);
        fetched.set(key(shaped.className, shaped.objectId), {
          embedded: new EmbeddedObject(shaped.className, shaped.objectId, fields),
          fields,
        });
      }
      continue;
    }
    const schema = await deps.schemas.get(className);
    if (schema === undefined) continue;
    // Including class C is a CLP `get` on C (spec/security.md §4.2); a refusal fails the whole read.
    const policy = policies.of(schema, { operations: ['get'], byId: true });
    const where = policy.restrict({ kind: 'in', path: ['objectId'], values: [...ids] });
    const objects = await deps.storage.find({ schema, where });
    const projection = options.keys === undefined ? {} : { keys: options.keys };
    for (const object of objects) {
      const fields = embeddedFields(policy.shape(object, projection));
      fetched.set(key(className, object.objectId), {
        embedded: new EmbeddedObject(className, object.objectId, fields),
        fields,
      });
    }
  }
  return fetched;
}

/** The embedded object's own record, shared with `EmbeddedObject` so deeper includes can fill it in. */
function embeddedFields(shaped: OutputObject): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (shaped.createdAt !== undefined) fields['createdAt'] = shaped.createdAt;
  if (shaped.updatedAt !== undefined) fields['updatedAt'] = shaped.updatedAt;
  if (shaped.ACL !== undefined) fields['ACL'] = shaped.ACL;
  Object.assign(fields, shaped.fields);
  return fields;
}

function replaceAt(options: {
  holder: Record<string, unknown>;
  field: string;
  fetched: Fetched;
  nextHolders: Record<string, unknown>[];
}): void {
  const { holder, field, fetched, nextHolders } = options;
  const value = holder[field];
  if (value instanceof Pointer) {
    const hit = fetched.get(key(value.className, value.objectId));
    if (hit === undefined) delete holder[field];
    else {
      holder[field] = hit.embedded;
      nextHolders.push(hit.fields);
    }
  } else if (Array.isArray(value)) {
    const replaced: unknown[] = [];
    for (const item of value) {
      if (!(item instanceof Pointer)) replaced.push(item);
      else {
        const hit = fetched.get(key(item.className, item.objectId));
        if (hit !== undefined) {
          replaced.push(hit.embedded);
          nextHolders.push(hit.fields);
        }
      }
    }
    holder[field] = replaced;
  }
}

function hasFindTriggers(runner: CloudRunner, className: string): boolean {
  return runner.has('beforeFind', className) || runner.has('afterFind', className);
}
