import { existsSync, mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that fails instead of spinning: Node 20's `mkdir(path, { recursive: true })` loops forever, at
 * full CPU, when a missing ancestor cannot be created in a directory that exists (e.g. `/proc/nope/x`). This
 * creates the missing directories one by one, each with `mode`, and throws the first error (ENOENT, EACCES,
 * ENOTDIR ...) as it comes.
 *
 * @example
 * makeDirectorySync('/var/lib/strata/files', { mode: 0o700 });
 */
export function makeDirectorySync(path: string, options: { mode?: number } = {}): void {
  for (const directory of missingDirectories(path, existsSync)) {
    try {
      mkdirSync(directory, { mode: options.mode ?? 0o777 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** The asynchronous `makeDirectorySync`. */
export async function makeDirectory(path: string, options: { mode?: number } = {}): Promise<void> {
  // Which ancestors exist is asked synchronously: a few stat calls, once per store or upload directory.
  for (const directory of missingDirectories(path, existsSync)) {
    try {
      await mkdir(directory, { mode: options.mode ?? 0o777 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** `path` and its missing ancestors, outermost first. */
function missingDirectories(path: string, exists: (path: string) => boolean): string[] {
  const missing: string[] = [];
  let current = resolve(path);
  while (!exists(current)) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return missing.reverse();
}
