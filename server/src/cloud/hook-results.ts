/**
 * Reading what hook code answered: a beforeSave's patch, a found object, a `@File` beforeSave's replacement
 * file, a beforePush's push. Hooks are the developer's code: anything of the wrong shape is ignored or refused
 * here, never passed on.
 */
import { ErrorCode, ParseError } from '../errors/index.js';
import type { CloudObjectJSON, FileSaveResult, JsonObject, PushJSON, SavePatch } from './types.js';

/**
 * The file a `@File` beforeSave answered, when it answered one: each field of the right type or absent, an
 * empty replacement (nothing changed) as undefined. A wrong type is the hook's bug: 130, like its errors.
 */
export function fileReplacement(result: unknown): FileSaveResult['file'] | undefined {
  if (result === null || typeof result !== 'object' || !('file' in result)) return undefined;
  const file = (result as { file: unknown }).file;
  if (file === undefined || file === null) return undefined;
  const invalid = (what: string): ParseError =>
    new ParseError(ErrorCode.FILE_SAVE_ERROR, {
      message: `A file beforeSave returned a file with an invalid ${what}.`,
    });
  if (typeof file !== 'object' || Array.isArray(file)) throw invalid('shape');
  const record = file as Record<string, unknown>;
  const replacement: Record<string, unknown> = {};
  for (const key of ['name', 'contentType', 'url'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw invalid(key);
    replacement[key] = value;
  }
  for (const key of ['metadata', 'tags'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(key);
    replacement[key] = value;
  }
  return Object.keys(replacement).length === 0 ? undefined : (replacement as FileSaveResult['file']);
}

export function isPatch(value: unknown): value is SavePatch {
  if (value === null || typeof value !== 'object') return false;
  const changes = (value as { changes?: unknown }).changes;
  return changes !== null && typeof changes === 'object' && !Array.isArray(changes);
}

export function isObjectJSON(value: unknown): value is CloudObjectJSON {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function nonEmptyPatch(changes: JsonObject): SavePatch | undefined {
  return Object.keys(changes).length === 0 ? undefined : { changes };
}

const SERVER_FIELDS = new Set(['className', 'objectId', 'createdAt', 'updatedAt']);

/** The fields `after` sets or removes relative to `before` (removals as `{"__op":"Delete"}`). */
export function diffObjects(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): JsonObject {
  const changes: JsonObject = {};
  for (const key of Object.keys(after)) {
    if (SERVER_FIELDS.has(key)) continue;
    if (!sameJSON(before[key], after[key])) changes[key] = after[key];
  }
  for (const key of Object.keys(before)) {
    if (SERVER_FIELDS.has(key) || Object.hasOwn(after, key)) continue;
    changes[key] = { __op: 'Delete' };
  }
  return changes;
}

function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function isPushJSON(value: unknown): value is { push: PushJSON } {
  if (value === null || typeof value !== 'object' || !('push' in value)) return false;
  const push = (value as { push: unknown }).push;
  return push !== null && typeof push === 'object' && !Array.isArray(push);
}
