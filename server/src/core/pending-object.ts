import type { CloudObjectJSON } from '../cloud/index.js';
import { encodeValue } from '../schema/index.js';
import type { EncodeOptions } from '../schema/index.js';
import type { WriteInput } from './write-input.js';

/**
 * The object a beforeSave sees (spec/cloud.md §2): the stored object (update) or nothing (create), with the
 * write's values and operations applied as the write will apply them. Relation operations are left out.
 */
export function pendingObjectJSON(options: {
  className: string;
  base: CloudObjectJSON | undefined;
  input: WriteInput;
  encode: EncodeOptions;
}): CloudObjectJSON {
  const { input, encode } = options;
  const out: Record<string, unknown> =
    options.base === undefined ? { className: options.className } : { ...options.base };
  for (const [path, write] of Object.entries(input.fields)) {
    const current = readPath(out, path);
    switch (write.op) {
      case 'set':
        writePath(out, path, encodeValue(write.value, encode));
        break;
      case 'unset':
        writePath(out, path, undefined);
        break;
      case 'increment':
        writePath(out, path, (typeof current === 'number' ? current : 0) + write.amount);
        break;
      case 'add':
        writePath(out, path, [...asArray(current), ...write.objects.map((o) => encodeValue(o, encode))]);
        break;
      case 'addUnique': {
        const next = [...asArray(current)];
        for (const item of write.objects.map((o) => encodeValue(o, encode))) {
          if (!next.some((existing) => JSON.stringify(existing) === JSON.stringify(item))) next.push(item);
        }
        writePath(out, path, next);
        break;
      }
      case 'remove': {
        const removed = write.objects.map((o) => JSON.stringify(encodeValue(o, encode)));
        writePath(
          out,
          path,
          asArray(current).filter((item) => !removed.includes(JSON.stringify(item))),
        );
        break;
      }
      default:
        break;
    }
  }
  if (input.ACL !== undefined) out['ACL'] = input.ACL;
  return out as CloudObjectJSON;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function readPath(target: Record<string, unknown>, path: string): unknown {
  let node: unknown = target;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = Object.hasOwn(node, part) ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

/** Sets (or with `undefined` removes) `a.b.c`, copying the nested objects it passes through. */
function writePath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string;
    const next = node[key];
    const copy: Record<string, unknown> =
      next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    node[key] = copy;
    node = copy;
  }
  const last = parts[parts.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
}
