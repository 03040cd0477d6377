import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * Turns a Parse `$regex` / `$options` pair (PCRE flavoured, as MongoDB runs it) into a JavaScript
 * RegExp source and flags that mean the same thing, so every backend and the in-memory matcher can use
 * one pattern. Handled here:
 * - `\Q…\E` quoting (what every SDK's `startsWith` / `endsWith` / `contains` sends), also unterminated;
 *   a stray `\E` is ignored, as PCRE does;
 * - the `x` (extended) flag: unescaped whitespace and `#` comments outside character classes and
 *   quotes are stripped, since JavaScript has no such flag;
 * - a `]` right after `[` or `[^` is a literal in PCRE and is escaped for JavaScript.
 * Anything JavaScript still cannot compile is refused with 102.
 */

export interface TranslatedRegex {
  readonly pattern: string;
  /** A subset of `imsu`, in that order. */
  readonly flags: string;
}

const ALLOWED_OPTIONS = /^[imxsu]*$/;
const SYNTAX_CHARACTERS = /[\\^$.*+?()[\]{}|]/g;
/** Inside a character class `-` is special too; `\-` is valid there even with the `u` flag. */
const CLASS_SYNTAX_CHARACTERS = /[\\^$.*+?()[\]{}|-]/g;

export function translateRegex(source: unknown, options: unknown): TranslatedRegex {
  if (typeof source !== 'string') {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: '$regex value must be a string' });
  }
  if (options !== undefined && (typeof options !== 'string' || !ALLOWED_OPTIONS.test(options))) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Bad $options value for query: ${String(options)}` });
  }
  const optionString = options ?? '';
  const flags =
    (optionString.includes('i') ? 'i' : '') +
    (optionString.includes('m') ? 'm' : '') +
    (optionString.includes('s') ? 's' : '') +
    (optionString.includes('u') ? 'u' : '');
  const pattern = translatePattern(source, optionString.includes('x'));
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Invalid regular expression: ${source}`, cause: err });
  }
  return { pattern, flags };
}

function escapeLiteral(text: string, inClass: boolean): string {
  return text.replace(inClass ? CLASS_SYNTAX_CHARACTERS : SYNTAX_CHARACTERS, '\\$&');
}

function isPcreWhitespace(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code === 32 || (code >= 9 && code <= 13);
}

function translatePattern(source: string, extended: boolean): string {
  // The common case (plain patterns) needs no rewriting at all.
  if (!extended && !source.includes('\\') && !source.includes('[')) return source;
  let out = '';
  let inClass = false;
  let classBodyStart = -1;
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === '\\') {
      if (i + 1 >= source.length) {
        out += ch;
        i += 1;
        continue;
      }
      const next = source.charAt(i + 1);
      if (next === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        const stop = end === -1 ? source.length : end;
        out += escapeLiteral(source.slice(i + 2, stop), inClass);
        i = end === -1 ? source.length : end + 2;
      } else if (next === 'E') {
        i += 2;
      } else if (extended && !inClass && (isPcreWhitespace(next) || next === '#')) {
        // An escaped space or `#` stays literal under `x`; neither needs escaping in JavaScript.
        out += next;
        i += 2;
      } else {
        out += ch + next;
        i += 2;
      }
      continue;
    }
    if (inClass) {
      if (ch === ']') {
        if (i === classBodyStart) out += '\\]';
        else {
          out += ch;
          inClass = false;
        }
      } else out += ch;
      i += 1;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      i += 1;
      if (source.charAt(i) === '^') {
        out += '^';
        i += 1;
      }
      classBodyStart = i;
      continue;
    }
    if (extended && isPcreWhitespace(ch)) {
      i += 1;
      continue;
    }
    if (extended && ch === '#') {
      const newline = source.indexOf('\n', i);
      i = newline === -1 ? source.length : newline + 1;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}
