import { spawnSync } from 'node:child_process';
import { relative, sep } from 'node:path';

/**
 * Why cloud code failed to load, in one line a developer can jump from: a syntax error as `syntax error at
 * main.ts:3:12: Expected ")" but found "foo"` (file relative to the working directory, 1-based column), any
 * other error as its message and the first frame in the developer's own code. Each loader reports syntax
 * errors its own way: esbuild (TypeScript) in its message, Node (CommonJS) in the stack's first line, and
 * tsx's ES module lexer with a wrong position, so for that one the file is re-checked with `node --check`.
 */
export function describeLoadError(err: unknown, directory: string): string {
  if (!(err instanceof Error)) return String(err);
  const syntax = syntaxErrorOf(err);
  if (syntax !== undefined) return `syntax error at ${syntax}`;
  const frame = err.stack
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('at ') && line.includes(directory) && !line.includes(`${sep}node_modules${sep}`));
  // `at fn (/abs/main.ts?tsx-namespace=…:3:9)` → `main.ts:3:9`: the loader's namespace query is noise.
  const location = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/.exec(
    frame?.replace(/\?(?:tsx-)?namespace=[^:)]*/g, '') ?? '',
  );
  if (location === null) return err.message;
  const [, file = '', line = '', column = ''] = location;
  return `${err.message} (at ${shown(file)}:${line}:${column})`;
}

/** `file:line:column: message` of a syntax error, or undefined for any other error. */
function syntaxErrorOf(err: Error): string | undefined {
  // esbuild: "Transform failed with 1 error:\n/abs/main.ts:3:0: ERROR: Expected ..." (0-based column).
  const esbuild = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(err.message);
  if (esbuild !== undefined && esbuild !== null && /Transform failed/.test(err.message)) {
    const [, file = '', line = '', column = '', text = ''] = esbuild;
    return `${shown(file)}:${line}:${Number(column) + 1}: ${text}`;
  }
  // tsx's lexer: "Parse error /abs/main.mjs:1:1", always 1:1.
  const lexer = /^Parse error (.+):\d+:\d+$/.exec(err.message);
  if (lexer?.[1] !== undefined) return nodeCheck(lexer[1]) ?? `${shown(lexer[1])}: ${err.message}`;
  // Node: the stack starts "/abs/main.js:3", then the source line and a caret under the column.
  if (err instanceof SyntaxError) return fromNodeStack(err.stack ?? '', err.message);
  return undefined;
}

function fromNodeStack(stack: string, message: string): string | undefined {
  const lines = stack.split('\n');
  const head = /^(.+):(\d+)$/.exec(lines[0] ?? '');
  if (head === null) return undefined;
  const caret = (lines[2] ?? '').indexOf('^');
  const column = caret === -1 ? '' : `:${caret + 1}`;
  return `${shown(head[1] ?? '')}:${head[2] ?? ''}${column}: ${message}`;
}

/** Node's own syntax check of a JavaScript file: its `file:line:column: message`, if it finds an error. */
function nodeCheck(file: string): string | undefined {
  const result = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 30_000 });
  if (result.status === 0 || typeof result.stderr !== 'string') return undefined;
  const message = /^SyntaxError: (.*)$/m.exec(result.stderr)?.[1];
  return message === undefined ? undefined : fromNodeStack(result.stderr, message);
}

/** Relative to the working directory when the file is under it: shorter, and what an editor opens. */
function shown(file: string): string {
  const path = file.startsWith('file://') ? new URL(file).pathname : file;
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}
